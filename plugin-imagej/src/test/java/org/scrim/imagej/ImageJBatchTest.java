package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
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
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;
import org.scrim.engine.runtime.cpu.OrtRuntime;

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

        RgbImage o = ImageTensors.fromImage(ImageIO.read(original.toFile()));
        RgbImage p = ImageTensors.fromImage(ImageIO.read(first.toFile()));
        assertEquals(96, p.width(), "the saved image is not the 96 px wide one the macro protected");
        Verifier verifier = new Verifier(List.of(ModelStore.standard(SharedData.path("models")).surrogate("taef2")),
                new OrtRuntime(1), 512);
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

    /**
     * Every other command from one macro: Poison Concept... (anchor: coffee.png) and Protect (Mask + Poison)... on
     * copies of the original, Verify Protection... into its table (saved as CSV), Show AI View (saved) and Add NoAI
     * Tags... on the poisoned file.
     */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void macroPoisonsProtectsVerifiesRendersAndTags(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path original = tmp.resolve("chelsea96.png");
        Path anchor = tmp.resolve("anchor.png");
        Path poisoned = tmp.resolve("poisoned.png");
        Path both = tmp.resolve("both.png");
        Path table = tmp.resolve("verification.csv");
        Path aiView = tmp.resolve("aiview.png");
        Path tagged = tmp.resolve("tagged");
        String anchorOption = "anchors=[\" + " + RealImageJ.literal(anchor) + " + \"]";
        String macro = "open(" + RealImageJ.literal(SharedData.path("images/coffee.png")) + ");\n"
                + "run(\"Size...\", \"width=96 height=64 depth=1 average interpolation=Bilinear\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(anchor) + ");\n"
                + "close();\n"
                + "open(" + RealImageJ.literal(SharedData.path("images/chelsea.png")) + ");\n"
                + "run(\"Size...\", \"width=96 height=64 depth=1 average interpolation=Bilinear\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(original) + ");\n"
                + "run(\"Duplicate...\", \"title=poison\");\n"
                + "run(\"Poison Concept...\", \"preset=high " + anchorOption + " seed=7 steps=3\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(poisoned) + ");\n"
                + "selectImage(\"chelsea96.png\");\n"
                + "run(\"Duplicate...\", \"title=both\");\n"
                + "run(\"Protect (Mask + Poison)...\", \"preset=high decoy=pattern " + anchorOption
                + " seed=7 steps=3\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(both) + ");\n"
                + "run(\"Verify Protection...\", \"original=chelsea96.png protected=both.png mode=both "
                + "decoy=pattern " + anchorOption + " seed=7 analysis=512\");\n"
                + "Table.save(" + RealImageJ.literal(table) + ", \"" + Verify_Protection.TABLE + "\");\n"
                + "run(\"Show AI View\", \"image=both.png compare=chelsea96.png analysis=512\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(aiView) + ");\n"
                + "run(\"Add NoAI Tags...\", \"files=[\" + " + RealImageJ.literal(poisoned)
                + " + \"] statement=DMI-PROHIBITED creator=[A. Artist] rights=[] output=[\" + "
                + RealImageJ.literal(tagged) + " + \"]\");\n"
                + "print(\"" + DONE + "\");\n";
        String log = ij.batch(macro);
        assertTrue(log.contains(DONE), "the macro stopped before its end; ImageJ printed: " + log);

        RgbImage o = ImageTensors.fromImage(ImageIO.read(original.toFile()));
        RgbImage a = ImageTensors.fromImage(ImageIO.read(anchor.toFile()));
        // ImageJ protects and verifies with the default ensemble, as the command line does
        ModelStore store = ModelStore.standard(SharedData.path("models"));
        Verifier verifier = new Verifier(List.of(store.surrogate("taef2"), store.surrogate("taesana")),
                new OrtRuntime(1), 512);
        ProtectionTarget poison = new ProtectionTarget(Mode.POISON, null, null, List.of(a), 7);
        double poisonCloseness = verifier.verify(o, ImageTensors.fromImage(ImageIO.read(poisoned.toFile())), poison,
                true).primaryCloseness();
        assertTrue(poisonCloseness > 0.05, "poisoned latent barely moved toward the anchor: " + poisonCloseness);
        Verifier.Report bothReport = verifier.verify(o, ImageTensors.fromImage(ImageIO.read(both.toFile())),
                new ProtectionTarget(Mode.BOTH, Decoy.PATTERN, null, List.of(a), 7), true);
        assertTrue(bothReport.closeness().get(Verifier.PLAIN) > 0.05
                && bothReport.poisonCloseness().get(Verifier.PLAIN) > 0.05,
                "mask + poison did not pull toward both targets: " + bothReport);
        System.out.println("ImageJ batch: poison closeness " + poisonCloseness + ", both " + bothReport.closeness()
                .get(Verifier.PLAIN) + " / " + bothReport.poisonCloseness().get(Verifier.PLAIN));

        List<String> rows = Files.readAllLines(table);
        double tabled = RealImageJ.tabledCloseness(rows);
        assertEquals(bothReport.closeness().get(Verifier.PLAIN), tabled, 0.02,
                "Verify Protection's table disagrees with the engine's verification: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.contains("poison closeness none")), "no poison row in " + rows);

        BufferedImage view = ImageIO.read(aiView.toFile());
        // the analysis size only ever shrinks: the 96 px images render at 96 px, side by side
        assertEquals(2 * 96, view.getWidth(), "the AI view is not clean and protected side by side");

        JsonObject tags = exiftool(tagged.resolve("poisoned.png"));
        assertEquals("DMI-PROHIBITED", tags.get("XMP-plus:DataMining").getAsString().replaceFirst(".*/", ""),
                "wrong statement in " + tags);
        assertEquals("A. Artist", tags.get("XMP-dc:Creator").getAsString(), "creator missing in " + tags);
        assertArrayEquals(ImageTensors.fromImage(ImageIO.read(poisoned.toFile())).data(),
                ImageTensors.fromImage(ImageIO.read(tagged.resolve("poisoned.png").toFile())).data(),
                "tagging changed the pixels");
    }

    private static JsonObject exiftool(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(RealImageJ.requireTool("exiftool", "libimage-exiftool-perl"), "-j", "-G1",
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "exiftool failed on " + file + ": " + out);
        return JsonParser.parseString(out).getAsJsonArray().get(0).getAsJsonObject();
    }
}
