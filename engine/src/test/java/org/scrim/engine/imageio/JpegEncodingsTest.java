package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scrim.engine.testing.SharedData;

/**
 * JPEGs as real-world encoders write them (libjpeg-turbo's cjpeg and jpegtran, the code inside GIMP, ImageMagick,
 * Krita and most web pipelines): each is read, written back and must decode whole and close to what was read. A
 * source's optimised Huffman tables once went into the output unchanged, which corrupted it.
 */
class JpegEncodingsTest {
    @TempDir
    static Path dir;
    private static Path pixels;

    /** A 240-px copy of a shared photograph as a PPM, the input cjpeg takes. */
    @BeforeAll
    static void sourcePixels() throws Exception {
        pixels = dir.resolve("source.ppm");
        Files.write(pixels, run(tool("djpeg"), "-scale", "1/4", "-pnm",
                SharedData.path("images/shipwreck.jpg").toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-optimize", "-progressive", "-restart 1", "-restart 4B -optimize", "-sample 1x1",
            "-sample 2x2", "-sample 2x1 -optimize", "-grayscale -optimize", "-quality 60 -progressive -optimize",
            "-dct float -optimize"})
    void writtenBackWholeAndClose(String cjpegOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool("cjpeg")));
        command.addAll(List.of(cjpegOptions.split(" ")));
        command.add(pixels.toString());
        Path source = dir.resolve("source.jpg");
        Files.write(source, run(command.toArray(String[]::new)));
        assertRoundTrip(source);
    }

    /** jpegtran's lossless re-coding with optimised tables: how "optimise" in many tools is done to a JPEG. */
    @Test
    void jpegtranOptimisedSharedPhotoIsWrittenBackWhole() throws Exception {
        Path source = dir.resolve("jpegtran.jpg");
        Files.write(source, run(tool("jpegtran"), "-optimize", "-copy", "all",
                SharedData.path("images/rocket.jpg").toString()));
        assertRoundTrip(source);
    }

    @Test
    void arithmeticCodedJpegIsRefusedByName() throws Exception {
        Path source = dir.resolve("arithmetic.jpg");
        Files.write(source, run(tool("cjpeg"), "-arithmetic", pixels.toString()));
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> ImageFiles.read(source));
        assertTrue(e.getMessage().contains(source.toString()) && e.getMessage().contains("arithmetic-coded"),
                e.getMessage());
    }

    /**
     * Adobe CMYK and YCCK JPEGs (print workflows) are refused by name, not decoded as something they are not: four
     * components as the JDK writes them, with Adobe's APP14 segment naming the transform (0 CMYK, 2 YCCK).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void cmykAndYcckJpegsAreRefusedByName(int adobeTransform) throws Exception {
        WritableRaster fourComponents = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 32, 32, 4, null);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                fourComponents.setPixel(x, y, new int[] {x * 8, y * 8, 128, 40});
            }
        }
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(encoded)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(fourComponents, null, null), null);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = encoded.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0,
                (byte) adobeTransform};
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(jpeg, 0, 2); // SOI
        file.write(adobe);
        file.write(jpeg, 2, jpeg.length - 2);
        Path source = Files.write(dir.resolve("adobe-" + adobeTransform + ".jpg"), file.toByteArray());
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> ImageFiles.read(source));
        assertTrue(e.getMessage().contains(source.toString()) && e.getMessage().contains("CMYK"), e.getMessage());
    }

    /** Read, written back as JPEG, then decoded whole by Scrim and by libjpeg, within JPEG's loss of the source. */
    private static void assertRoundTrip(Path source) throws Exception {
        PlanarImage read = ImageFiles.read(source);
        Path written = dir.resolve("written.jpg");
        ImageFiles.write(read, written);
        run(tool("djpeg"), "-outfile", dir.resolve("check.pnm").toString(), written.toString());
        PlanarImage back = ImageFiles.read(written);
        assertEquals(read.width(), back.width());
        assertEquals(read.height(), back.height());
        float[] a = read.colour().data();
        float[] b = back.colour().data();
        double squared = 0;
        for (int i = 0; i < a.length; i++) {
            squared += (a[i] - b[i]) * (a[i] - b[i]);
        }
        double psnr = 10 * Math.log10(a.length / squared);
        assertTrue(psnr > 30, source + " written back at " + psnr + " dB PSNR");
    }

    private static String tool(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(folder, name))) {
                return Path.of(folder, name).toString();
            }
        }
        return fail(name + " is needed by the JPEG encodings tests and is not installed: apt-get install -y "
                + "libjpeg-turbo-progs");
    }

    private static byte[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed: " + err);
        return out;
    }
}
