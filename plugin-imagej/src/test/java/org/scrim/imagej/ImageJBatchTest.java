package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.cpu.RuntimeOptions;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * Runs the real ImageJ 1.x (its own JVM, under Xvfb, {@code -batch}) with the plugin installed as the Fiji zip lays it
 * out, and a macro that calls the commands by their menu names and macro keys, as a user's macro would.
 */
class ImageJBatchTest {
    private static final String DONE = "scrim-macro-done";

    /** Opens chelsea.png at 96 px wide, saves that as the original, masks it and saves it with Save Protected As. */
    private static String protectMacro(Path original, Path protectedPng) {
        return "open(" + RealImageJ.literal(SharedData.path("images/chelsea.png")) + ");\n"
                + "h = round(getHeight() * 96 / getWidth());\n"
                + "run(\"Size...\", \"width=96 height=\" + h + \" depth=1 average interpolation=Bilinear\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(original) + ");\n"
                + "run(\"Mask Style...\", \"preset=high decoy=pattern seed=7 steps=3\");\n"
                + "run(\"Save Protected As...\", \"path=[\" + " + RealImageJ.literal(protectedPng) + " + \"]\");\n"
                + "print(\"" + DONE + "\");\n";
    }

    @Test
    @Timeout(value = 2 * RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void macroMasksAndSavesTaggedDeterministicFile(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path original = tmp.resolve("chelsea96.png");
        Path first = tmp.resolve("first.protected.png");
        Path second = tmp.resolve("second.protected.png");

        String log = ij.batch(protectMacro(original, first));
        assertTrue(log.contains(DONE), "the macro stopped before its end; ImageJ printed: " + log);
        assertTrue(Files.isRegularFile(first), "Save Protected As wrote no " + first + "; ImageJ printed: " + log);

        Tensor o = ImageTensors.fromImage(ImageIO.read(original.toFile()));
        Tensor p = ImageTensors.fromImage(ImageIO.read(first.toFile()));
        assertEquals(96, p.dim(3), "the saved image is not the 96 px wide one the macro protected");
        Verifier verifier = new Verifier(List.of(ModelStore.standard(SharedData.path("models")).surrogate("taef2")),
                new RuntimeOptions(1), 512);
        double closeness = verifier.verify(o, p, ProtectionTarget.mask(Decoy.PATTERN, 7), true)
                .primaryCloseness();
        assertTrue(closeness > 0.05, "latent closeness to the pattern decoy is only " + closeness);
        System.out.println("ImageJ batch mask: closeness " + closeness);

        JsonObject tags = exiftool(first);
        assertTrue(tags.has("XMP-plus:DataMining"), "no XMP-plus:DataMining in " + first + ": " + tags);

        String again = ij.batch(protectMacro(tmp.resolve("chelsea96-again.png"), second));
        assertTrue(again.contains(DONE), "the second run stopped before its end; ImageJ printed: " + again);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second),
                "the same macro with the same seed wrote different files");
    }

    private static JsonObject exiftool(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(RealImageJ.requireTool("exiftool", "libimage-exiftool-perl"), "-j", "-G1",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "exiftool failed on " + file + ": " + out);
        return JsonParser.parseString(out).getAsJsonArray().get(0).getAsJsonObject();
    }
}
