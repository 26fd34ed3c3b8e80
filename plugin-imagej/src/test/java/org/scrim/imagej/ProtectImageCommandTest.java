package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.testing.SharedData;

/** The SciJava command, run headless through a Context as a Fiji script would. */
class ProtectImageCommandTest {
    static {
        HeadlessImageJ.init();
    }

    @Test
    void protectsAFileHeadless(@TempDir Path dir) throws Exception {
        Prefs.set(ScrimOptions.MODEL_DIR, SharedData.path("models").toString());
        Path input = dir.resolve("chelsea.png");
        ImagePlus small = ProtectImageTest.smallImage();
        IJ.saveAs(small, "png", input.toString());
        assertTrue(Files.exists(input), "ImageJ did not write " + input);
        Path output = dir.resolve("chelsea.protected.png");
        try (Context context = new Context(CommandService.class)) {
            CommandModule module = context.service(CommandService.class).run(ProtectImageCommand.class, true,
                    "input", input.toFile(), "output", output.toFile(), "mode", "mask", "preset", "default",
                    "decoy", "pattern", "seed", 7L, "steps", 3, "tags", true).get();
            assertEquals("pattern", module.getOutput("decoyUsed"));
        }
        float[] before = ImageFiles.read(input).toRgbTensor().data();
        float[] after = ImageFiles.read(output).toRgbTensor().data();
        assertFalse(Arrays.equals(before, after), "the output is the input unchanged");
        String bytes = new String(Files.readAllBytes(output), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("DMI-PROHIBITED-AIMLTRAINING"), "the output is not tagged");
    }
}
