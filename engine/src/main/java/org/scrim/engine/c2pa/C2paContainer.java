package org.scrim.engine.c2pa;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Where a C2PA manifest store lives in a PNG or a JPEG file, following c2pa-rs's {@code png_io.rs} and
 * {@code jpeg_io.rs} (read 2026-11-30): PNG keeps it in one {@code caBX} chunk, here right before the image data
 * (c2pa-rs puts it right after IHDR; readers take it anywhere, and after an {@code eXIf} chunk exiftool 12.57 still
 * reads the EXIF: it mistakes the JUMBF box at offset 8 for the IFD0 at offset 8 and keeps the first); JPEG in APP11
 * segments (JPEG XT boxes: "JP", a box instance number, a sequence number, then the JUMBF, with the superbox's
 * 8-byte header repeated in every continuation) after the leading APP0/APP1 segments, so JFIF and EXIF stay first.
 * The hash binding excludes exactly those bytes.
 *
 * <p>TIFF and WebP are not covered yet: C2PA puts the store in a TIFF tag (whose data Commons Imaging's lossless TIFF
 * writer relocates, so the exclusion would have to be computed after that writer) and in a WebP {@code C2PA} chunk
 * of the RIFF container; both are possible, neither is written today.
 */
enum C2paContainer {
    PNG {
        @Override
        byte[] strip(byte[] png) throws IOException {
            List<int[]> kept = new ArrayList<>();
            int size = PNG_SIGNATURE.length;
            for (int[] c : pngChunks(png)) {
                if (!pngType(png, c).equals("caBX")) {
                    kept.add(c);
                    size += c[1] - c[0];
                }
            }
            if (size == png.length) {
                return png; // nothing to strip (a file Scrim just wrote): no copy of a file that may be large
            }
            ByteBuffer out = ByteBuffer.allocate(size).put(png, 0, PNG_SIGNATURE.length);
            kept.forEach(c -> out.put(png, c[0], c[1] - c[0]));
            return out.array();
        }

        @Override
        int insertionOffset(byte[] png) throws IOException {
            for (int[] c : pngChunks(png)) {
                if (pngType(png, c).equals("IDAT")) {
                    return c[0];
                }
            }
            throw new IOException("PNG has no IDAT chunk");
        }

        @Override
        byte[] wrap(byte[] store) {
            CRC32 crc = new CRC32();
            crc.update(PNG_C2PA_TYPE);
            crc.update(store);
            return ByteBuffer.allocate(12 + store.length).putInt(store.length).put(PNG_C2PA_TYPE).put(store)
                    .putInt((int) crc.getValue()).array();
        }

        @Override
        Located find(byte[] png) throws IOException {
            for (int[] c : pngChunks(png)) {
                if (pngType(png, c).equals("caBX")) {
                    return new Located(Arrays.copyOfRange(png, c[0] + 8, c[1] - 4), c[0], c[1] - c[0]);
                }
            }
            return null;
        }
    },
    JPEG {
        @Override
        byte[] strip(byte[] jpeg) throws IOException {
            List<int[]> segments = jpegSegments(jpeg);
            if (segments.stream().noneMatch(s -> isC2paSegment(jpeg, s))) {
                return jpeg;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
            int pos = 0;
            for (int[] s : segments) {
                if (isC2paSegment(jpeg, s)) {
                    out.write(jpeg, pos, s[0] - pos);
                    pos = s[1];
                }
            }
            out.write(jpeg, pos, jpeg.length - pos);
            return out.toByteArray();
        }

        @Override
        int insertionOffset(byte[] jpeg) throws IOException {
            int at = 2;
            for (int[] s : jpegSegments(jpeg)) {
                int marker = jpeg[s[0] + 1] & 0xff;
                if (marker != APP0 && marker != APP1) {
                    break;
                }
                at = s[1];
            }
            return at;
        }

        @Override
        byte[] wrap(byte[] store) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(store.length + 64);
            int sequence = 1;
            for (int pos = 0; pos < store.length; pos += JPEG_CHUNK, sequence++) {
                int n = Math.min(JPEG_CHUNK, store.length - pos);
                boolean continuation = pos > 0;
                int le = 2 + 8 + (continuation ? 8 : 0) + n;
                ByteBuffer seg = ByteBuffer.allocate(2 + le).put((byte) 0xFF).put((byte) APP11).putShort((short) le)
                        .put((byte) 'J').put((byte) 'P').putShort(JPEG_BOX_INSTANCE).putInt(sequence);
                if (continuation) {
                    seg.put(store, 0, 8);
                }
                seg.put(store, pos, n);
                out.writeBytes(seg.array());
            }
            return out.toByteArray();
        }

        @Override
        Located find(byte[] jpeg) throws IOException {
            ByteArrayOutputStream store = new ByteArrayOutputStream();
            int start = -1;
            int end = -1;
            for (int[] s : jpegSegments(jpeg)) {
                if (!isC2paSegment(jpeg, s)) {
                    continue;
                }
                if (start >= 0 && s[0] != end) {
                    throw new IOException("JPEG C2PA segments are not contiguous (at byte " + s[0] + ")");
                }
                int data = s[0] + 4 + 8 + (start < 0 ? 0 : 8);
                store.write(jpeg, data, s[1] - data);
                start = start < 0 ? s[0] : start;
                end = s[1];
            }
            return start < 0 ? null : new Located(store.toByteArray(), start, end - start);
        }
    };

    /** The store and the bytes it occupies in the file (what the hash binding excludes). */
    record Located(byte[] store, int start, int length) {}

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] PNG_C2PA_TYPE = "caBX".getBytes(StandardCharsets.ISO_8859_1);
    private static final int APP0 = 0xE0;
    private static final int APP1 = 0xE1;
    private static final int APP11 = 0xEB;
    private static final int SOS = 0xDA;
    /** c2pa-rs uses 0x0211 as the JPEG XT box instance number of the manifest store. */
    private static final short JPEG_BOX_INSTANCE = 0x0211;
    /** JUMBF bytes per APP11 segment (c2pa-rs: 64000, below the 65535-byte segment limit). */
    private static final int JPEG_CHUNK = 64000;

    /** The file without any C2PA store (a file re-signed gets one store, not two). */
    abstract byte[] strip(byte[] file) throws IOException;

    /** Where a new store goes in a stripped file. */
    abstract int insertionOffset(byte[] file) throws IOException;

    /** The store as the container's chunk or segments. */
    abstract byte[] wrap(byte[] store);

    /** The store in a file, or null when it has none. */
    abstract Located find(byte[] file) throws IOException;

    /** The container by the file's leading bytes, or null for formats without C2PA support here. */
    static C2paContainer detect(byte[] file) {
        if (file.length >= 8 && Arrays.equals(file, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return PNG;
        }
        if (file.length >= 3 && (file[0] & 0xff) == 0xFF && (file[1] & 0xff) == 0xD8 && (file[2] & 0xff) == 0xFF) {
            return JPEG;
        }
        return null;
    }

    /** Chunks as {start, end} (length field to CRC), IHDR to IEND; bounds checked against the file. */
    private static java.util.List<int[]> pngChunks(byte[] png) throws IOException {
        java.util.List<int[]> chunks = new java.util.ArrayList<>();
        int pos = PNG_SIGNATURE.length;
        while (true) {
            if (pos + 12 > png.length) {
                throw new IOException("PNG is truncated at byte " + pos + " (no IEND chunk)");
            }
            long len = Integer.toUnsignedLong(ByteBuffer.wrap(png, pos, 4).getInt());
            if (len > png.length - pos - 12L) {
                throw new IOException("PNG chunk at byte " + pos + " runs past the end of the file");
            }
            int[] c = {pos, pos + 12 + (int) len};
            chunks.add(c);
            pos = c[1];
            if (pngType(png, c).equals("IEND")) {
                return chunks;
            }
        }
    }

    private static String pngType(byte[] png, int[] chunk) {
        return new String(png, chunk[0] + 4, 4, StandardCharsets.ISO_8859_1);
    }

    /** Marker segments with a length, {start, end} from the 0xFF to the segment's end, up to SOS. */
    private static java.util.List<int[]> jpegSegments(byte[] jpeg) throws IOException {
        java.util.List<int[]> segments = new java.util.ArrayList<>();
        int pos = 2;
        while (true) {
            if (pos + 4 > jpeg.length || (jpeg[pos] & 0xff) != 0xFF) {
                throw new IOException("JPEG marker expected at byte " + pos);
            }
            int marker = jpeg[pos + 1] & 0xff;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == SOS) {
                return segments;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2; // markers without a length
                continue;
            }
            int len = ((jpeg[pos + 2] & 0xff) << 8) | (jpeg[pos + 3] & 0xff);
            if (len < 2 || pos + 2 + len > jpeg.length) {
                throw new IOException("JPEG segment at byte " + pos + " runs past the end of the file");
            }
            segments.add(new int[] {pos, pos + 2 + len});
            pos += 2 + len;
        }
    }

    private static boolean isC2paSegment(byte[] jpeg, int[] s) {
        return (jpeg[s[0] + 1] & 0xff) == APP11 && s[1] - s[0] >= 4 + 8 + 8
                && jpeg[s[0] + 4] == 'J' && jpeg[s[0] + 5] == 'P'
                && ((jpeg[s[0] + 6] & 0xff) << 8 | (jpeg[s[0] + 7] & 0xff)) == JPEG_BOX_INSTANCE;
    }
}
