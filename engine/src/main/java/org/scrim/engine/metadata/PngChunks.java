package org.scrim.engine.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Replaces the XMP iTXt chunk of a PNG, copying every other chunk byte for byte. Commons Imaging reads PNG XMP but
 * can only write a PNG by re-encoding the pixels, so this small chunk rewriter does the writing.
 */
final class PngChunks {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String XMP_KEYWORD = "XML:com.adobe.xmp";

    private PngChunks() {}

    /** A whole chunk, length field to CRC, at [start, end) of the file. */
    private record Chunk(String type, int start, int end) {}

    private static boolean isXmp(byte[] png, Chunk c) {
        if (!c.type().equals("iTXt")) {
            return false;
        }
        int dataStart = c.start() + 8;
        byte[] keyword = (XMP_KEYWORD + '\0').getBytes(StandardCharsets.ISO_8859_1);
        return c.end() - 4 - dataStart >= keyword.length
                && Arrays.equals(png, dataStart, dataStart + keyword.length, keyword, 0, keyword.length);
    }

    static byte[] replaceXmp(byte[] png, String xmp) throws IOException {
        List<Chunk> chunks = parse(png);
        // The new packet goes where the old one was, else before the image data so streaming readers see it early.
        int at = -1;
        List<Chunk> kept = new ArrayList<>();
        for (Chunk c : chunks) {
            if (isXmp(png, c)) {
                at = at < 0 ? kept.size() : at;
            } else {
                kept.add(c);
            }
        }
        if (at < 0) {
            at = indexOfType(kept, "IDAT");
        }
        byte[] packet = xmpChunkData(xmp);
        int size = SIGNATURE.length + 12 + packet.length;
        for (Chunk c : kept) {
            size += c.end() - c.start();
        }
        // filled in place, without a growing buffer and its final copy: the file may be hundreds of megabytes
        ByteBuffer out = ByteBuffer.allocate(size).put(SIGNATURE);
        for (int i = 0; i < kept.size(); i++) {
            if (i == at) {
                writeChunk(out, "iTXt", packet);
            }
            Chunk c = kept.get(i);
            out.put(png, c.start(), c.end() - c.start());
        }
        return out.array();
    }

    private static int indexOfType(List<Chunk> chunks, String type) {
        for (int i = 0; i < chunks.size(); i++) {
            if (chunks.get(i).type().equals(type)) {
                return i;
            }
        }
        throw new IllegalStateException("parse() guarantees an " + type + " chunk");
    }

    private static List<Chunk> parse(byte[] png) throws IOException {
        if (png.length < SIGNATURE.length || !Arrays.equals(png, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new IOException("not a PNG file (bad signature)");
        }
        List<Chunk> chunks = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(png);
        int pos = SIGNATURE.length;
        boolean sawIdat = false;
        while (true) {
            if (pos + 12 > png.length) {
                throw new IOException("PNG is truncated at byte " + pos + " (no IEND chunk)");
            }
            long length = Integer.toUnsignedLong(buf.getInt(pos));
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > png.length - pos - 12L) {
                throw new IOException("PNG chunk " + type + " at byte " + pos + " runs past the end of the file");
            }
            int end = pos + 12 + (int) length;
            CRC32 crc = new CRC32();
            crc.update(png, pos + 4, 4 + (int) length);
            if ((int) crc.getValue() != buf.getInt(end - 4)) {
                throw new IOException("PNG chunk " + type + " at byte " + pos + " is corrupt (CRC mismatch)");
            }
            chunks.add(new Chunk(type, pos, end));
            sawIdat |= type.equals("IDAT");
            pos = end;
            if (type.equals("IEND")) {
                break;
            }
        }
        if (!chunks.get(0).type().equals("IHDR") || !sawIdat) {
            throw new IOException("PNG lacks its IHDR or IDAT chunk");
        }
        // Bytes after IEND are not part of the PNG; they are dropped rather than carried along unexamined.
        return chunks;
    }

    /** An uncompressed iTXt chunk: keyword, compression flag and method, empty language tag and translation. */
    private static byte[] xmpChunkData(String xmp) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(XMP_KEYWORD.getBytes(StandardCharsets.ISO_8859_1));
        data.writeBytes(new byte[] {0, 0, 0, 0, 0});
        data.writeBytes(xmp.getBytes(StandardCharsets.UTF_8));
        return data.toByteArray();
    }

    private static void writeChunk(ByteBuffer out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue());
    }
}
