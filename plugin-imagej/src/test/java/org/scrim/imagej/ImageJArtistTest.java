package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.testing.SharedData;

/**
 * What an artist meets in the real ImageJ ({@code -batch} under Xvfb): Verify Protection... on files opened from
 * disk, a missing model in a batch run, and Save Protected As... on an image that was never protected.
 */
class ImageJArtistTest {
    private static final String AFTER = "scrim-macro-went-on";

    private static String openSmall(Path saveAs) {
        return "open(" + RealImageJ.literal(SharedData.path("images/chelsea.png")) + ");\n"
                + "run(\"Size...\", \"width=96 height=64 depth=1 average interpolation=Bilinear\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(saveAs) + ");\n";
    }

    /** Protected with decoy mosaic and seed 7, saved, reopened: Verify's defaults come from the file's XMP. */
    @Test
    @Timeout(value = 2 * RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void verifyReadsTheDecoyAndSeedRecordedInTheOpenedFile(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path original = tmp.resolve("original.png");
        Path protectedPng = tmp.resolve("protected.png");
        Path table = tmp.resolve("verification.csv");
        String saved = ij.batch(openSmall(original)
                + "run(\"Mask Style...\", \"preset=high decoy=mosaic seed=7 steps=3\");\n"
                + "run(\"Save Protected As...\", \"path=[\" + " + RealImageJ.literal(protectedPng) + " + \"]\");\n");
        assertTrue(Files.isRegularFile(protectedPng), "no protected file; ImageJ printed: " + saved);

        String log = ij.batch("open(" + RealImageJ.literal(original) + ");\n"
                + "open(" + RealImageJ.literal(protectedPng) + ");\n"
                + "run(\"Verify Protection...\", \"original=original.png protected=protected.png\");\n"
                + "Table.save(" + RealImageJ.literal(table) + ", \"" + Verify_Protection.TABLE + "\");\n");
        assertTrue(Files.isRegularFile(table), "Verify Protection made no table; ImageJ printed: " + log);
        List<String> rows = Files.readAllLines(table);
        double tabled = RealImageJ.tabledCloseness(rows);
        assertTrue(rows.stream().anyMatch(r -> r.matches(".*verdict,(strong|moderate|weak)")), "no verdict: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.endsWith("models checked,taef2+taesana")), "no models: " + rows);

        // ImageJ protects and verifies with the default ensemble, as the command line does
        ModelStore store = ModelStore.standard(SharedData.path("models"));
        Verifier verifier = new Verifier(List.of(store.surrogate("taef2"), store.surrogate("taesana")),
                new OrtRuntime(1), 512);
        double expected = verifier.verify(ImageTensors.fromImage(ImageIO.read(original.toFile())),
                ImageTensors.fromImage(ImageIO.read(protectedPng.toFile())), ProtectionTarget.mask(Decoy.MOSAIC, 7),
                true).primaryCloseness();
        System.out.println("ImageJ verify from file: closeness " + tabled + " (mosaic, seed 7: " + expected + ")");
        assertEquals(expected, tabled, 0.02, "Verify did not use the decoy and seed recorded in the file: " + rows);
    }

    /** No model and no network in a batch run: the reason in the log, the macro ends there, nothing hangs. */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void aMissingModelEndsABatchMacroWithTheReasonInTheLog(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        String log = ij.batch(openSmall(tmp.resolve("original.png"))
                + "run(\"Mask Style...\", \"preset=low decoy=pattern seed=7 steps=2\");\n"
                + "print(\"" + AFTER + "\");\n", false);
        assertTrue(log.contains("Scrim: Protection of original.png failed: Scrim needs its AI model file "
                + "taef2_encoder.pth and could not download it (no network connection)"), "ImageJ printed: " + log);
        assertTrue(log.contains("Weights folder in Plugins > Scrim > Scrim Options..."), "ImageJ printed: " + log);
        assertFalse(log.contains(AFTER), "the macro went on after the error: " + log);
        assertFalse(log.contains("(null)") || log.contains("SCRIM_MODELS"), "terminal words: " + log);
    }

    /** Save Protected As... refuses an image Scrim never protected: no ".protected" file with original pixels. */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void saveProtectedRefusesAnImageThatWasNeverProtected(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path out = tmp.resolve("original.protected.png");
        String log = ij.batch(openSmall(tmp.resolve("original.png"))
                + "run(\"Save Protected As...\", \"path=[\" + " + RealImageJ.literal(out) + " + \"]\");\n"
                + "print(\"" + AFTER + "\");\n");
        assertFalse(Files.exists(out), "an unprotected image was saved as " + out + "; ImageJ printed: " + log);
        assertTrue(log.contains("Scrim: original.png has not been protected"), "ImageJ printed: " + log);
        assertFalse(log.contains(AFTER), "the macro went on after the refusal: " + log);
    }

    /**
     * Protect Folder...: each image into the output folder under its name, tagged, its latent moved toward the decoy;
     * a file that is not an image is named in the Log and the others go on; the input folder as output is refused.
     */
    @Test
    @Timeout(value = 2 * RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void protectFolderProtectsEachImageAndNamesTheOneItCannot(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path out = tmp.resolve("out");
        Files.writeString(in.resolve("broken.png"), "not a PNG");
        StringBuilder macro = new StringBuilder();
        for (String name : List.of("chelsea.png", "coffee.png")) {
            macro.append("open(").append(RealImageJ.literal(SharedData.path("images/" + name))).append(");\n")
                    .append("run(\"Size...\", \"width=96 height=64 depth=1 average interpolation=Bilinear\");\n")
                    .append("saveAs(\"PNG\", ").append(RealImageJ.literal(in.resolve(name))).append(");\n")
                    .append("close();\n");
        }
        // as the web and other editors write them: a JPEG with optimised Huffman tables (once written back corrupt)
        // and a WebP (which Scrim reads and writes back as PNG)
        run(in.resolve("optimised.jpg"), "sh", "-c", "djpeg -scale 1/8 " + SharedData.path("images/rocket.jpg")
                + " | cjpeg -optimize");
        Path small = tmp.resolve("small.png");
        ImageIO.write(ImageTensors.toImage(Transforms.downscale(
                ImageFiles.read(SharedData.path("images/coffee.png")).toRgb(), 64)), "png", small.toFile());
        run(in.resolve("web.webp"), "cwebp", "-quiet", "-lossless", small.toString(), "-o", "-");
        String log = ij.batch(macro + "run(\"Protect Folder...\", \"input=[\" + " + RealImageJ.literal(in)
                + " + \"] output=[\" + " + RealImageJ.literal(out) + " + \"] mode=mask preset=low decoy=pattern\");\n");

        assertTrue(log.contains("Scrim: broken.png NOT protected: "), "ImageJ printed: " + log);
        assertTrue(log.contains("Scrim: protected 4 of 5 images into " + out.toRealPath()), "ImageJ printed: " + log);
        assertTrue(log.contains("into " + out.toRealPath().resolve("web.png") + " (as PNG"), "ImageJ printed: " + log);
        assertFalse(Files.exists(out.resolve("broken.png")));
        assertEquals("mask", MetadataReader.read(out.resolve("web.png")).provenance().protection());
        ImageFiles.read(out.resolve("optimised.jpg")); // decodes whole, a decoder warning being an error
        ModelStore store = ModelStore.standard(SharedData.path("models"));
        Verifier verifier = new Verifier(List.of(store.surrogate("taef2"), store.surrogate("taesana")),
                new OrtRuntime(1), 512);
        for (String name : List.of("chelsea.png", "coffee.png")) {
            assertEquals("mask", MetadataReader.read(out.resolve(name)).provenance().protection(), name);
            double closeness = verifier.verify(ImageTensors.fromImage(ImageIO.read(in.resolve(name).toFile())),
                    ImageTensors.fromImage(ImageIO.read(out.resolve(name).toFile())),
                    ProtectionTarget.mask(Decoy.PATTERN, 1), true).primaryCloseness();
            System.out.println("ImageJ Protect Folder: " + name + " closeness " + closeness);
            assertTrue(closeness > 0.05, name + " barely moved toward the decoy: " + closeness);
        }

        byte[] before = Files.readAllBytes(in.resolve("chelsea.png"));
        String refused = ij.batch("run(\"Protect Folder...\", \"input=[\" + " + RealImageJ.literal(in)
                + " + \"] output=[\" + " + RealImageJ.literal(in) + " + \"] preset=low decoy=pattern\");\n"
                + "print(\"" + AFTER + "\");\n");
        assertTrue(refused.contains("the output folder is the input folder"), "ImageJ printed: " + refused);
        assertFalse(refused.contains(AFTER), "the macro went on after the refusal: " + refused);
        assertArrayEquals(before, Files.readAllBytes(in.resolve("chelsea.png")));
    }

    /**
     * Protect Folder... takes its strength as Mask Style... does, from the same slider and macro key
     * ({@code strength}), and a macro recorded with its former preset choice ({@code preset=}) means what it meant.
     */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void protectFolderTakesTheStrengthAsMaskStyleDoesAndOldPresetMacrosStillWork(@TempDir Path tmp)
            throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path in = Files.createDirectories(tmp.resolve("in"));
        RealImageJ.writeChelsea(in.resolve("cat.png"), 48);
        List<String[]> asked = List.of(new String[] {"strength=0.05", "low"}, new String[] {"strength=0.14", "high"},
                new String[] {"preset=high", "high"});
        StringBuilder macro = new StringBuilder();
        for (String[] a : asked) {
            macro.append("run(\"Protect Folder...\", \"input=[\" + ").append(RealImageJ.literal(in))
                    .append(" + \"] output=[\" + ").append(RealImageJ.literal(tmp.resolve(a[0].replace('=', '-'))))
                    .append(" + \"] mode=mask ").append(a[0]).append(" effort=fast decoy=pattern\");\n");
        }
        String log = ij.batch(macro + "print(\"" + AFTER + "\");\n");
        assertTrue(log.contains(AFTER), "ImageJ printed: " + log);
        for (String[] a : asked) {
            assertEquals(a[1], MetadataReader.read(tmp.resolve(a[0].replace('=', '-')).resolve("cat.png"))
                    .provenance().preset(), a[0] + "; ImageJ printed: " + log);
        }
    }

    /**
     * A 16-bit colour TIFF, which ImageJ opens as a composite of three channels, protected from a {@code -batch} macro
     * without {@code stack}: as one colour picture (its latent moves toward the decoy as ImageJ shows it), into a
     * 16-bit composite; Save Protected As writes it as the colour image it is, and the macro ends.
     */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void aSixteenBitColourTiffIsProtectedAsOneColourPicture(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path tiff = tmp.resolve("colour.tif");
        ImageIO.write(RealImageJ.sixteenBitColour(RealImageJ.writeChelsea(tmp.resolve("chelsea.png"), 96)), "tiff",
                tiff.toFile());
        Path shown = tmp.resolve("shown.png");
        Path png = tmp.resolve("colour.protected.png");
        Path protectedTiff = tmp.resolve("colour.protected.tif");
        String log = ij.batch("open(" + RealImageJ.literal(tiff) + ");\n"
                + "run(\"Duplicate...\", \"title=shown duplicate\");\n"
                + "saveAs(\"PNG\", " + RealImageJ.literal(shown) + ");\n"
                + "close();\n"
                + "selectImage(\"colour.tif\");\n"
                + "run(\"Mask Style...\", \"strength=0.14 decoy=pattern seed=7 steps=3\");\n"
                + "getDimensions(w, h, channels, slices, frames);\n"
                + "print(\"result: \" + getTitle() + \", composite \" + is(\"composite\") + \", \" + bitDepth()"
                + " + \"-bit, \" + channels + \" channels\");\n"
                + "run(\"Save Protected As...\", \"path=[\" + " + RealImageJ.literal(png) + " + \"]\");\n"
                + "run(\"Save Protected As...\", \"path=[\" + " + RealImageJ.literal(protectedTiff) + " + \"]\");\n"
                + "print(\"" + AFTER + "\");\n");
        assertTrue(log.contains(AFTER), "the macro stopped before its end; ImageJ printed: " + log);
        assertTrue(log.contains("result: colour.tif (protected), composite 1, 16-bit, 3 channels"),
                "the result is not a 16-bit colour composite; ImageJ printed: " + log);

        Raster saved = ImageIO.read(protectedTiff.toFile()).getRaster();
        assertEquals(3, saved.getNumBands(), "the saved TIFF is not one colour image");
        assertEquals(16, saved.getSampleModel().getSampleSize(0), "the saved TIFF lost its 16 bits");
        ModelStore store = ModelStore.standard(SharedData.path("models"));
        Verifier verifier = new Verifier(List.of(store.surrogate("taef2"), store.surrogate("taesana")),
                new OrtRuntime(1), 512);
        double closeness = verifier.verify(ImageTensors.fromImage(ImageIO.read(shown.toFile())),
                ImageTensors.fromImage(ImageIO.read(png.toFile())), ProtectionTarget.mask(Decoy.PATTERN, 7), true)
                .primaryCloseness();
        System.out.println("ImageJ 16-bit colour TIFF: closeness " + closeness + " as shown");
        assertTrue(closeness > 0.05, "the colour picture's latent barely moved toward the decoy: " + closeness);
    }

    /** Runs a command that writes {@code file} on its standard output, failing the test when it fails. */
    private static void run(Path file, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectOutput(file.toFile()).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + " failed (it needs libjpeg-turbo-progs and webp): "
                + err);
    }
}
