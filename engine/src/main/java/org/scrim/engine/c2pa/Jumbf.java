package org.scrim.engine.c2pa;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * JUMBF boxes (ISO/IEC 19566-5) as C2PA uses them: a superbox {@code jumb} holds a description box {@code jumd}
 * (type UUID, toggles, label) and then content boxes or further superboxes. Box layout per c2pa-rs
 * {@code sdk/src/jumbf/boxes.rs} (read 2026-11-30).
 */
final class Jumbf {
    /** The C2PA type UUIDs: the first four bytes spell the type, the rest is the ISO-reserved suffix. */
    static final String MANIFEST_STORE = "6332706100110010800000AA00389B71"; // c2pa
    static final String MANIFEST = "63326D6100110010800000AA00389B71"; // c2ma
    static final String ASSERTION_STORE = "6332617300110010800000AA00389B71"; // c2as
    static final String CLAIM = "6332636C00110010800000AA00389B71"; // c2cl
    static final String SIGNATURE = "6332637300110010800000AA00389B71"; // c2cs
    static final String CBOR_ASSERTION = "63626F7200110010800000AA00389B71"; // cbor

    /** Toggles "requestable" and "label present", as c2pa-rs writes them. */
    private static final int TOGGLES_REQUESTABLE_LABELLED = 0x03;
    /** Nesting deeper than a C2PA store needs is refused rather than followed (hostile files). */
    private static final int MAX_DEPTH = 8;

    private Jumbf() {}

    /** A superbox: its description (type, label) and its content, the whole box at [start, end) of the buffer. */
    record Box(String uuid, String label, byte[] buf, int start, int end, List<Box> children) {
        /** The box's payload: what C2PA hashes for an assertion (the box without its own 8-byte header). */
        byte[] payload() {
            return java.util.Arrays.copyOfRange(buf, start + 8, end);
        }

        /** The data of the first content box of {@code fourcc} directly inside this superbox, or null. */
        byte[] content(String fourcc) throws IOException {
            int pos = start + 8;
            while (pos + 8 <= end) {
                int len = ByteBuffer.wrap(buf, pos, 4).getInt();
                String t = new String(buf, pos + 4, 4, StandardCharsets.ISO_8859_1);
                if (len < 8 || len > end - pos) {
                    throw new IOException("JUMBF box " + t + " at byte " + pos + " runs past its superbox");
                }
                if (t.equals(fourcc)) {
                    return java.util.Arrays.copyOfRange(buf, pos + 8, pos + len);
                }
                pos += len;
            }
            return null;
        }

        Box child(String label) {
            return children.stream().filter(c -> label.equals(c.label())).findFirst().orElse(null);
        }
    }

    static byte[] superbox(String uuidHex, String label, byte[]... children) {
        ByteArrayOutputStream description = new ByteArrayOutputStream();
        description.writeBytes(HexFormat.of().parseHex(uuidHex));
        description.write(TOGGLES_REQUESTABLE_LABELLED);
        description.writeBytes(label.getBytes(StandardCharsets.UTF_8));
        description.write(0);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(box("jumd", description.toByteArray()));
        for (byte[] child : children) {
            content.writeBytes(child);
        }
        return box("jumb", content.toByteArray());
    }

    static byte[] box(String fourcc, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).putInt(8 + data.length)
                .put(fourcc.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    /** Parses the superbox at the start of {@code buf}. */
    static Box parse(byte[] buf) throws IOException {
        List<Box> boxes = parseAll(buf, 0, buf.length, 0);
        if (boxes.isEmpty()) {
            throw new IOException("no JUMBF superbox");
        }
        return boxes.get(0);
    }

    private static List<Box> parseAll(byte[] buf, int from, int to, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("JUMBF nested deeper than " + MAX_DEPTH + " levels");
        }
        List<Box> boxes = new ArrayList<>();
        int pos = from;
        while (pos + 8 <= to) {
            long len = Integer.toUnsignedLong(ByteBuffer.wrap(buf, pos, 4).getInt());
            String type = new String(buf, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (len < 8 || len > to - pos) {
                throw new IOException("JUMBF box '" + type + "' at byte " + pos + " has a bad length " + len);
            }
            int end = pos + (int) len;
            if (type.equals("jumb")) {
                boxes.add(superboxAt(buf, pos, end, depth));
            }
            pos = end;
        }
        return boxes;
    }

    private static Box superboxAt(byte[] buf, int start, int end, int depth) throws IOException {
        int d = start + 8;
        if (d + 8 > end || !new String(buf, d + 4, 4, StandardCharsets.ISO_8859_1).equals("jumd")) {
            throw new IOException("JUMBF superbox at byte " + start + " lacks its description box");
        }
        int dEnd = d + ByteBuffer.wrap(buf, d, 4).getInt();
        if (dEnd > end || dEnd < d + 8 + 17) {
            throw new IOException("JUMBF description box at byte " + d + " has a bad length");
        }
        String uuid = HexFormat.of().withUpperCase().formatHex(buf, d + 8, d + 24);
        int toggles = buf[d + 24] & 0xff;
        String label = null;
        if ((toggles & 0x02) != 0) {
            int z = d + 25;
            while (z < dEnd && buf[z] != 0) {
                z++;
            }
            label = new String(buf, d + 25, z - (d + 25), StandardCharsets.UTF_8);
        }
        List<Box> children = parseAll(buf, dEnd, end, depth + 1);
        return new Box(uuid, label, buf, start, end, children);
    }
}
