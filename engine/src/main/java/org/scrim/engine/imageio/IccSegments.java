package org.scrim.engine.imageio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.metadata.IIOMetadata;

/**
 * Takes ICC profile bytes out of JPEG files and TIFF metadata, and puts them into TIFF metadata, as the file's own
 * bytes. The JDK's ICC_Profile.getData() re-serialises a profile (a 576-byte profile came back as 6876 bytes), so
 * reading the profile through the decoder's colour space would not give the artist's profile as it was.
 */
final class IccSegments {
    private static final byte[] JPEG_ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final int APP2 = 0xE2;

    private IccSegments() {}

    /** The ICC profile in a JPEG stream's APP2 segments (before the first scan), or null. Leaves {@code in} at 0. */
    static byte[] readJpeg(ImageInputStream in) throws IOException {
        in.seek(0);
        TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        try {
            if (in.readUnsignedShort() != 0xFFD8) {
                return null;
            }
            while (true) {
                int marker = in.readUnsignedByte();
                if (marker != 0xFF) {
                    break;
                }
                int type = in.readUnsignedByte();
                while (type == 0xFF) {
                    type = in.readUnsignedByte();
                }
                if (type == 0xDA || type == 0xD9) {
                    break;
                }
                int length = in.readUnsignedShort() - 2;
                long next = in.getStreamPosition() + length;
                if (type == APP2 && length > JPEG_ICC_TAG.length + 2) {
                    byte[] tag = new byte[JPEG_ICC_TAG.length];
                    in.readFully(tag);
                    if (Arrays.equals(tag, JPEG_ICC_TAG)) {
                        int sequence = in.readUnsignedByte();
                        in.readUnsignedByte();
                        byte[] data = new byte[length - JPEG_ICC_TAG.length - 2];
                        in.readFully(data);
                        chunks.put(sequence, data);
                    }
                }
                in.seek(next);
            }
        } finally {
            in.seek(0);
        }
        if (chunks.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream profile = new ByteArrayOutputStream();
        chunks.values().forEach(profile::writeBytes);
        return profile.toByteArray();
    }

    /** TIFF metadata with its ICC profile field set to {@code icc} (removed if null). */
    static IIOMetadata replaceInTiff(IIOMetadata metadata, byte[] icc) throws IOException {
        TIFFDirectory directory = TIFFDirectory.createFromMetadata(metadata);
        directory.removeTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE);
        if (icc != null) {
            TIFFTag tag = BaselineTIFFTagSet.getInstance().getTag(BaselineTIFFTagSet.TAG_ICC_PROFILE);
            directory.addTIFFField(new TIFFField(tag, TIFFTag.TIFF_UNDEFINED, icc.length, icc.clone()));
        }
        return directory.getAsMetadata();
    }

    static byte[] readTiff(IIOMetadata metadata) throws IOException {
        TIFFField field = TIFFDirectory.createFromMetadata(metadata).getTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE);
        return field == null ? null : field.getAsBytes();
    }
}
