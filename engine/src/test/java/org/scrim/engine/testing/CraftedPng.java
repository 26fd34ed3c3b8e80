package org.scrim.engine.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/** Small PNG files with crafted chunks (decompression bombs, deep XMP), made in the test instead of kept as blobs. */
public final class CraftedPng {
    private CraftedPng() {}

    /** A plain 8x8 RGB PNG written by javax.imageio. */
    public static byte[] plain() throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** {@code png} with one more chunk put just before its first IDAT chunk. */
    public static byte[] withChunk(byte[] png, String type, byte[] data) throws IOException {
        int idat = 8;
        while (!new String(png, idat + 4, 4, StandardCharsets.ISO_8859_1).equals("IDAT")) {
            idat += 12 + ByteBuffer.wrap(png, idat, 4).getInt();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, idat);
        chunk(out, type, data);
        out.write(png, idat, png.length - idat);
        return out.toByteArray();
    }

    /** Writes one PNG chunk (length, type, data, CRC) to {@code out}. */
    public static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(name);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    /** {@code header} followed by the zlib stream of {@code inflatedBytes} spaces: a few KB per 10 MiB. */
    public static byte[] headerThenDeflatedSpaces(byte[] header, long inflatedBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header);
        byte[] spaces = new byte[1 << 16];
        java.util.Arrays.fill(spaces, (byte) ' ');
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
            for (long left = inflatedBytes; left > 0; left -= spaces.length) {
                z.write(spaces, 0, (int) Math.min(spaces.length, left));
            }
        }
        return out.toByteArray();
    }

    /** A zTXt chunk whose text inflates to {@code inflatedBytes}. */
    public static byte[] zTxt(long inflatedBytes) throws IOException {
        return headerThenDeflatedSpaces(ascii("Comment\0\0"), inflatedBytes);
    }

    /** A compressed XMP iTXt chunk whose packet inflates to {@code inflatedBytes} (an XMP packet then spaces). */
    public static byte[] compressedXmpITxt(long inflatedBytes) throws IOException {
        return headerThenDeflatedSpaces(ascii("XML:com.adobe.xmp\0\1\0\0\0"), inflatedBytes);
    }

    /** An iCCP chunk whose profile inflates to {@code inflatedBytes}. */
    public static byte[] iccp(long inflatedBytes) throws IOException {
        return headerThenDeflatedSpaces(ascii("ICC profile\0\0"), inflatedBytes);
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A PNG whose header claims {@code width}x{@code height} 8-bit RGB pixels and whose data holds only the first few
     * rows: tiny, and a reader that decodes it before checking its size finds the data cut short.
     */
    public static byte[] claiming(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .array());
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(rows)) {
            deflate.write(new byte[4 * (1 + 3 * width)]);
        }
        chunk(png, "IDAT", rows.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }
}
