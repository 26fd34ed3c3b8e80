package org.scrim.engine.metadata;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.formats.jpeg.JpegImageParser;
import org.apache.commons.imaging.formats.jpeg.JpegImagingParameters;
import org.apache.commons.imaging.formats.jpeg.xmp.JpegXmpRewriter;
import org.apache.commons.imaging.formats.png.PngImageParser;
import org.apache.commons.imaging.formats.png.PngImagingParameters;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.TiffImageParser;
import org.apache.commons.imaging.formats.tiff.TiffImagingParameters;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.write.TiffImageWriterLossless;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputDirectory;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;
import org.apache.commons.imaging.formats.webp.WebPImageParser;
import org.apache.commons.imaging.formats.webp.WebPImagingParameters;
import org.scrim.engine.imageio.TiffDirectories;

/**
 * The image containers Scrim tags, each reading its XMP packet through Commons Imaging and replacing it without
 * touching the image data. Reads return null when the file has no packet.
 */
public enum ImageContainer {
    PNG {
        @Override
        String readXmp(byte[] file) throws IOException {
            return new PngImageParser().getXmpXml(ByteSource.array(file), new PngImagingParameters());
        }

        @Override
        byte[] replaceXmp(byte[] file, String xmp) throws IOException {
            return PngChunks.replaceXmp(file, xmp);
        }
    },
    JPEG {
        @Override
        String readXmp(byte[] file) throws IOException {
            return new JpegImageParser().getXmpXml(ByteSource.array(file), new JpegImagingParameters());
        }

        @Override
        byte[] replaceXmp(byte[] file, String xmp) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + xmp.length() + 64);
            new JpegXmpRewriter().updateXmpXml(ByteSource.array(file), out, xmp);
            return out.toByteArray();
        }
    },
    TIFF {
        @Override
        String readXmp(byte[] file) throws IOException {
            requireFewPages(file);
            return new TiffImageParser().getXmpXml(ByteSource.array(file), new TiffImagingParameters());
        }

        @Override
        byte[] replaceXmp(byte[] file, String xmp) throws IOException {
            requireFewPages(file);
            TiffImageMetadata metadata = (TiffImageMetadata) new TiffImageParser()
                    .getMetadata(ByteSource.array(file), new TiffImagingParameters());
            TiffOutputSet set = metadata.getOutputSet();
            TiffOutputDirectory root = set.getOrCreateRootDirectory();
            root.removeField(TiffTagConstants.TIFF_TAG_XMP);
            root.add(TiffTagConstants.TIFF_TAG_XMP, xmp.getBytes(StandardCharsets.UTF_8));
            // The lossless writer keeps the original bytes (strips, tiles) and appends the changed directories;
            // it must write them in the file's own byte order.
            ByteOrder order = file[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + xmp.length() + 4096);
            new TiffImageWriterLossless(order, file).write(out, set);
            return out.toByteArray();
        }
    },
    WEBP {
        @Override
        String readXmp(byte[] file) throws IOException {
            return new WebPImageParser().getXmpXml(ByteSource.array(file), new WebPImagingParameters());
        }

        @Override
        byte[] replaceXmp(byte[] file, String xmp) throws IOException {
            return WebPChunks.replaceXmp(file, xmp);
        }
    };

    abstract String readXmp(byte[] file) throws IOException;

    abstract byte[] replaceXmp(byte[] file, String xmp) throws IOException;

    /**
     * Commons Imaging reads a TIFF's page chain by recursion: 1000 pages overflowed a 256 KiB thread stack (the
     * smallest threads are usually given), 300 did not. Longer chains are refused before it sees them.
     */
    static final int MAX_TIFF_PAGES = 256;

    private static void requireFewPages(byte[] file) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            if (TiffDirectories.count(in, MAX_TIFF_PAGES) > MAX_TIFF_PAGES) {
                throw new IOException("has more than " + MAX_TIFF_PAGES + " pages, more than Scrim tags");
            }
        }
    }

    /** The container by its leading bytes (not the file name, which may lie), or null when not supported. */
    public static ImageContainer detect(byte[] head) {
        if (startsWith(head, PngChunks.SIGNATURE)) {
            return PNG;
        }
        if (startsWith(head, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
            return JPEG;
        }
        if (startsWith(head, new byte[] {'I', 'I', 42, 0}) || startsWith(head, new byte[] {'M', 'M', 0, 42})) {
            return TIFF;
        }
        if (head.length >= 12 && startsWith(head, "RIFF".getBytes(StandardCharsets.US_ASCII))
                && new String(head, 8, 4, StandardCharsets.US_ASCII).equals("WEBP")) {
            return WEBP;
        }
        return null;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }
}
