package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.imageio.TestImages;
import org.scrim.engine.testing.ReadOnlyFolder;
import org.scrim.engine.testing.SharedData;

/** The main job end to end through the command line, on small files so it stays quick. */
class ProtectCommandTest {
    @TempDir
    Path dir;
    private Path input;
    private byte[] inputBytes;

    /** A 16-bit RGBA PNG with a linear-RGB ICC profile: everything a careless writer would lose. */
    @BeforeEach
    void makeInput() throws IOException {
        IIOMetadataNode tree = new IIOMetadataNode("javax_imageio_png_1.0");
        tree.appendChild(TestImages.iccpNode("linear", ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData()));
        input = TestImages.write(TestImages.random(72, 56, 3, true, 16, TestImages.linearRgb(), 5), "png",
                dir.resolve("art.png"), tree);
        inputBytes = Files.readAllBytes(input);
    }

    /** Runs scrim with the shared models and returns {exit code, stdout}. */
    static Object[] scrim(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--model-dir", SharedData.path("models").toString(), "--threads", "2"));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            int code = ScrimCommand.commandLine().execute(all.toArray(String[]::new));
            return new Object[] {code, out.toString()};
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void protectsKeepsBitDepthAlphaAndIccTagsAndReportsJson() throws Exception {
        Path out = dir.resolve("art-protected.png");
        Object[] r = scrim("protect", input.toString(), "-o", out.toString(), "--preset", "high", "--decoy",
                "pattern", "--steps", "3", "--json", "--progress", "none", "--creator", "Ann Artist");
        assertEquals(0, r[0], (String) r[1]);
        assertArrayEquals(inputBytes, Files.readAllBytes(input), "the input is never touched");

        JsonObject file = JsonParser.parseString((String) r[1]).getAsJsonObject().getAsJsonArray("files").get(0)
                .getAsJsonObject();
        assertTrue(file.get("ok").getAsBoolean(), file.toString());
        assertTrue(file.get("closeness").getAsDouble() > 0, "the latent moved toward the decoy: " + file);
        assertEquals("pattern", file.get("decoy").getAsString());

        PlanarImage before = ImageFiles.read(input);
        PlanarImage after = ImageFiles.read(out);
        assertEquals(16, after.bitDepth());
        assertArrayEquals(before.alphaSamples(), after.alphaSamples(), "alpha is untouched");
        assertArrayEquals(before.iccProfile(), after.iccProfile(), "the ICC profile is kept");
        assertTrue(before.colour().maxAbsDiff(after.colour()) > 0, "the colour carries the perturbation");

        JsonObject tags = exiftool(out);
        assertEquals("DMI-PROHIBITED-AIMLTRAINING", tags.get("XMP-plus:DataMining").getAsString()
                .replace("http://ns.useplus.org/ldf/vocab/", ""));
        assertEquals("pattern", tags.get("XMP-scrim:Decoy").getAsString());
        assertEquals("Ann Artist", tags.get("XMP-dc:Creator").getAsString());
    }

    @Test
    void sameSeedSameBytesAndVerifyReadsTheTargetFromTheFile() throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        for (Path out : List.of(a, b)) {
            Object[] r = scrim("protect", input.toString(), "-o", out.toString(), "--decoy", "mosaic", "--steps", "2",
                    "--seed", "9", "--no-verify", "--progress", "none");
            assertEquals(0, r[0], (String) r[1]);
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));

        Object[] v = scrim("verify", input.toString(), a.toString(), "--json", "--ai-view",
                dir.resolve("view.png").toString());
        assertEquals(0, v[0], (String) v[1]);
        JsonObject f = JsonParser.parseString((String) v[1]).getAsJsonObject().getAsJsonArray("files").get(0)
                .getAsJsonObject();
        assertEquals("decoy mosaic", f.get("target").getAsString());
        for (String key : List.of("closeness", "closeness_mirrored", "closeness_cropped", "closeness_jpeg75",
                "closeness_jpeg90", "closeness_downscale", "closeness_noise", "closeness_blur", "psnr", "ssim",
                "visibility", "butteraugli", "butteraugli_3norm", "seen")) {
            assertTrue(f.has(key), "verify reports " + key + ": " + f);
        }
        // what each view is, and the verdict names the weakest
        assertTrue(f.getAsJsonObject("views").get("closeness_mirrored").getAsString().endsWith("mirrored"),
                f.toString());
        assertTrue(f.get("verdict").getAsString().contains("weakest at "), f.toString());
        assertTrue(List.of("invisible at 100%", "faint on flat areas", "visible").contains(f.get("seen").getAsString()),
                "how visible, in words: " + f);
        // the default ensemble: each encoder's figures, and what TAEF2's decoder renders
        for (String encoder : List.of("taef2", "taesana")) {
            JsonObject e = f.getAsJsonObject("encoders").getAsJsonObject(encoder);
            assertTrue(e.has("closeness") && e.has("closeness_jpeg75") && e.has("closeness_downscale"), f.toString());
        }
        assertTrue(f.has("ai_view_closeness"), f.toString());
        assertEquals(2 * 72, javax.imageio.ImageIO.read(dir.resolve("view.png").toFile()).getWidth(),
                "the AI view shows clean and protected side by side");
    }

    @Test
    void neverReplacesTheInputUnlessAskedAndThenKeepsABackup() throws Exception {
        Object[] r = scrim("protect", input.toString(), "-o", input.toString(), "--steps", "1", "--decoy", "pattern",
                "--progress", "none");
        assertEquals(ScrimCommand.EXIT_USAGE, r[0]);
        assertArrayEquals(inputBytes, Files.readAllBytes(input));

        r = scrim("protect", input.toString(), "--in-place", "--steps", "1", "--decoy", "pattern", "--no-verify",
                "--progress", "none");
        assertEquals(0, r[0], (String) r[1]);
        assertArrayEquals(inputBytes, Files.readAllBytes(dir.resolve("art.png.orig")), "backup of the original");
        assertTrue(ImageFiles.read(input).colour().maxAbsDiff(ImageFiles.read(dir.resolve("art.png.orig")).colour())
                > 0);
    }

    @Test
    void badInputsAreReportedPerFileAndTheBatchGoesOn() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.png"), "not a png");
        Path outDir = dir.resolve("out");
        Object[] r = scrim("protect", broken.toString(), input.toString(), "--out-dir", outDir.toString(),
                "--steps", "1", "--decoy", "pattern", "--no-verify", "--json", "--progress", "none");
        assertEquals(ScrimCommand.EXIT_FAILED, r[0]);
        var files = JsonParser.parseString((String) r[1]).getAsJsonObject().getAsJsonArray("files");
        JsonObject bad = files.get(0).getAsJsonObject();
        assertTrue(!bad.get("ok").getAsBoolean() && bad.get("error").getAsString().contains("broken.png"),
                bad.toString());
        assertTrue(files.get(1).getAsJsonObject().get("ok").getAsBoolean());
        assertTrue(Files.exists(outDir.resolve("art.png")));
        assertTrue(!Files.exists(outDir.resolve("broken.png")), "no output for a failed file");
    }

    /** On OpenCL (PoCL in CI) the protection moves the latent as on the CPU; a missing device is a model error. */
    @Test
    void theOpenClBackendProtectsLikeTheCpuAndAMissingDeviceExitsWithTheModelCode() throws Exception {
        Path cpu = dir.resolve("cpu.png");
        Path opencl = dir.resolve("opencl.png");
        for (Path out : List.of(cpu, opencl)) {
            Object[] r = scrim("protect", input.toString(), "-o", out.toString(), "--decoy", "pattern", "--steps",
                    "2", "--seed", "3", "--json", "--progress", "none", "--backend",
                    out == cpu ? "cpu" : "opencl");
            assertEquals(0, r[0], (String) r[1]);
            JsonObject file = JsonParser.parseString((String) r[1]).getAsJsonObject().getAsJsonArray("files").get(0)
                    .getAsJsonObject();
            assertTrue(file.get("closeness").getAsDouble() > 0, out + ": the latent did not move: " + file);
        }
        float[] a = ImageFiles.read(cpu).colour().data();
        float[] b = ImageFiles.read(opencl).colour().data();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        assertTrue(sum / a.length < 1 / 255.0, "OpenCL and CPU protections differ by " + sum / a.length + " on average");

        Object[] r = scrim("protect", input.toString(), "--backend", "opencl", "--device", "nonesuch", "--progress",
                "none");
        assertEquals(ScrimCommand.EXIT_MODEL, r[0]);
    }

    /** A sparse safetensors file declaring 2 GiB: the model code and the reason, not an OutOfMemoryError. */
    @Test
    void aModelBombIsRefusedWithTheModelCode() throws Exception {
        long gib = 1L << 30;
        byte[] header = ("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + gib / 4 + "],\"data_offsets\":[0," + gib
                + "]},\"b\":{\"dtype\":\"F32\",\"shape\":[" + gib / 4 + "],\"data_offsets\":[" + gib + ","
                + 2 * gib + "]}}").getBytes(StandardCharsets.UTF_8);
        Path bomb = dir.resolve("bomb.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(bomb.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length).array());
            f.write(header);
            f.setLength(f.length() + 2 * gib);
        }
        StringWriter err = new StringWriter();
        int code = ScrimCommand.commandLine().setErr(new PrintWriter(err, true)).execute("protect",
                input.toString(), "--model", bomb.toString(), "--decoy", "pattern", "--progress", "none");
        assertEquals(ScrimCommand.EXIT_MODEL, code, err.toString());
        assertTrue(err.toString().contains(bomb + ": declares 2048 MiB of parameters"), err.toString());
        assertFalse(Files.exists(dir.resolve("art.protected.png")));
    }

    @Test
    void unknownModelExitsWithTheModelCode() {
        Object[] r = scrim("protect", input.toString(), "--model", "nonesuch", "--progress", "none");
        assertEquals(ScrimCommand.EXIT_MODEL, r[0]);
    }

    @Test
    void aReadOnlyOutputFolderIsNamedInTheErrorAndTheInputAndAnEarlierOutputStayIntact() throws Exception {
        Path outDir = Files.createDirectory(dir.resolve("out"));
        byte[] earlier = "an earlier result".getBytes(StandardCharsets.UTF_8);
        Files.write(outDir.resolve("art.png"), earlier);
        Object[] r;
        try (ReadOnlyFolder readOnly = ReadOnlyFolder.of(outDir)) {
            r = scrim("protect", input.toString(), "--out-dir", outDir.toString(), "--steps", "1", "--decoy",
                    "pattern", "--no-verify", "--json", "--progress", "none");
        }
        assertEquals(ScrimCommand.EXIT_FAILED, r[0], (String) r[1]);
        JsonObject file = JsonParser.parseString((String) r[1]).getAsJsonObject().getAsJsonArray("files").get(0)
                .getAsJsonObject();
        String error = file.get("error").getAsString();
        assertTrue(error.contains("cannot create a file in folder " + outDir), error);
        assertArrayEquals(inputBytes, Files.readAllBytes(input), "the input is never touched");
        assertArrayEquals(earlier, Files.readAllBytes(outDir.resolve("art.png")));
        try (Stream<Path> left = Files.list(outDir)) {
            assertEquals(List.of(outDir.resolve("art.png")), left.toList(), "no temporary files are left");
        }
    }

    static JsonObject exiftool(Path file) throws Exception {
        Process p = new ProcessBuilder("exiftool", "-j", "-G1", file.toString()).start();
        String json = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "exiftool (libimage-exiftool-perl) must be installed: " + json);
        return JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject();
    }
}
