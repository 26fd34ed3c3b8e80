package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.CraftedPng;
import org.scrim.engine.testing.SharedData;

class ImageFilesErrorsTest {
    @TempDir
    Path dir;

    private <T extends Throwable> T assertRefused(Class<T> type, Path file, String... words) {
        T e = assertThrows(type, () -> ImageFiles.read(file));
        assertTrue(e.getMessage().contains(file.toString()), "message must name the file: " + e.getMessage());
        for (String word : words) {
            assertTrue(e.getMessage().contains(word), "message must say '" + word + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void missingEmptyAndNonImageFiles() throws Exception {
        assertRefused(NoSuchFileException.class, dir.resolve("nope.png"));
        assertRefused(IOException.class, Files.createFile(dir.resolve("empty.png")), "empty");
        assertRefused(UnsupportedImageException.class,
                Files.writeString(dir.resolve("notes.png"), "not an image"), "unsupported");
        Path gif = dir.resolve("a.gif");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED), "gif", gif.toFile());
        assertRefused(UnsupportedImageException.class, gif, "gif");
    }

    @Test
    void forgedHugeHeaderIsRefusedBeforeDecoding() throws Exception {
        // A 57-byte PNG claiming 100000 x 100000 pixels: 30 GB if decoded.
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(100_000);
        d.writeInt(100_000);
        d.write(new byte[] {8, 2, 0, 0, 0});
        CraftedPng.chunk(png, "IHDR", ihdr.toByteArray());
        CraftedPng.chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        CraftedPng.chunk(png, "IEND", new byte[0]);
        Path bomb = Files.write(dir.resolve("bomb.png"), png.toByteArray());
        long before = System.nanoTime();
        assertRefused(UnsupportedImageException.class, bomb, "100000x100000", "limit");
        assertTrue(System.nanoTime() - before < 2_000_000_000L, "must refuse from the header, not by decoding");
    }

    /** 64 MiB of text, XMP or profile from a few KB of file: refused from the stream, before the JDK inflates it. */
    @ParameterizedTest
    @ValueSource(strings = {"zTXt", "iTXt", "iCCP"})
    void metadataInflatingPastItsBoundIsRefusedNamingTheFile(String type) throws Exception {
        long inflated = 64L << 20;
        byte[] chunk = switch (type) {
            case "zTXt" -> CraftedPng.zTxt(inflated);
            case "iTXt" -> CraftedPng.compressedXmpITxt(inflated);
            default -> CraftedPng.iccp(inflated);
        };
        Path bomb = Files.write(dir.resolve("bomb.png"), CraftedPng.withChunk(CraftedPng.plain(), type, chunk));
        assertTrue(Files.size(bomb) < 200_000);
        assertRefused(UnsupportedImageException.class, bomb, type, "inflates to more than");
        // Below the bound the same kind of chunk is read as before.
        byte[] modest = switch (type) {
            case "zTXt" -> CraftedPng.zTxt(1 << 20);
            case "iTXt" -> CraftedPng.compressedXmpITxt(1 << 20);
            default -> iccChunk();
        };
        Path fine = Files.write(dir.resolve("fine.png"), CraftedPng.withChunk(CraftedPng.plain(), type, modest));
        assertEquals(8, ImageFiles.read(fine).width());
    }

    /** A chunk whose deflated data is damaged must not hide a bomb after it. */
    @Test
    void aBombAfterADamagedCompressedChunkIsStillRefused() throws Exception {
        byte[] damaged = new byte[20_000]; // more than one read of the stream
        Arrays.fill(damaged, (byte) 0x07); // a final block of the reserved type: a DataFormatException at once
        byte[] zTxt = CraftedPng.ascii("Comment\0\0\u0078\u009c");
        byte[] chunk = Arrays.copyOf(zTxt, zTxt.length + damaged.length);
        System.arraycopy(damaged, 0, chunk, zTxt.length, damaged.length);
        byte[] png = CraftedPng.withChunk(CraftedPng.plain(), "zTXt", chunk);
        png = CraftedPng.withChunk(png, "iTXt", CraftedPng.compressedXmpITxt(64L << 20));
        assertRefused(UnsupportedImageException.class, Files.write(dir.resolve("damaged-then-bomb.png"), png),
                "iTXt", "inflates to more than");
    }

    private static byte[] iccChunk() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(CraftedPng.ascii("sRGB\0\0"));
        try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
            z.write(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData());
        }
        return out.toByteArray();
    }

    @Test
    void pixelLimitIsConfigurable() throws Exception {
        Path astronaut = SharedData.path("images/astronaut.png");
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                () -> ImageFiles.read(astronaut, 512 * 512 - 1));
        assertTrue(e.getMessage().contains("262143"), e.getMessage());
        assertEquals(512, ImageFiles.read(astronaut, 512 * 512).width());
    }

    @Test
    void truncatedFilesGiveAClearError() throws Exception {
        for (String name : new String[] {"images/astronaut.png", "images/rocket.jpg"}) {
            byte[] bytes = Files.readAllBytes(SharedData.path(name));
            Path cut = Files.write(dir.resolve("cut-" + Path.of(name).getFileName()),
                    Arrays.copyOf(bytes, bytes.length / 2));
            assertRefused(IOException.class, cut, "truncated");
        }
    }

    @Test
    void multiPageTiffAnimatedPngAndWebpAreRefused() throws Exception {
        Path tiff = dir.resolve("pages.tif");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(tiff.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), null, null), null);
            writer.writeToSequence(new IIOImage(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        assertRefused(UnsupportedImageException.class, tiff, "2 pages");

        // An APNG is a PNG with an acTL chunk before the image data.
        Path still = TestImages.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("s.png"));
        byte[] bytes = Files.readAllBytes(still);
        ByteArrayOutputStream apng = new ByteArrayOutputStream();
        apng.write(bytes, 0, 33);
        CraftedPng.chunk(apng, "acTL", new byte[] {0, 0, 0, 2, 0, 0, 0, 0});
        apng.write(bytes, 33, bytes.length - 33);
        assertRefused(UnsupportedImageException.class, Files.write(dir.resolve("anim.png"), apng.toByteArray()),
                "animated");

        // Made with: img2webp -lossless frame0.png frame1.png -o animated.webp
        assertRefused(UnsupportedImageException.class, TestImages.copyResource("animated.webp", dir), "2 animation");
    }

    /** Found by fuzzing: the JDK's page count never ends on such a file and fills the heap. */
    @Test
    void aTiffWhosePageChainLoopsBackIsRefused() throws Exception {
        Path tiff = TestImages.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "tiff", dir.resolve("a.tif"));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(tiff));
        b.order(b.getShort(0) == 0x4949 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int first = b.getInt(4);
        b.putInt(first + 2 + 12 * (b.getShort(first) & 0xffff), first); // the last page's "next" is the first
        assertRefused(IOException.class, Files.write(tiff, b.array()), "loops");
    }

    @Test
    void cmykJpegIsRefused() throws Exception {
        WritableRaster cmyk = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        Path jpeg = dir.resolve("cmyk.jpg");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(jpeg.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            writer.dispose();
        }
        assertRefused(UnsupportedImageException.class, jpeg, "CMYK");
    }

    @Test
    void writesThatWouldLoseDataAreRefused() throws Exception {
        Path rgba = TestImages.write(TestImages.random(8, 8, 3, true, 8, TestImages.srgb(), 1), "png",
                dir.resolve("rgba.png"));
        PlanarImage image = ImageFiles.read(rgba);
        Path jpeg = dir.resolve("out.jpg");
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                () -> ImageFiles.write(image, jpeg));
        assertTrue(e.getMessage().contains(jpeg.toString()) && e.getMessage().contains("alpha"), e.getMessage());
        assertTrue(Files.notExists(jpeg));
        assertThrows(UnsupportedImageException.class, () -> ImageFiles.write(image, dir.resolve("out.webp")));
        assertThrows(IllegalArgumentException.class,
                () -> image.withRgb(new RgbImage(new float[3 * 8 * 7], 7, 8)));
        RgbImage nan = image.toRgb();
        nan.data()[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> image.withRgb(nan));
    }

    /** A small file claiming a huge image is refused from its header when decoding it would not fit in the heap. */
    @Test
    void anImageTheHeapCannotDecodeIsRefusedFromItsHeader() throws Exception {
        Path file = Files.write(dir.resolve("zeros.png"), CraftedPng.claiming(14000, 14000));
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            long pixels = 14000L * 14000;
            UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                    () -> ImageFiles.requireHeapToDecode(file, reader, pixels, 1L << 30));
            assertTrue(e.getMessage().startsWith(file + ": 196000000 pixels need about 2.7 GiB of memory to decode")
                    && e.getMessage().contains("-Xmx3g"), e.getMessage());
            ImageFiles.requireHeapToDecode(file, reader, pixels, 3L << 30);
            reader.dispose();
        }
    }
}
