package org.scrim.engine.imageio;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/** Test images made in code with javax.imageio, independent of the code under test, and exiftool access. */
public final class TestImages {
    private TestImages() {}

    /** A random image of the given layout: channels colour components (1 or 3), optional alpha, 8 or 16 bits. */
    public static BufferedImage random(int w, int h, int channels, boolean alpha, int bits, ColorSpace cs, long seed) {
        ComponentColorModel cm = new ComponentColorModel(cs, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                bits == 16 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        Random random = new Random(seed);
        int bands = channels + (alpha ? 1 : 0);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    raster.setSample(x, y, b, random.nextInt(1 << bits));
                }
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** A smooth 8-bit RGB image: JPEG re-encodes it faithfully, unlike noise. */
    public static BufferedImage smooth(int w, int h, ColorSpace cs) {
        BufferedImage image = random(w, h, 3, false, 8, cs, 0);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, 255 * x / w);
                raster.setSample(x, y, 1, 255 * y / h);
                raster.setSample(x, y, 2, 128 + (int) (100 * Math.sin((x + y) / 9.0)));
            }
        }
        return image;
    }

    public static ColorSpace gray() {
        return ColorSpace.getInstance(ColorSpace.CS_GRAY);
    }

    public static ColorSpace srgb() {
        return ColorSpace.getInstance(ColorSpace.CS_sRGB);
    }

    /** A non-default RGB profile, so an embedded profile is distinguishable from "none". */
    public static ICC_ColorSpace linearRgb() {
        return new ICC_ColorSpace(ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB));
    }

    /** A PNG iCCP node as the JDK's PNG metadata wants it: the profile deflated, as in the file. */
    public static IIOMetadataNode iccpNode(String name, byte[] profile) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream deflater = new java.util.zip.DeflaterOutputStream(out)) {
            deflater.write(profile);
        }
        IIOMetadataNode iccp = new IIOMetadataNode("iCCP");
        iccp.setAttribute("profileName", name);
        iccp.setAttribute("compressionMethod", "deflate");
        iccp.setUserObject(out.toByteArray());
        return iccp;
    }

    /** Writes with the JDK writer; {@code nativeTree} (may be null) is merged into the default metadata. */
    public static Path write(BufferedImage image, String format, Path file, IIOMetadataNode nativeTree) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image),
                    writer.getDefaultWriteParam());
            if (nativeTree != null) {
                metadata.mergeTree(metadata.getNativeMetadataFormatName(), nativeTree);
            }
            writer.write(new IIOImage(image, null, metadata));
        } finally {
            writer.dispose();
        }
        return file;
    }

    public static Path write(BufferedImage image, String format, Path file) throws IOException {
        return write(image, format, file, null);
    }

    /** The decoded raster as the JDK sees it, to compare files sample by sample. */
    public static Raster raster(Path file) throws IOException {
        return ImageIO.read(file.toFile()).getRaster();
    }

    static IIOMetadata metadata(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            return reader.getImageMetadata(0);
        }
    }

    static void assertSameSamples(Raster expected, Raster actual) {
        if (expected.getWidth() != actual.getWidth() || expected.getHeight() != actual.getHeight()
                || expected.getNumBands() != actual.getNumBands()) {
            throw new AssertionError("layout differs: " + expected.getWidth() + "x" + expected.getHeight() + "x"
                    + expected.getNumBands() + " vs " + actual.getWidth() + "x" + actual.getHeight() + "x"
                    + actual.getNumBands());
        }
        for (int b = 0; b < expected.getNumBands(); b++) {
            int[] e = expected.getSamples(0, 0, expected.getWidth(), expected.getHeight(), b, (int[]) null);
            int[] a = actual.getSamples(0, 0, actual.getWidth(), actual.getHeight(), b, (int[]) null);
            for (int i = 0; i < e.length; i++) {
                if (e[i] != a[i]) {
                    throw new AssertionError("band " + b + " sample " + i + ": expected " + e[i] + ", got " + a[i]);
                }
            }
        }
    }

    /** PSNR in dB of 8-bit samples, over all bands. */
    static double psnr(Raster a, Raster b) {
        double sum = 0;
        long n = 0;
        for (int band = 0; band < a.getNumBands(); band++) {
            int[] x = a.getSamples(0, 0, a.getWidth(), a.getHeight(), band, (int[]) null);
            int[] y = b.getSamples(0, 0, b.getWidth(), b.getHeight(), band, (int[]) null);
            for (int i = 0; i < x.length; i++) {
                sum += (x[i] - y[i]) * (double) (x[i] - y[i]);
                n++;
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (sum / n));
    }

    /** Runs exiftool (installed at /usr/bin/exiftool on the project's machines) and returns its output. */
    static String exiftool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("exiftool");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new AssertionError("exiftool " + args[0] + " failed: " + out);
        }
        return out;
    }

    static Path copyResource(String name, Path dir) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = TestImages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            Files.copy(in, file);
        }
        return file;
    }

    /**
     * A little-endian TIFF of {@code pages} 1x1 gray pages, each directory pointing to the next, all sharing one
     * pixel: the shape of a crafted chain that a recursive reader follows until its stack overflows.
     */
    public static byte[] tiffPageChain(int pages) {
        int[][] entries = {{256, 3, 1}, {257, 3, 1}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1}, {273, 4, -1}, {278, 3, 1},
            {279, 4, 1}};
        int directorySize = 2 + 12 * entries.length + 4;
        int pixelAt = 8 + pages * directorySize;
        java.nio.ByteBuffer tiff = java.nio.ByteBuffer.allocate(pixelAt + 1).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        for (int page = 0; page < pages; page++) {
            tiff.putShort((short) entries.length);
            for (int[] e : entries) {
                tiff.putShort((short) e[0]).putShort((short) e[1]).putInt(1);
                int value = e[2] == -1 ? pixelAt : e[2];
                if (e[1] == 3) {
                    tiff.putShort((short) value).putShort((short) 0);
                } else {
                    tiff.putInt(value);
                }
            }
            tiff.putInt(page == pages - 1 ? 0 : 8 + (page + 1) * directorySize);
        }
        tiff.put((byte) 0x80);
        return tiff.array();
    }
}
