package org.scrim.engine.imageio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import org.apache.commons.imaging.FormatCompliance;
import org.apache.commons.imaging.ImagingException;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.tiff.TiffDirectory;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffReader;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.taginfos.TagInfoAscii;
import org.w3c.dom.Node;

/**
 * Carries a JPEG's EXIF into a PNG or TIFF written from it. The orientation matters most: a phone photo stored
 * sideways with Orientation 6 would otherwise turn when saved as PNG or TIFF; the artist and copyright go along.
 * PNG gets the whole EXIF block (an eXIf chunk); TIFF, whose own first directory is where these tags live, gets
 * the orientation and the descriptive text tags of the EXIF's first directory.
 */
final class ExifTransfer {
    private static final byte[] EXIF_ID = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
    private static final int APP1 = 0xE1;
    /** Text tags of a first directory that say who made the picture and what it is. */
    private static final List<TagInfoAscii> TEXT_TAGS = List.of(TiffTagConstants.TIFF_TAG_IMAGE_DESCRIPTION,
            TiffTagConstants.TIFF_TAG_MAKE, TiffTagConstants.TIFF_TAG_MODEL, TiffTagConstants.TIFF_TAG_SOFTWARE,
            TiffTagConstants.TIFF_TAG_DATE_TIME, TiffTagConstants.TIFF_TAG_ARTIST, TiffTagConstants.TIFF_TAG_COPYRIGHT);

    private ExifTransfer() {}

    /** The EXIF block (a TIFF structure) of a JPEG's native metadata, or null. */
    static byte[] fromJpeg(IIOMetadata jpeg, String nativeFormat) {
        if (jpeg == null) {
            return null;
        }
        Node markers = ((IIOMetadataNode) jpeg.getAsTree(nativeFormat)).getElementsByTagName("markerSequence").item(0);
        for (Node n = markers == null ? null : markers.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals("unknown") && n instanceof IIOMetadataNode unknown
                    && String.valueOf(APP1).equals(unknown.getAttribute("MarkerTag"))
                    && unknown.getUserObject() instanceof byte[] data && data.length > EXIF_ID.length
                    && Arrays.equals(data, 0, EXIF_ID.length, EXIF_ID, 0, EXIF_ID.length)) {
                return Arrays.copyOfRange(data, EXIF_ID.length, data.length);
            }
        }
        return null;
    }

    /** A PNG native-metadata tree holding {@code exif} as an eXIf chunk, to merge into the writer's metadata. */
    static IIOMetadataNode pngChunk(byte[] exif) {
        IIOMetadataNode chunk = new IIOMetadataNode("UnknownChunk");
        chunk.setAttribute("type", "eXIf");
        chunk.setUserObject(exif);
        IIOMetadataNode chunks = new IIOMetadataNode("UnknownChunks");
        chunks.appendChild(chunk);
        return chunks;
    }

    /**
     * TIFF metadata with the orientation and text tags of {@code exif}'s first directory added. A damaged EXIF block
     * adds nothing: the JPEG itself was read, and the image is worth more than its tags.
     */
    static IIOMetadata intoTiff(IIOMetadata tiff, byte[] exif) throws IOException {
        TiffDirectory ifd0;
        try {
            ifd0 = new TiffReader(false).readFirstDirectory(ByteSource.array(exif), false,
                    FormatCompliance.getDefault()).directories.get(0);
        } catch (ImagingException | RuntimeException e) {
            return tiff;
        }
        TIFFDirectory out = TIFFDirectory.createFromMetadata(tiff);
        BaselineTIFFTagSet baseline = BaselineTIFFTagSet.getInstance();
        TiffField orientation = ifd0.findField(TiffTagConstants.TIFF_TAG_ORIENTATION);
        if (orientation != null && orientation.getValue() instanceof Number n && n.intValue() >= 1
                && n.intValue() <= 8) {
            out.addTIFFField(new TIFFField(baseline.getTag(BaselineTIFFTagSet.TAG_ORIENTATION), n.intValue()));
        }
        for (TagInfoAscii tag : TEXT_TAGS) {
            TiffField field = ifd0.findField(tag);
            if (field != null && field.getValue() instanceof String text) {
                out.addTIFFField(new TIFFField(baseline.getTag(tag.tag), TIFFTag.TIFF_ASCII, 1, new String[] {text}));
            }
        }
        return out.getAsMetadata();
    }
}
