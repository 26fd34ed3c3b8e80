package org.scrim.engine.imageio;

import java.io.EOFException;
import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * The coding process a JPEG's frame header (its SOF marker) names. The JDK decodes Huffman-coded baseline, extended
 * and progressive JPEGs only; it reports an arithmetic-coded or lossless one as corrupt data, so Scrim names what
 * the file is, and what to do, before decoding.
 */
final class JpegCoding {
    private static final int SOI = 0xD8;
    private static final int SOS = 0xDA;

    private JpegCoding() {}

    /** Why the JDK cannot decode this JPEG, or null when its frame is Huffman-coded DCT. Leaves {@code in} at 0. */
    static String unsupportedProcess(ImageInputStream in) throws IOException {
        in.seek(0);
        try {
            if (in.readUnsignedShort() != (0xFF00 | SOI)) {
                return null;
            }
            while (true) {
                int b = in.readUnsignedByte();
                if (b != 0xFF) {
                    return null; // not a marker where one belongs: left to the decoder to call damaged
                }
                int type = in.readUnsignedByte();
                while (type == 0xFF) { // fill bytes before a marker
                    type = in.readUnsignedByte();
                }
                if (type == SOS) {
                    return null;
                }
                String refused = describe(type);
                if (refused != null) {
                    return refused;
                }
                int length = in.readUnsignedShort();
                in.seek(in.getStreamPosition() + length - 2);
            }
        } catch (EOFException e) {
            return null;
        } finally {
            in.seek(0);
        }
    }

    private static String describe(int marker) {
        return switch (marker) {
            case 0xC3, 0xC7 -> "a lossless JPEG (SOF" + (marker - 0xC0) + ")";
            case 0xC9, 0xCA, 0xCD, 0xCE -> "an arithmetic-coded JPEG (SOF" + (marker - 0xC0) + ")";
            case 0xCB, 0xCF -> "a lossless arithmetic-coded JPEG (SOF" + (marker - 0xC0) + ")";
            default -> null;
        };
    }
}
