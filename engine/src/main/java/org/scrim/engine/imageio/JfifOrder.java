package org.scrim.engine.imageio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.stream.ImageInputStream;

/**
 * JPEG files whose JFIF APP0 segment comes after another APPn segment (EXIF or XMP first, as some phones and editors
 * write them). The JDK's reader calls that an error ("JFIF APP0 must be first marker after SOI") although every
 * other reader takes such files; Scrim reads them with the JFIF segment moved to the front, nothing else changed.
 */
final class JfifOrder {
    private static final byte[] JFIF_ID = "JFIF\0".getBytes(StandardCharsets.US_ASCII);
    private static final int SOI = 0xD8;
    private static final int APP0 = 0xE0;

    private JfifOrder() {}

    /** The offset of a JFIF APP0 segment that is not the first after SOI, or -1. Leaves {@code in} at 0. */
    static long misplacedJfif(ImageInputStream in) throws IOException {
        in.seek(0);
        try {
            if (in.readUnsignedShort() != (0xFF00 | SOI)) {
                return -1;
            }
            for (boolean first = true; ; first = false) {
                long at = in.getStreamPosition();
                if (in.readUnsignedByte() != 0xFF) {
                    return -1;
                }
                int type = in.readUnsignedByte();
                if (type < APP0 || type > 0xEF) {
                    return -1; // JFIF belongs among the leading application segments
                }
                int length = in.readUnsignedShort();
                if (type == APP0 && length >= 2 + JFIF_ID.length) {
                    byte[] id = new byte[JFIF_ID.length];
                    in.readFully(id);
                    if (Arrays.equals(id, JFIF_ID)) {
                        return first ? -1 : at;
                    }
                }
                in.seek(at + 2 + length);
            }
        } catch (java.io.EOFException e) {
            return -1;
        } finally {
            in.seek(0);
        }
    }

    /** {@code jpeg} with the APP0 segment at {@code jfifAt} moved to just after SOI. */
    static byte[] jfifFirst(byte[] jpeg, long jfifAt) {
        int at = (int) jfifAt;
        int length = 2 + ((jpeg[at + 2] & 0xFF) << 8 | (jpeg[at + 3] & 0xFF));
        byte[] out = new byte[jpeg.length];
        out[0] = jpeg[0];
        out[1] = jpeg[1];
        System.arraycopy(jpeg, at, out, 2, length);
        System.arraycopy(jpeg, 2, out, 2 + length, at - 2);
        System.arraycopy(jpeg, at + length, out, at + length, jpeg.length - at - length);
        return out;
    }
}
