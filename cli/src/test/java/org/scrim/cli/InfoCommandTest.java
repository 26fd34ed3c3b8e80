package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Verifier;

/** The editors' plugins take the engine's choices from here instead of keeping copies. */
class InfoCommandTest {
    private static JsonObject info(String... args) {
        StringWriter out = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "info";
        System.arraycopy(args, 0, all, 1, args.length);
        assertEquals(0, ScrimCommand.commandLine().setOut(new PrintWriter(out)).execute(all));
        return JsonParser.parseString(out.toString()).getAsJsonObject();
    }

    @Test
    void listsWhatScrimReadsAndWhatItWritesWebpReadOnly() {
        JsonObject formats = info().getAsJsonObject("formats");
        assertEquals("[\"png\",\"jpg\",\"jpeg\",\"jpe\",\"jfif\",\"tif\",\"tiff\",\"webp\"]",
                formats.get("reads").toString());
        assertEquals("[\"png\",\"jpg\",\"jpeg\",\"jpe\",\"jfif\",\"tif\",\"tiff\"]", formats.get("writes").toString());
    }

    @Test
    void givesThePresetsEffortsDecoysAndPreviewRuleAsTheEngineHasThem() {
        JsonObject info = info();
        JsonObject high = info.getAsJsonArray("presets").get(2).getAsJsonObject();
        assertEquals("high", high.get("name").getAsString());
        assertEquals(Preset.HIGH.maxButteraugli, high.get("max_butteraugli").getAsDouble());
        assertEquals(Preset.HIGH.maxVisibility, high.get("max_visibility").getAsDouble());
        assertEquals(Preset.HIGH.steps, high.get("steps").getAsInt());
        assertEquals("auto", info.getAsJsonArray("decoys").get(0).getAsString());
        assertEquals(3, info.getAsJsonArray("efforts").size());
        assertTrue(info.getAsJsonObject("preview").has("steps"));
        assertTrue(info.get("service_state_file").getAsString().endsWith("service.json"));
        assertFalse(info.has("strength"), "no strength was asked about");
    }

    /** The views the protection is made for and the figures a verdict rests on, as the verifier judges them. */
    @Test
    void givesTheTrainerViewsAndTheJudgedFigures() {
        JsonObject views = info().getAsJsonObject("views");
        TrainerViews.Rule rule = TrainerViews.rule();
        assertEquals(TrainerViews.LARGEST, views.getAsJsonArray("resolutions").get(0).getAsInt());
        assertEquals(rule.resolutions(), views.getAsJsonArray("resolutions").asList().stream()
                .map(e -> e.getAsInt()).toList());
        assertEquals(rule.bucketStep(), views.get("bucket_step").getAsInt());
        assertEquals(rule.cropTop(), views.get("crop_top").getAsInt());
        assertEquals(rule.cropLeft(), views.get("crop_left").getAsInt());
        assertEquals(Verifier.JUDGED, views.getAsJsonArray("judged").asList().stream()
                .map(e -> e.getAsString()).toList());
    }

    /** What a strength makes, as scrim protect would make it: 0.14 alone is high with high's steps. */
    @Test
    void saysWhatAStrengthMakes() {
        JsonObject strength = info("--max-visibility", "0.14", "--effort", "max").getAsJsonObject("strength");
        assertEquals("high", strength.get("preset").getAsString());
        assertFalse(strength.get("custom_bound").getAsBoolean());
        assertEquals(2 * Preset.HIGH.steps, strength.get("steps").getAsInt());
        assertEquals(2.0, strength.get("time_against_default").getAsDouble());
    }
}
