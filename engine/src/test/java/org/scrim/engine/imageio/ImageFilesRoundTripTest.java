package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.metadata.IIOMetadataNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;
import org.w3c.dom.Node;

class ImageFilesRoundTripTest {
    @TempDir
    Path dir;

    /** Reads and writes back unchanged; the written file must decode to exactly the source's samples. */
    private PlanarImage assertExactRoundTrip(Path source, String outName) throws Exception {
        PlanarImage image = ImageFiles.read(source);
        Path out = dir.resolve(outName);
        ImageFiles.write(image, out);
        TestImages.assertSameSamples(TestImages.raster(source), TestImages.raster(out));
        return image;
    }

    @Test
    void sharedRgbPngRoundTripsExactly() throws Exception {
        PlanarImage image = assertExactRoundTrip(SharedData.path("images/astronaut.png"), "astronaut.png");
        assertEquals(3, image.channels());
        assertEquals(8, image.bitDepth());
        assertEquals(ImageFormat.PNG, image.format());
        assertEquals(512, image.width());
        RgbImage rgb = image.toRgb();
        assertArrayEquals(new long[] {1, 3, 512, 512}, rgb.tensor().shape());
        // Samples map to s/255: the first red sample of the file, read independently.
        int s = TestImages.raster(SharedData.path("images/astronaut.png")).getSample(0, 0, 0);
        assertEquals(s / 255f, rgb.data()[0]);
    }

    @Test
    void sixteenBitGrayPngRoundTripsExactly() throws Exception {
        Path png = TestImages.write(TestImages.random(37, 23, 1, false, 16, TestImages.gray(), 1), "png",
                dir.resolve("gray16.png"));
        PlanarImage image = assertExactRoundTrip(png, "gray16-out.png");
        assertEquals(1, image.channels());
        assertEquals(16, image.bitDepth());
        assertEquals(TestImages.raster(png).getSample(5, 7, 0) / 65535f, image.colour().data()[7 * 37 + 5]);
    }

    @Test
    void rgbaPngKeepsAlphaBitExactWhenColourChanges() throws Exception {
        Path png = TestImages.write(TestImages.random(40, 30, 3, true, 8, TestImages.srgb(), 2), "png",
                dir.resolve("rgba.png"));
        PlanarImage image = assertExactRoundTrip(png, "rgba-same.png");
        assertTrue(image.hasAlpha());

        Path out = dir.resolve("rgba-perturbed.png");
        ImageFiles.write(image.withRgb(perturb(image.toRgb(), 8f / 255f, 3)), out);
        Raster before = TestImages.raster(png);
        Raster after = TestImages.raster(out);
        assertArrayEquals(before.getSamples(0, 0, 40, 30, 3, (int[]) null), after.getSamples(0, 0, 40, 30, 3,
                (int[]) null), "alpha must be bit-exact");
        assertFalse(java.util.Arrays.equals(before.getSamples(0, 0, 40, 30, 0, (int[]) null),
                after.getSamples(0, 0, 40, 30, 0, (int[]) null)), "the colour change must reach the file");
    }

    @Test
    void sixteenBitGrayAlphaPngRoundTripsExactly() throws Exception {
        Path png = TestImages.write(TestImages.random(19, 11, 1, true, 16, TestImages.gray(), 4), "png",
                dir.resolve("graya16.png"));
        PlanarImage image = assertExactRoundTrip(png, "graya16-out.png");
        assertEquals(16, image.bitDepth());
        assertTrue(image.hasAlpha());
        assertEquals(TestImages.raster(png).getSample(3, 2, 1), image.alphaSamples()[2 * 19 + 3]);
    }

    @Test
    void tiffEightAndSixteenBitRoundTripExactly() throws Exception {
        Path tiff8 = TestImages.write(TestImages.random(33, 21, 3, false, 8, TestImages.srgb(), 5), "tiff",
                dir.resolve("rgb8.tif"));
        assertEquals(8, assertExactRoundTrip(tiff8, "rgb8-out.tif").bitDepth());
        Path tiff16 = TestImages.write(TestImages.random(33, 21, 3, true, 16, TestImages.srgb(), 6), "tiff",
                dir.resolve("rgba16.tiff"));
        PlanarImage image = assertExactRoundTrip(tiff16, "rgba16-out.tiff");
        assertEquals(ImageFormat.TIFF, image.format());
        assertEquals(16, image.bitDepth());
        assertTrue(image.hasAlpha());
    }

    @Test
    void paletteWithTransparencyIsExpandedToRgba() throws Exception {
        byte[] r = {0, (byte) 200, 10};
        byte[] g = {0, 100, (byte) 250};
        byte[] b = {0, 50, 30};
        byte[] a = {0, (byte) 255, (byte) 128};
        BufferedImage indexed = new BufferedImage(6, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 3, r, g, b, a));
        for (int i = 0; i < 24; i++) {
            indexed.getRaster().setSample(i % 6, i / 6, 0, i % 3);
        }
        Path png = TestImages.write(indexed, "png", dir.resolve("palette.png"));
        PlanarImage image = ImageFiles.read(png);
        assertEquals(3, image.channels());
        assertTrue(image.hasAlpha());
        Path out = dir.resolve("palette-out.png");
        ImageFiles.write(image, out);
        BufferedImage written = javax.imageio.ImageIO.read(out.toFile());
        for (int i = 0; i < 24; i++) {
            assertEquals(indexed.getRGB(i % 6, i / 6), written.getRGB(i % 6, i / 6), "pixel " + i);
        }
    }

    @Test
    void losslessWebpReadsExactlyAndWritesAsPng() throws Exception {
        // Made with: cwebp -lossless -exact rgba-lossless-source.png -o rgba-lossless.webp
        Path webp = TestImages.copyResource("rgba-lossless.webp", dir);
        Path source = TestImages.copyResource("rgba-lossless-source.png", dir);
        PlanarImage image = ImageFiles.read(webp);
        assertEquals(ImageFormat.WEBP, image.format());
        assertTrue(image.hasAlpha());
        Path out = dir.resolve("from-webp.png");
        ImageFiles.write(image, out);
        TestImages.assertSameSamples(TestImages.raster(source), TestImages.raster(out));
    }

    @Test
    void jpegRoundTripKeepsQualityAndChromaSubsampling() throws Exception {
        Path source = SharedData.path("images/rocket.jpg");
        PlanarImage image = ImageFiles.read(source);
        assertEquals(ImageFormat.JPEG, image.format());
        Path out = dir.resolve("rocket.jpg");
        ImageFiles.write(image, out);
        double psnr = TestImages.psnr(TestImages.raster(source), TestImages.raster(out));
        assertTrue(psnr > 38, "re-encoding at quality 95 must stay close to the source, PSNR " + psnr);
        assertEquals(samplingFactors(source), samplingFactors(out));
    }

    @Test
    void sameImageGivesSameBytes() throws Exception {
        PlanarImage image = ImageFiles.read(SharedData.path("images/chelsea.png"));
        PlanarImage perturbed = image.withRgb(perturb(image.toRgb(), 4f / 255f, 9));
        for (String ext : new String[] {"png", "jpg", "tif"}) {
            Path a = dir.resolve("a." + ext);
            Path b = dir.resolve("b." + ext);
            ImageFiles.write(perturbed, a);
            ImageFiles.write(perturbed, b);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), ext);
        }
    }

    @Test
    void quantisationRoundsToNearestAndClamps() {
        assertEquals(0, ImageFiles.quantise(0.49f / 255f, 255));
        assertEquals(1, ImageFiles.quantise(0.51f / 255f, 255));
        assertEquals(128, ImageFiles.quantise(127.6f / 255f, 255));
        assertEquals(0, ImageFiles.quantise(-0.3f, 255));
        assertEquals(255, ImageFiles.quantise(1.7f, 255));
        assertEquals(65535, ImageFiles.quantise(1f, 65535));
    }

    @Test
    void grayImageGoesToRgbReplicatedAndBackAsTheMean() throws Exception {
        Path png = TestImages.write(TestImages.random(8, 5, 1, false, 8, TestImages.gray(), 7), "png",
                dir.resolve("gray8.png"));
        PlanarImage image = ImageFiles.read(png);
        RgbImage rgb = image.toRgb();
        float[] d = rgb.data();
        int plane = 40;
        assertEquals(d[3], d[plane + 3]);
        assertEquals(d[3], d[2 * plane + 3]);
        d[3] = 0.1f;
        d[plane + 3] = 0.2f;
        d[2 * plane + 3] = 0.6f;
        PlanarImage changed = image.withRgb(rgb);
        assertEquals(0.3f, changed.colour().data()[3], 1e-6f);
        assertEquals(1, changed.channels());
        assertNotEquals(image.colour().data()[3], changed.colour().data()[3]);
    }

    /** Adds random +-amplitude noise, as a protection would. */
    static RgbImage perturb(RgbImage t, float amplitude, long seed) {
        RgbImage out = t.copy();
        Random random = new Random(seed);
        float[] d = out.data();
        for (int i = 0; i < d.length; i++) {
            d[i] += random.nextBoolean() ? amplitude : -amplitude;
        }
        return out;
    }

    /** "H:V" sampling factors of each component in the JPEG's SOF. */
    private static String samplingFactors(Path jpeg) throws Exception {
        Node root = TestImages.metadata(jpeg).getAsTree("javax_imageio_jpeg_image_1.0");
        StringBuilder sb = new StringBuilder();
        collect(root, sb);
        assertFalse(sb.isEmpty(), "no SOF in " + jpeg);
        return sb.toString();
    }

    private static void collect(Node node, StringBuilder sb) {
        if (node.getNodeName().equals("componentSpec")) {
            IIOMetadataNode spec = (IIOMetadataNode) node;
            sb.append(spec.getAttribute("HsamplingFactor")).append(':')
                    .append(spec.getAttribute("VsamplingFactor")).append(' ');
        }
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            collect(c, sb);
        }
    }

    /**
     * A CCITT G4 (fax) TIFF is bilevel: read as 8-bit gray, it is written back with LZW, since fax compression cannot
     * hold the gray levels a perturbation adds (the write used to fail after the whole protection).
     */
    @Test
    void faxCompressedTiffIsWrittenBackLosslessly() throws Exception {
        BufferedImage bilevel = new BufferedImage(40, 24, BufferedImage.TYPE_BYTE_BINARY);
        Random random = new Random(3);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                bilevel.setRGB(x, y, random.nextBoolean() ? 0xffffff : 0);
            }
        }
        Path g4 = dir.resolve("fax.tif");
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("tiff").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("CCITT T.6");
        try (var out = javax.imageio.ImageIO.createImageOutputStream(g4.toFile())) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(bilevel, null, null), param);
        } finally {
            writer.dispose();
        }
        PlanarImage image = ImageFiles.read(g4);
        Path out = dir.resolve("fax-again.tif");
        ImageFiles.write(image, out);
        PlanarImage again = ImageFiles.read(out);
        assertArrayEquals(image.colour().data(), again.colour().data(), 0f, "the gray samples are kept exactly");
        Raster source = TestImages.raster(g4);
        assertEquals(source.getSample(7, 5, 0) * 255, TestImages.raster(out).getSample(7, 5, 0),
                "white stays white, black stays black");
    }
}
