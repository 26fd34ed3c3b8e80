package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static Verifier.Report report(Map<String, Double> mask, Map<String, Double> poison) {
        return new Verifier.Report(mask, poison, Map.of(), Map.of(), null, null, 2.0, 35, 0.95, 0.05,
                new Butteraugli.Score(1.2, 0.5), "decoy pattern", Map.of());
    }

    @Test
    void theWeakestOfPlainJpegAndDownscaleDecides() {
        Verdict v = Verdict.of(report(Map.of(Verifier.PLAIN, 0.6, "jpeg75", 0.35, "downscale", 0.31, "blur", 0.01),
                Map.of()), "taef2");
        assertEquals(Verdict.Level.STRONG, v.level(), "blur is not among the judged manipulations");
        assertEquals(0.31, v.weakest());
        assertEquals("strong against the models checked (taef2); weakest at downscale: 0.31", v.headline());
        assertEquals(Verdict.Level.MODERATE, Verdict.of(report(Map.of(Verifier.PLAIN, 0.46, "jpeg75", 0.29,
                "downscale", 0.28), Map.of()), "taef2").level());
        assertEquals(Verdict.Level.WEAK, Verdict.of(report(Map.of(Verifier.PLAIN, 0.4, "jpeg75", 0.1,
                "downscale", 0.3), Map.of()), "taef2").level());
    }

    @Test
    void bothTargetsCountWhenMaskAndPoisonAreDone() {
        Verdict v = Verdict.of(report(Map.of(Verifier.PLAIN, 0.5), Map.of(Verifier.PLAIN, 0.12)), "taef2");
        assertEquals(Verdict.Level.WEAK, v.level());
        assertTrue(v.meaning().contains("stronger preset"), v.meaning());
    }

    @Test
    void theWeakestEncoderDecides() {
        Map<String, Double> strong = Map.of(Verifier.PLAIN, 0.6, "jpeg75", 0.4, "downscale", 0.4);
        Map<String, Double> weak = Map.of(Verifier.PLAIN, 0.2, "jpeg75", 0.1, "downscale", 0.1);
        Verifier.Report both = new Verifier.Report(Map.of(Verifier.PLAIN, 0.4, "jpeg75", 0.25, "downscale", 0.25),
                Map.of(), Map.of("taef2", strong, "taesana", weak), Map.of(), null, null, 2.0, 35, 0.95, 0.05,
                new Butteraugli.Score(1.2, 0.5), "decoy pattern", Map.of());
        Verdict v = Verdict.of(both, "taef2+taesana");
        assertEquals(Verdict.Level.WEAK, v.level(), "the mean over encoders would say moderate");
        assertEquals(0.1, v.weakest());
        assertEquals("taesana", v.encoder());
    }

    @Test
    void theWeakestTrainerViewDecidesAndIsNamed() {
        Map<String, Double> taef2 = Map.of(Verifier.PLAIN, 0.5, "768", 0.45, "512", 0.48, "mirrored", 0.29,
                "cropped", 0.4, "jpeg75", 0.35, "downscale", 0.33);
        Map<String, Double> taesana = Map.of(Verifier.PLAIN, 0.6, "768", 0.55, "512", 0.5, "mirrored", 0.45,
                "cropped", 0.5, "jpeg75", 0.4, "downscale", 0.4);
        Map<String, String> views = Map.of(Verifier.PLAIN, "1024x1024", "mirrored", "1024x1024 mirrored");
        Verifier.Report r = new Verifier.Report(Map.of(Verifier.PLAIN, 0.55), Map.of(),
                Map.of("taef2", taef2, "taesana", taesana), Map.of(), null, null, 2.0, 35, 0.95, 0.05,
                new Butteraugli.Score(1.2, 0.5), "decoy pattern", views);
        Verdict v = Verdict.of(r, "taef2+taesana");
        assertEquals(Verdict.Level.MODERATE, v.level(), "one view under 0.3 is not strong, however strong the rest");
        assertEquals("1024x1024 mirrored", v.view());
        assertEquals("taef2", v.encoder());
        assertTrue(v.headline().contains("weakest at 1024x1024 mirrored on taef2: 0.29"), v.headline());
    }
}
