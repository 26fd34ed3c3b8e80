package org.scrim.engine.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Replaces the "XMP " chunk of a WebP file, copying the image chunks byte for byte. Commons Imaging reads WebP but
 * does not write it. A simple-format file (a lone VP8 or VP8L chunk) gains the VP8X header that metadata needs.
 */
final class WebPChunks {
    private static final int XMP_FLAG = 0x04;
    private static final int ALPHA_FLAG = 0x10;
    /** Chunks that XMP must follow (WebP container spec: image data, then EXIF, then XMP). */
    private static final Set<String> BEFORE_XMP = Set.of("VP8 ", "VP8L", "ALPH", "ANIM", "ANMF", "EXIF", "ICCP");

    private WebPChunks() {}

    /** A chunk's header and payload with its pad byte, at [start, end) of the file. */
    private record Chunk(String fourCc, int start, int end) {}

    static byte[] replaceXmp(byte[] webp, String xmp) throws IOException {
        List<Chunk> chunks = parse(webp);
        byte[] vp8x;
        int first;
        if (chunks.get(0).fourCc().equals("VP8X")) {
            Chunk c = chunks.get(0);
            vp8x = Arrays.copyOfRange(webp, c.start() + 8, c.end());
            first = 1;
        } else {
            vp8x = newVp8x(webp, chunks.get(0));
            first = 0;
        }
        vp8x[0] |= XMP_FLAG;
        // Some writers (exiftool 12.57) leave the alpha flag unset over a VP8L image with alpha; webpinfo
        // rejects that, so the flag is set from the image data while the header is being rewritten anyway.
        for (Chunk c : chunks) {
            if (c.fourCc().equals("VP8L") && vp8lHasAlpha(webp, c)) {
                vp8x[0] |= ALPHA_FLAG;
            }
        }

        List<Chunk> rest = new ArrayList<>();
        int at = -1;
        for (Chunk c : chunks.subList(first, chunks.size())) {
            if (c.fourCc().equals("XMP ")) {
                at = at < 0 ? rest.size() : at;
            } else {
                rest.add(c);
            }
        }
        if (at < 0) {
            at = 0;
            for (int i = 0; i < rest.size(); i++) {
                if (BEFORE_XMP.contains(rest.get(i).fourCc())) {
                    at = i + 1;
                }
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(webp.length + xmp.length() + 64);
        body.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
        writeChunk(body, "VP8X", vp8x);
        for (int i = 0; i <= rest.size(); i++) {
            if (i == at) {
                writeChunk(body, "XMP ", xmp.getBytes(StandardCharsets.UTF_8));
            }
            if (i < rest.size()) {
                Chunk c = rest.get(i);
                body.write(webp, c.start(), c.end() - c.start());
                if (((c.end() - c.start()) & 1) == 1) {
                    body.write(0); // restores a pad byte the input left off its last chunk
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 8);
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(body.size()));
        body.writeTo(out);
        return out.toByteArray();
    }

    private static List<Chunk> parse(byte[] webp) throws IOException {
        if (webp.length < 12 || !ascii(webp, 0).equals("RIFF") || !ascii(webp, 8).equals("WEBP")) {
            throw new IOException("not a WebP file (no RIFF/WEBP header)");
        }
        ByteBuffer buf = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        long riffEnd = 8 + Integer.toUnsignedLong(buf.getInt(4));
        if (riffEnd > webp.length) {
            throw new IOException("WebP is truncated: RIFF header says " + riffEnd + " bytes, file has " + webp.length);
        }
        List<Chunk> chunks = new ArrayList<>();
        int pos = 12;
        while (pos < riffEnd) {
            if (pos + 8 > riffEnd) {
                throw new IOException("WebP chunk header at byte " + pos + " is truncated");
            }
            long size = Integer.toUnsignedLong(buf.getInt(pos + 4));
            long end = pos + 8 + size + (size & 1);
            // Some writers omit the pad byte of an odd-sized last chunk.
            if (end > riffEnd && pos + 8 + size != riffEnd) {
                throw new IOException("WebP chunk '" + ascii(webp, pos) + "' at byte " + pos + " runs past the end");
            }
            chunks.add(new Chunk(ascii(webp, pos), pos, (int) Math.min(end, riffEnd)));
            pos = (int) end;
        }
        if (chunks.isEmpty()) {
            throw new IOException("WebP has no chunks");
        }
        String head = chunks.get(0).fourCc();
        if (!head.equals("VP8X") && !head.equals("VP8 ") && !head.equals("VP8L")) {
            throw new IOException("WebP starts with chunk '" + head + "', expected VP8X, VP8 or VP8L");
        }
        return chunks;
    }

    /** The VP8X payload for a simple-format file: the canvas is the size of the one image chunk. */
    private static byte[] newVp8x(byte[] webp, Chunk image) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        int data = image.start() + 8;
        int width;
        int height;
        if (image.fourCc().equals("VP8L")) {
            // VP8L header: signature 0x2f, then 14 bits width-1, 14 bits height-1, alpha hint, version.
            requireHeader(image, image.end() - data >= 5 && webp[data] == 0x2f);
            int bits = buf.getInt(data + 1);
            width = (bits & 0x3FFF) + 1;
            height = (bits >>> 14 & 0x3FFF) + 1;
        } else {
            // VP8 key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
            requireHeader(image, image.end() - data >= 10 && (webp[data + 3] & 0xFF) == 0x9d
                    && webp[data + 4] == 0x01 && webp[data + 5] == 0x2a);
            width = buf.getShort(data + 6) & 0x3FFF;
            height = buf.getShort(data + 8) & 0x3FFF;
        }
        byte[] payload = new byte[10];
        put24(payload, 4, width - 1);
        put24(payload, 7, height - 1);
        return payload;
    }

    private static boolean vp8lHasAlpha(byte[] webp, Chunk c) {
        int data = c.start() + 8;
        return c.end() - data >= 5 && (webp[data + 4] & 0x10) != 0;
    }

    private static void requireHeader(Chunk c, boolean valid) throws IOException {
        if (!valid) {
            throw new IOException("WebP " + c.fourCc().strip() + " chunk at byte " + c.start() + " has a bad header");
        }
    }

    private static void writeChunk(ByteArrayOutputStream out, String fourCc, byte[] payload) {
        out.writeBytes(fourCc.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(payload.length));
        out.writeBytes(payload);
        if ((payload.length & 1) == 1) {
            out.write(0);
        }
    }

    private static void put24(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static String ascii(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }
}
