package org.scrim.engine.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.scrim.engine.c2pa.ManifestReader;
import org.scrim.engine.c2pa.TrainingMining;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.testing.CraftedPng;

class MetadataWriterTest {
    /** The inputs: each supported container, WebP both lossless and lossy (different image chunks). */
    enum Kind { PNG, JPEG, TIFF, WEBP_LOSSLESS, WEBP_LOSSY }

    private static final NoAiTags FULL = new NoAiTags(DataMining.PROHIBITED_GEN_AI_ML_TRAINING,
            "No training, no \"style\" models <ever> & no scraping", List.of("Ada Lovelace", "Zoë Ünal"),
            "© 2024 Ada Lovelace & Zoë Ünal", "https://example.org/rights?a=1&b=2",
            new Provenance("encoder-pgd", "strong", "taef2-encoder", "1.2.3", "mosaic", 7L));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void exiftoolReadsEveryFieldAndTheInputsOwnMetadataSurvives(Kind kind) throws Exception {
        Path in = inputWithForeignMetadata(kind);
        byte[] icc = Tools.exiftoolBinary(in, "ICC_Profile");
        Path out = dir.resolve("out").resolve(in.getFileName());

        MetadataWriter.tag(in, out, FULL);

        JsonObject tags = Tools.exiftoolJson(out);
        assertEquals(FULL.dataMining().uri(), str(tags, "XMP-plus:DataMining"));
        assertEquals(FULL.otherConstraints(), str(tags, "XMP-plus:OtherConstraints"));
        assertEquals("[\"Ada Lovelace\",\"Zoë Ünal\"]", tags.get("XMP-dc:Creator").toString());
        assertEquals(FULL.rights(), str(tags, "XMP-dc:Rights"));
        assertEquals("true", str(tags, "XMP-xmpRights:Marked").toLowerCase());
        assertEquals(FULL.webStatement(), str(tags, "XMP-xmpRights:WebStatement"));
        assertEquals("encoder-pgd", str(tags, "XMP-scrim:Protection"));
        assertEquals("strong", str(tags, "XMP-scrim:Preset"));
        assertEquals("taef2-encoder", str(tags, "XMP-scrim:Model"));
        assertEquals("1.2.3", str(tags, "XMP-scrim:Version"));
        assertEquals("mosaic", str(tags, "XMP-scrim:Decoy"));
        assertEquals("7", str(tags, "XMP-scrim:Seed"));
        // What the input already carried.
        assertEquals("Original title", str(tags, "XMP-dc:Title"));
        assertEquals("Krita 5.1", str(tags, "XMP-xmp:CreatorTool"));
        assertEquals("Original Artist", str(tags, "IFD0:Artist"));
        assertTrue(icc.length > 100, "the input was given an ICC profile");
        assertArrayEquals(icc, Tools.exiftoolBinary(out, "ICC_Profile"), "ICC profile changed");
        if (kind == Kind.PNG) {
            // exiftool 12.57 takes the JUMBF box at offset 8 of the caBX chunk for the IFD0 at offset 8 of eXIf and
            // skips the later one; the manifest is checked by ManifestReader (and the C2PA SDK in the CLI tests).
            assertTrue(!tags.has("ExifTool:Warning") || str(tags, "ExifTool:Warning")
                    .equals("JUMBFBox pointer references previous IFD0 directory"), str(tags, "ExifTool:Warning"));
        } else {
            assertFalse(tags.has("ExifTool:Warning"), () -> "exiftool warns: " + tags.get("ExifTool:Warning"));
        }
        if (kind == Kind.JPEG) {
            assertEquals("c2pa", str(tags, "JUMBF:JUMDLabel"), "exiftool sees the C2PA manifest store");
        }
        if (kind == Kind.PNG || kind == Kind.JPEG) {
            ManifestReader.Credentials c2pa = ManifestReader.read(Files.readAllBytes(out));
            assertEquals(ManifestReader.Status.VALID, c2pa.status(), c2pa.problem());
            assertEquals("notAllowed", c2pa.trainingMining().get(TrainingMining.AI_GENERATIVE_TRAINING));
        }

        EmbeddedTags read = MetadataReader.read(out);
        assertEquals(FULL.dataMining(), read.dataMining());
        assertEquals(FULL.otherConstraints(), read.otherConstraints());
        assertEquals(FULL.creators(), read.creators());
        assertEquals(FULL.rights(), read.rights());
        assertEquals(Boolean.TRUE, read.marked());
        assertEquals(FULL.webStatement(), read.webStatement());
        assertEquals(FULL.provenance(), read.provenance());
        assertTrue(read.prohibitsAiTraining());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void decodedPixelsAreUnchanged(Kind kind) throws Exception {
        Path in = inputWithForeignMetadata(kind);
        Path out = dir.resolve("tagged-" + in.getFileName());
        MetadataWriter.tag(in, out, FULL);
        assertArrayEquals(decode(in), decode(out));
        if (kind == Kind.JPEG) {
            assertArrayEquals(entropyCodedData(Files.readAllBytes(in)), entropyCodedData(Files.readAllBytes(out)));
        }
        if (kind.name().startsWith("WEBP")) {
            // Also repairs the alpha flag exiftool 12.57 leaves unset in the VP8X header of the lossless input.
            assertTrue(webpinfoFindsNoError(out), "webpinfo finds errors in " + out);
        }
    }

    @Test
    void simpleWebPGainsAValidExtendedHeader() throws Exception {
        Path in = cwebp("simple.webp", "-lossless");
        assertEquals("VP8L", new String(Files.readAllBytes(in), 12, 4, StandardCharsets.US_ASCII));
        Path out = dir.resolve("simple-tagged.webp");
        MetadataWriter.tag(in, out, FULL);

        byte[] b = Files.readAllBytes(out);
        assertEquals("VP8X", new String(b, 12, 4, StandardCharsets.US_ASCII));
        assertEquals(0x10 | 0x04, b[20] & 0xFF, "VP8X flags: alpha and XMP");
        assertEquals(39, (b[24] & 0xFF) | (b[25] & 0xFF) << 8, "canvas width - 1");
        assertEquals(27, (b[27] & 0xFF) | (b[28] & 0xFF) << 8, "canvas height - 1");
        assertTrue(webpinfoFindsNoError(out), "webpinfo finds errors in " + out);
        assertArrayEquals(decode(in), decode(out));
        assertEquals(FULL.dataMining().uri(), str(Tools.exiftoolJson(out), "XMP-plus:DataMining"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void retaggingReplacesScrimsValuesAndKeepsFieldsNotGivenAgain(Kind kind) throws Exception {
        Path in = inputWithForeignMetadata(kind);
        Path once = dir.resolve("once-" + in.getFileName());
        Path twice = dir.resolve("twice-" + in.getFileName());
        MetadataWriter.tag(in, once, FULL);
        NoAiTags second = NoAiTags.prohibitAiTraining(Provenance.metadataOnly());
        MetadataWriter.tag(once, twice, second);

        String xmp = new String(Tools.exiftoolBinary(twice, "XMP"), StandardCharsets.UTF_8);
        assertEquals(1, count(xmp, "<plus:DataMining"), xmp);
        assertEquals(0, count(xmp, "scrim:Preset"), "the first run's preset must not linger: " + xmp);
        EmbeddedTags read = MetadataReader.read(twice);
        assertEquals(DataMining.PROHIBITED_AI_ML_TRAINING, read.dataMining());
        assertEquals(FULL.creators(), read.creators());
        assertEquals(FULL.rights(), read.rights());
        assertEquals(Provenance.metadataOnly(), read.provenance());

        // A third identical run changes nothing: the packet does not grow. (The C2PA manifest names the file it
        // was made from, twice-... then thrice-..., so the files themselves differ.)
        Path thrice = dir.resolve("thrice-" + in.getFileName());
        MetadataWriter.tag(twice, thrice, second);
        assertArrayEquals(Tools.exiftoolBinary(twice, "XMP"), Tools.exiftoolBinary(thrice, "XMP"));
    }

    @Test
    void fileWithoutAnyMetadataGetsAFreshPacket() throws Exception {
        Path in = dir.resolve("plain.png");
        ImageIO.write(randomImage(BufferedImage.TYPE_INT_ARGB), "png", in.toFile());
        assertFalse(MetadataReader.read(in).hasXmp());
        Path out = dir.resolve("plain-tagged.png");
        MetadataWriter.tag(in, out, NoAiTags.prohibitAiTraining(Provenance.metadataOnly()));
        assertEquals(DataMining.PROHIBITED_AI_ML_TRAINING.uri(), str(Tools.exiftoolJson(out), "XMP-plus:DataMining"));
        assertArrayEquals(decode(in), decode(out));
    }

    @Test
    void refusesToOverwriteTheInputUnlessAsked() throws Exception {
        Path in = inputWithForeignMetadata(Kind.PNG);
        byte[] before = Files.readAllBytes(in);
        NoAiTags tags = NoAiTags.prohibitAiTraining(Provenance.metadataOnly());
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataWriter.tag(in, in, tags));
        assertTrue(e.getMessage().contains(in.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(in));

        MetadataWriter.tag(in, in, tags, true);
        assertEquals(DataMining.PROHIBITED_AI_ML_TRAINING, MetadataReader.read(in).dataMining());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(in), files.filter(p -> p.getFileName().toString().contains("tmp")
                    || p.equals(in)).toList(), "temporary files left behind");
        }
    }

    /** Found by fuzzing: Commons Imaging puts the packet after such a file's scan, where no reader looks. */
    @Test
    void jpegWithItsScanBeforeAnyHeaderIsRefusedNotWrittenLookingTagged() throws Exception {
        Path in = Files.write(dir.resolve("scan-first.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF,
                (byte) 0xDA, 0, 2});
        Path out = dir.resolve("o.jpg");
        MetadataException e = assertThrows(MetadataException.class,
                () -> MetadataWriter.tag(in, out, NoAiTags.prohibitAiTraining(Provenance.metadataOnly())));
        assertTrue(e.getMessage().startsWith(in.toString()) && e.getMessage().contains("no reader would find"),
                e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void unsupportedAndCorruptFilesFailNamingTheFile() throws Exception {
        NoAiTags tags = NoAiTags.prohibitAiTraining(Provenance.metadataOnly());
        Path text = Files.writeString(dir.resolve("notes.png"), "just text");
        MetadataException e = assertThrows(MetadataException.class,
                () -> MetadataWriter.tag(text, dir.resolve("o1.png"), tags));
        assertTrue(e.getMessage().startsWith(text.toString()) && e.getMessage().contains("not a PNG, JPEG"),
                e.getMessage());

        byte[] png = Files.readAllBytes(inputWithForeignMetadata(Kind.PNG));
        Path truncated = Files.write(dir.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        e = assertThrows(MetadataException.class, () -> MetadataWriter.tag(truncated, dir.resolve("o2.png"), tags));
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o2.png")));

        byte[] webp = Files.readAllBytes(inputWithForeignMetadata(Kind.WEBP_LOSSLESS));
        Path cut = Files.write(dir.resolve("cut.webp"), Arrays.copyOf(webp, webp.length - 9));
        e = assertThrows(MetadataException.class, () -> MetadataWriter.tag(cut, dir.resolve("o3.webp"), tags));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }

    /** A few KB whose compressed XMP inflates to 64 MiB: refused naming the file, and the batch goes on. */
    @Test
    void metadataBombIsRefusedAndTheBatchGoesOn() throws Exception {
        Path bomb = Files.write(dir.resolve("bomb.png"), CraftedPng.withChunk(CraftedPng.plain(), "iTXt",
                CraftedPng.compressedXmpITxt(64L << 20)));
        Path good = Files.write(dir.resolve("good.png"), CraftedPng.plain());
        IOException e = assertThrows(IOException.class, () -> MetadataReader.read(bomb));
        assertTrue(e.getMessage().startsWith(bomb.toString()) && e.getMessage().contains("inflates to more than"),
                e.getMessage());

        Path out = Files.createDirectory(dir.resolve("out"));
        List<Path> failed = new java.util.ArrayList<>();
        int failures = MetadataWriter.tagEach(List.of(bomb, good), out, FULL, new MetadataWriter.BatchListener() {
            @Override
            public void tagged(Path file) {}

            @Override
            public void replacedCredentials(Path in, String note) {}

            @Override
            public void failed(Path in, IOException error) {
                failed.add(in);
            }
        });
        assertEquals(1, failures);
        assertEquals(List.of(bomb), failed);
        assertTrue(MetadataReader.read(out.resolve("good.png")).prohibitsAiTraining());
        assertFalse(Files.exists(out.resolve("bomb.png")));
    }

    @Test
    void brokenExistingXmpIsReportedNotReplaced() throws Exception {
        Path in = inputWithForeignMetadata(Kind.PNG);
        // A packet with a DOCTYPE (the door to external entities) must be refused, not parsed or dropped.
        byte[] evil = PngChunks.replaceXmp(Files.readAllBytes(in),
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">&e;"
                        + "</x:xmpmeta>");
        Path bad = Files.write(dir.resolve("doctype.png"), evil);
        MetadataException e = assertThrows(MetadataException.class,
                () -> MetadataWriter.tag(bad, dir.resolve("o.png"), FULL));
        assertTrue(e.getMessage().contains("not well-formed") || e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    // ---- inputs -------------------------------------------------------------------------------------------

    private Path inputWithForeignMetadata(Kind kind) throws Exception {
        Path file = switch (kind) {
            case PNG -> write(randomImage(BufferedImage.TYPE_INT_ARGB), "png", "in.png");
            case JPEG -> write(randomImage(BufferedImage.TYPE_INT_RGB), "jpeg", "in.jpg");
            case TIFF -> write(randomImage(BufferedImage.TYPE_INT_RGB), "tiff", "in.tif");
            case WEBP_LOSSLESS -> cwebp("in-lossless.webp", "-lossless");
            case WEBP_LOSSY -> cwebp("in-lossy.webp", "-q", "80");
        };
        Path icc = dir.resolve("linear.icc");
        if (!Files.exists(icc)) {
            Files.write(icc, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        }
        Tools.exiftoolWrite(file, "-ICC_Profile<=" + icc, "-EXIF:Artist=Original Artist",
                "-XMP-dc:Title=Original title", "-XMP-xmp:CreatorTool=Krita 5.1");
        return file;
    }

    private Path write(BufferedImage image, String format, String name) throws IOException {
        Path p = dir.resolve(name);
        assertTrue(ImageIO.write(image, format, p.toFile()), "no ImageIO writer for " + format);
        return p;
    }

    private Path cwebp(String name, String... options) throws Exception {
        Path png = write(randomImage(BufferedImage.TYPE_INT_ARGB), "png", name + ".png");
        Path out = dir.resolve(name);
        String[] cmd = new String[options.length + 5];
        cmd[0] = Tools.require("cwebp", "webp").toString();
        cmd[1] = "-quiet";
        System.arraycopy(options, 0, cmd, 2, options.length);
        cmd[options.length + 2] = png.toString();
        cmd[options.length + 3] = "-o";
        cmd[options.length + 4] = out.toString();
        Tools.run(cmd);
        return out;
    }

    /** Smooth gradients with noise and, for ARGB, varying alpha: compresses like a picture, exercises alpha. */
    private static BufferedImage randomImage(int type) {
        Random rnd = new Random(7);
        BufferedImage img = new BufferedImage(40, 28, type);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int a = type == BufferedImage.TYPE_INT_ARGB ? 128 + x * 3 : 255;
                img.setRGB(x, y, a << 24 | (x * 6 + rnd.nextInt(8)) << 16 | (y * 9) << 8 | rnd.nextInt(256));
            }
        }
        return img;
    }

    // ---- checks -------------------------------------------------------------------------------------------

    /** Decoded pixels: ImageIO for PNG, JPEG and TIFF, libwebp's dwebp (as PAM, with alpha) for WebP. */
    private byte[] decode(Path file) throws Exception {
        if (file.toString().endsWith(".webp")) {
            Path pam = dir.resolve(file.getFileName() + ".pam");
            Tools.run(Tools.require("dwebp", "webp").toString(), "-quiet", "-pam", file.toString(), "-o",
                    pam.toString());
            return Files.readAllBytes(pam);
        }
        BufferedImage img = ImageIO.read(file.toFile());
        int[] argb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(argb.length * 4);
        b.asIntBuffer().put(argb);
        return b.array();
    }

    private static boolean webpinfoFindsNoError(Path webp) throws Exception {
        Process p = new ProcessBuilder(Tools.require("webpinfo", "webp").toString(), webp.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 && report.contains("No error detected");
    }

    /** The JPEG's scan data: from the first SOS marker to the end, which a metadata edit must not touch. */
    private static byte[] entropyCodedData(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
                return Arrays.copyOfRange(jpeg, i, jpeg.length);
            }
        }
        throw new AssertionError("no SOS marker");
    }

    private static String str(JsonObject tags, String key) {
        assertTrue(tags.has(key), () -> "exiftool found no " + key + " in " + tags);
        return tags.get(key).getAsString();
    }

    private static int count(String haystack, String needle) {
        return haystack.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    /** A failure while staging a tagged output names the output the user asked for, not the hidden staging file. */
    @Test
    void aFailedTaggedWriteNamesTheOutputNotTheStagingFile() throws Exception {
        Path out = dir.resolve("art.png");
        IOException e = assertThrows(IOException.class, () -> MetadataWriter.writeTagged(out, staged -> {
            throw new IOException(staged + ": cannot write PNG (disk trouble)");
        }, NoAiTags.prohibitAiTraining(Provenance.metadataOnly())));
        assertEquals(out.toAbsolutePath() + ": cannot write PNG (disk trouble)", e.getMessage());
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "the staging file is gone");
        }
    }

    /**
     * An image that does not decode whole (here cut short, as a faulty encoder or a full disk leaves it) never
     * replaces what is at the output: the earlier file stays, byte for byte, and no staging file is left.
     */
    @Test
    void anImageThatDoesNotDecodeWholeReplacesNothing() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("readback"));
        Path out = folder.resolve("art.jpg");
        ImageIO.write(org.scrim.engine.imageio.TestImages.smooth(96, 64, ColorSpace.getInstance(ColorSpace.CS_sRGB)),
                "jpeg", out.toFile());
        byte[] earlier = Files.readAllBytes(out);
        byte[] cut = Arrays.copyOf(earlier, earlier.length * 2 / 3);
        IOException e = assertThrows(IOException.class, () -> MetadataWriter.writeTagged(out,
                staged -> Files.write(staged, cut), NoAiTags.prohibitAiTraining(Provenance.metadataOnly())));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("does not decode back whole"),
                e.getMessage());
        assertArrayEquals(earlier, Files.readAllBytes(out));
        try (var files = Files.list(folder)) {
            assertEquals(List.of(out), files.toList());
        }
    }

    /** A TIFF of 3000 chained pages is one named failure for reading and tagging, not a stack overflow. */
    @Test
    void aLongTiffPageChainIsANamedFailure() throws Exception {
        Path pages = Files.write(dir.resolve("pages.tif"), org.scrim.engine.imageio.TestImages.tiffPageChain(3000));
        MetadataException read = assertThrows(MetadataException.class, () -> MetadataReader.read(pages));
        assertTrue(read.getMessage().contains(pages.toString()) && read.getMessage().contains("more than 256 pages"),
                read.getMessage());
        Path out = dir.resolve("pages.tagged.tif");
        MetadataException tag = assertThrows(MetadataException.class,
                () -> MetadataWriter.tag(pages, out, NoAiTags.prohibitAiTraining(Provenance.metadataOnly())));
        assertTrue(tag.getMessage().contains(pages.toString()), tag.getMessage());
        assertFalse(Files.exists(out));
    }
}
