package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.Tensor;

class QualityTest {
    private static final Tensor ASTRONAUT = TestImages.load("astronaut.png");

    @Test
    void psnrOfAUniformOffsetFollowsTheDefinition() {
        Tensor grey = new Tensor(filled(3 * 64 * 64, 0.5f), 1, 3, 64, 64);
        Tensor brighter = new Tensor(filled(3 * 64 * 64, 0.51f), 1, 3, 64, 64);
        assertEquals(40.0, Quality.psnr(grey, brighter), 1e-3);
        assertEquals(Double.POSITIVE_INFINITY, Quality.psnr(grey, grey.copy()));
    }

    @Test
    void ssimIsOneForIdenticalAndFallsWithNoise() {
        assertEquals(1.0, Quality.ssim(ASTRONAUT, ASTRONAUT.copy()), 1e-6);
        float[] s = TestImages.signs(ASTRONAUT.size(), 1);
        double prev = 1;
        for (int k = 1; k <= 16; k *= 2) {
            double v = Quality.ssim(ASTRONAUT, TestImages.perturb(ASTRONAUT, s, k / 255f));
            assertTrue(v < prev, "SSIM must fall as noise grows: " + v + " at " + k + "/255");
            prev = v;
        }
        assertTrue(prev < 0.7, "SSIM at 16/255 noise: " + prev);
    }

    @Test
    void visibilityIsZeroForNoChangeAndMonotoneInPerturbationSize() {
        assertEquals(0.0, Quality.visibility(ASTRONAUT, ASTRONAUT.copy()), 1e-6);
        float[] s = TestImages.signs(ASTRONAUT.size(), 2);
        double prev = 0;
        for (int k = 1; k <= 16; k++) {
            double v = Quality.visibility(ASTRONAUT, TestImages.perturb(ASTRONAUT, s, k / 255f));
            assertTrue(v > prev, "visibility must grow with the perturbation: " + v + " at " + k + "/255");
            prev = v;
        }
    }

    @Test
    void mismatchedShapesAreRejected() {
        Tensor small = new Tensor(new float[3 * 8 * 8], 1, 3, 8, 8);
        assertThrows(IllegalArgumentException.class, () -> Quality.psnr(ASTRONAUT, small));
        assertThrows(IllegalArgumentException.class, () -> Quality.ssim(small, new Tensor(new float[64], 1, 1, 8, 8)));
    }

    private static float[] filled(int n, float v) {
        float[] d = new float[n];
        java.util.Arrays.fill(d, v);
        return d;
    }
}
