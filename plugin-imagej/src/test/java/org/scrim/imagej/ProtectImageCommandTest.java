package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scrim.engine.testing.SharedData;

/** The SciJava command, run headless through a Context as a Fiji script would. */
class ProtectImageCommandTest {
    static {
        HeadlessImageJ.init();
    }

    @Test
    void protectsAndVerifiesAFileHeadless(@TempDir Path dir) throws Exception {
        Prefs.set(EngineSettings.MODEL_DIR, SharedData.path("models").toString());
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
            assertNotNull(getClass().getResource(module.getInfo().getIconPath()), "the menu icon is not in the jar");
            // the verify command rebuilds the target from the decoy and seed the output file records
            CommandModule verify = context.service(CommandService.class).run(VerifyImageFilesCommand.class, true,
                    "original", input.toFile(), "protectedImage", output.toFile()).get();
            double closeness = (Double) verify.getOutput("closeness");
            assertEquals("decoy pattern", verify.getOutput("target"));
            assertTrue(closeness > 0.05, "the protected file's latent barely moved: closeness " + closeness);
            assertTrue((Double) verify.getOutput("psnr") > 25, "PSNR " + verify.getOutput("psnr"));

            Path view = dir.resolve("view.png");
            context.service(CommandService.class).run(AiViewCommand.class, true, "image", output.toFile(),
                    "compare", input.toFile(), "analysisSize", 512, "output", view.toFile()).get();
            assertEquals(2 * small.getWidth(), IJ.openImage(view.toString()).getWidth(),
                    "the AI view is not the two renderings side by side");

            Path tagged = dir.resolve("tagged");
            CommandModule tag = context.service(CommandService.class).run(TagImageFilesCommand.class, true,
                    "files", input.toFile(), "outputFolder", tagged.toFile(), "statement", "DMI-PROHIBITED",
                    "creator", "Ann Artist").get();
            assertEquals(1, tag.getOutput("tagged"));
            String taggedBytes = new String(Files.readAllBytes(tagged.resolve("chelsea.png")),
                    StandardCharsets.ISO_8859_1);
            assertTrue(taggedBytes.contains("DMI-PROHIBITED") && taggedBytes.contains("Ann Artist"),
                    "the tagged copy lacks the statement or the creator");
        }
        String bytes = new String(Files.readAllBytes(output), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("DMI-PROHIBITED-AIMLTRAINING"), "the output is not tagged");
    }
}
