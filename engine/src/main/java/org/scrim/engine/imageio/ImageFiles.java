package org.scrim.engine.imageio;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.scrim.engine.tensor.Tensor;
import org.w3c.dom.Node;

/**
 * Reads PNG, JPEG, TIFF and WebP files into {@link PlanarImage}s and writes them back, keeping what the artist's file
 * carries: bit depth (8 or 16), the alpha plane bit-exact, the ICC profile and the source's other metadata (EXIF,
 * XMP, text chunks), which javax.imageio reads with the image and writes with it.
 *
 * <p>Choices, so that nothing is lost silently:
 * <ul>
 *   <li>The pixel count is checked from the header before any decoding ({@link #DEFAULT_MAX_PIXELS}), which stops
 *       decompression bombs.</li>
 *   <li>Multi-page TIFF, animated PNG and animated WebP are refused: reading only the first frame would drop the
 *       rest when the file is written back.</li>
 *   <li>CMYK/YCCK JPEG and TIFF are refused (converting needs the print profile and would change the file); so are
 *       float and 32-bit samples. Palette and 1/2/4-bit images are expanded to 8-bit RGB(A), or gray when the
 *       palette is gray, and written that way (a perturbation cannot stay inside a palette).</li>
 *   <li>A decoder warning (for example a truncated JPEG, which the JDK would otherwise fill with gray) is an
 *       error.</li>
 *   <li>Quantisation rounds to nearest after clamping to [0,1], so the same image always gives the same bytes.</li>
 *   <li>JPEG is written at quality {@link #DEFAULT_JPEG_QUALITY} with the source's chroma subsampling and markers
 *       (its metadata is written back); extra images appended after a JPEG's end (MPF) are not kept.</li>
 * </ul>
 */
public final class ImageFiles {
    /** Refuse images with more pixels than this unless the caller raises the limit. */
    public static final long DEFAULT_MAX_PIXELS = 200_000_000L;
    /** JPEG quality (0..1) used when writing: high, since the perturbation must survive the artist's own save. */
    public static final float DEFAULT_JPEG_QUALITY = 0.95f;

    private static final String PNG_NATIVE = "javax_imageio_png_1.0";
    private static final String JPEG_NATIVE = "javax_imageio_jpeg_image_1.0";

    private ImageFiles() {}

    public static PlanarImage read(Path path) throws IOException {
        return read(path, DEFAULT_MAX_PIXELS);
    }

    /** Reads an image, refusing it before decoding when its header claims more than {@code maxPixels} pixels. */
    public static PlanarImage read(Path path, long maxPixels) throws IOException {
        checkReadable(path);
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null) {
                throw new IOException(path + ": cannot open the file for reading");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnsupportedImageException(
                        path + ": unsupported or unrecognised format (Scrim reads PNG, JPEG, TIFF and WebP)");
            }
            ImageReader reader = readers.next();
            try {
                ImageFormat format = ImageFormat.forImageIoNames(reader.getOriginatingProvider().getFormatNames())
                        .orElseThrow(() -> new UnsupportedImageException(path + ": unsupported format "
                                + reader.getOriginatingProvider().getFormatNames()[0] + " (Scrim reads PNG, JPEG, TIFF and WebP)"));
                reader.setInput(in, false, false);
                return decode(path, reader, format, maxPixels);
            } catch (UnsupportedImageException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                // JDK decoders report damaged data as IIOException, EOFException or, for some TIFFs, runtime errors.
                throw new IOException(path + ": cannot decode the image, the file is truncated or corrupt ("
                        + describe(e) + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static void checkReadable(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new IOException(path + ": is a directory, not an image file");
        }
        if (!Files.isReadable(path)) {
            throw new IOException(path + ": not readable (check the file's permissions)");
        }
        if (Files.size(path) == 0) {
            throw new IOException(path + ": empty file (0 bytes)");
        }
    }

    private static PlanarImage decode(Path path, ImageReader reader, ImageFormat format, long maxPixels)
            throws IOException {
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new IOException(path + ": header gives a zero size (" + width + "x" + height + ")");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new UnsupportedImageException(path + ": " + width + "x" + height + " = " + pixels
                    + " pixels is over the limit of " + maxPixels + " pixels; refusing to decode it");
        }
        // JPEG is excluded: the JDK counts data appended after the end marker (MPF) as further images.
        if (format == ImageFormat.TIFF || format == ImageFormat.WEBP) {
            int frames = reader.getNumImages(true);
            if (frames > 1) {
                throw new UnsupportedImageException(path + ": has " + frames + (format == ImageFormat.TIFF
                        ? " pages" : " animation frames")
                        + "; Scrim protects single images only, split the file and protect each image");
            }
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (format == ImageFormat.PNG && findNode(metadata, PNG_NATIVE, "UnknownChunk", "type", "acTL") != null) {
            throw new UnsupportedImageException(path + ": is an animated PNG; Scrim protects single images only");
        }
        if (format == ImageFormat.JPEG) {
            Node sof = findNode(metadata, JPEG_NATIVE, "sof", null, null);
            if (sof != null && "4".equals(attribute(sof, "numFrameComponents"))) {
                throw new UnsupportedImageException(path + ": is a CMYK/YCCK JPEG, which Scrim does not convert;"
                        + " export it as RGB first");
            }
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
            throw new IOException(path + ": damaged or truncated image data (" + String.join("; ", warnings) + ")");
        }
        return toPlanar(path, image, format, iccProfile(metadata, format, image.getColorModel()), metadata);
    }

    private static PlanarImage toPlanar(Path path, BufferedImage image, ImageFormat format, byte[] icc,
            IIOMetadata metadata) throws IOException {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        if (cm instanceof IndexColorModel palette) {
            return fromPalette(raster, palette, format, icc, metadata);
        }
        ColorSpace cs = cm.getColorSpace();
        int channels = cm.getNumColorComponents();
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && channels == 1;
        boolean rgb = cs.getType() == ColorSpace.TYPE_RGB && channels == 3;
        if (!(cm instanceof ComponentColorModel) || cm.isAlphaPremultiplied() || !(gray || rgb)) {
            throw new UnsupportedImageException(path + ": unsupported colour layout (" + channels
                    + " colour components, colour space type " + cs.getType() + (cm.isAlphaPremultiplied()
                    ? ", premultiplied alpha" : "") + "); Scrim handles gray and RGB, with or without alpha");
        }
        int bits = cm.getComponentSize(0);
        int transfer = cm.getTransferType();
        if (!((bits == 8 && transfer == DataBuffer.TYPE_BYTE) || (bits == 16 && transfer == DataBuffer.TYPE_USHORT))
                || !sameComponentSizes(cm)) {
            throw new UnsupportedImageException(path + ": unsupported samples (" + bits + "-bit, transfer type "
                    + transfer + "); Scrim handles 8- and 16-bit integer samples");
        }
        float max = (1 << bits) - 1;
        float[] planes = new float[channels * h * w];
        int[] alpha = cm.hasAlpha() ? new int[h * w] : null;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < channels; c++) {
                raster.getSamples(0, y, w, 1, c, row);
                int base = (c * h + y) * w;
                for (int x = 0; x < w; x++) {
                    planes[base + x] = row[x] / max;
                }
            }
            if (alpha != null) {
                raster.getSamples(0, y, w, 1, channels, row);
                System.arraycopy(row, 0, alpha, y * w, w);
            }
        }
        return new PlanarImage(new Tensor(planes, channels, h, w), alpha, bits, format, icc, cs, metadata);
    }

    private static boolean sameComponentSizes(ColorModel cm) {
        for (int size : cm.getComponentSize()) {
            if (size != cm.getComponentSize(0)) {
                return false;
            }
        }
        return true;
    }

    /** Palette and 1/2/4-bit images: expanded to 8-bit gray (gray palette) or RGB, with alpha if it has any. */
    private static PlanarImage fromPalette(Raster raster, IndexColorModel palette, ImageFormat format, byte[] icc,
            IIOMetadata metadata) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        boolean gray = true;
        for (int i = 0; i < palette.getMapSize(); i++) {
            gray &= palette.getRed(i) == palette.getGreen(i) && palette.getGreen(i) == palette.getBlue(i);
        }
        int channels = gray ? 1 : 3;
        float[] planes = new float[channels * h * w];
        int[] alpha = palette.hasAlpha() ? new int[h * w] : null;
        int[] row = new int[w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int index = row[x];
                planes[i] = palette.getRed(index) / 255f;
                if (!gray) {
                    planes[plane + i] = palette.getGreen(index) / 255f;
                    planes[2 * plane + i] = palette.getBlue(index) / 255f;
                }
                if (alpha != null) {
                    alpha[i] = palette.getAlpha(index);
                }
            }
        }
        ColorSpace cs = gray ? ColorSpace.getInstance(ColorSpace.CS_GRAY) : palette.getColorSpace();
        return new PlanarImage(new Tensor(planes, channels, h, w), alpha, 8, format, icc, cs, metadata);
    }

    /**
     * The embedded ICC profile's bytes: taken from the format's own metadata where javax.imageio exposes them (so
     * they are the file's bytes), else from the decoder's colour space when that is not a built-in default.
     */
    private static byte[] iccProfile(IIOMetadata metadata, ImageFormat format, ColorModel cm) {
        if (metadata != null) {
            switch (format) {
                case PNG -> {
                    Node iccp = findNode(metadata, PNG_NATIVE, "iCCP", null, null);
                    if (iccp != null && ((IIOMetadataNode) iccp).getUserObject() instanceof byte[] bytes) {
                        return bytes.clone();
                    }
                }
                case JPEG -> {
                    Node icc = findNode(metadata, JPEG_NATIVE, "app2ICC", null, null);
                    if (icc != null && ((IIOMetadataNode) icc).getUserObject() instanceof ICC_Profile profile) {
                        return profile.getData();
                    }
                }
                case TIFF -> {
                    try {
                        TIFFField field = TIFFDirectory.createFromMetadata(metadata)
                                .getTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE);
                        if (field != null) {
                            return field.getAsBytes();
                        }
                    } catch (IIOInvalidTreeException e) {
                        // Not TIFF IFD metadata after all: fall back to the colour space below.
                    }
                }
                default -> { }
            }
        }
        ColorSpace cs = cm.getColorSpace();
        boolean builtIn = cs == ColorSpace.getInstance(ColorSpace.CS_sRGB)
                || cs == ColorSpace.getInstance(ColorSpace.CS_GRAY)
                || cs == ColorSpace.getInstance(ColorSpace.CS_LINEAR_RGB);
        return cs instanceof ICC_ColorSpace icc && !builtIn ? icc.getProfile().getData() : null;
    }

    public static void write(PlanarImage image, Path target) throws IOException {
        write(image, target, DEFAULT_JPEG_QUALITY);
    }

    /**
     * Writes {@code image} atomically to {@code target}, in the format its extension names or, without a known
     * extension, in the source's format. Written in the source's format, the source's metadata goes with it; in
     * another format only the ICC profile does (the metadata module carries the rest). JPEG output refuses images
     * with alpha, and 16-bit images are written to JPEG with 8 bits.
     */
    public static void write(PlanarImage image, Path target, float jpegQuality) throws IOException {
        if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], got " + jpegQuality);
        }
        ImageFormat format = ImageFormat.forPath(target).orElse(image.format());
        if (!format.writable()) {
            throw new UnsupportedImageException(target + ": cannot write " + format
                    + " (no maintained pure-Java encoder); write to a .png file instead");
        }
        if (format == ImageFormat.JPEG && image.hasAlpha()) {
            throw new UnsupportedImageException(target + ": JPEG has no alpha channel and this image has one;"
                    + " write it as PNG or TIFF to keep its transparency");
        }
        BufferedImage out = toBufferedImage(image, format == ImageFormat.JPEG ? 8 : image.bitDepth());
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format.imageIoName()).next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == ImageFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(jpegQuality);
            }
            IIOMetadata metadata = format != image.format() || image.metadata() == null
                    ? freshMetadata(writer, out, param, format, image.iccProfile())
                    : format == ImageFormat.PNG ? pngMetadata(writer, out, param, image.metadata())
                    : image.metadata();
            AtomicFiles.write(target, stream -> {
                // Closing flushes the cache into the stream; the stream itself is closed by AtomicFiles.
                try (ImageOutputStream ios = new MemoryCacheImageOutputStream(stream)) {
                    writer.setOutput(ios);
                    writer.write(null, new IIOImage(out, null, metadata), param);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new IOException(target + ": cannot write " + format + " (" + describe(e) + ")", e);
        } finally {
            writer.dispose();
        }
    }

    /** PNG chunks that describe the sample layout: the writer derives them from the image being written. */
    private static final List<String> PNG_LAYOUT_CHUNKS = List.of("IHDR", "PLTE", "tRNS", "hIST", "sBIT");

    /**
     * The source's PNG metadata with its layout chunks replaced by the written image's: a palette source is written
     * as RGB(A), and the JDK reader turns tRNS into an alpha channel, so the source's PLTE/tRNS would contradict the
     * pixels (the JDK writer then emits a corrupt tRNS chunk). A palette source's bKGD is a palette index, so it goes
     * too. Text, ICC, gamma, physical size, time and unknown chunks are kept.
     */
    private static IIOMetadata pngMetadata(ImageWriter writer, BufferedImage image, ImageWriteParam param,
            IIOMetadata source) throws IOException {
        IIOMetadataNode tree = (IIOMetadataNode) source.getAsTree(PNG_NATIVE);
        Node header = findNode(tree, "IHDR", null, null);
        boolean palette = header != null && "Palette".equals(attribute(header, "colorType"));
        for (Node child = tree.getFirstChild(); child != null; ) {
            Node next = child.getNextSibling();
            if (PNG_LAYOUT_CHUNKS.contains(child.getNodeName()) || palette && child.getNodeName().equals("bKGD")) {
                tree.removeChild(child);
            }
            child = next;
        }
        IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        metadata.mergeTree(PNG_NATIVE, tree);
        return metadata;
    }

    /** Metadata for a write in another format than the source's: the writer's defaults plus the ICC profile. */
    private static IIOMetadata freshMetadata(ImageWriter writer, BufferedImage image, ImageWriteParam param,
            ImageFormat format, byte[] icc) throws IOException {
        IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        if (icc != null && format == ImageFormat.PNG) {
            IIOMetadataNode root = new IIOMetadataNode(PNG_NATIVE);
            IIOMetadataNode iccp = new IIOMetadataNode("iCCP");
            iccp.setAttribute("profileName", "ICC profile");
            iccp.setAttribute("compressionMethod", "deflate");
            iccp.setUserObject(icc);
            root.appendChild(iccp);
            metadata.mergeTree(PNG_NATIVE, root);
        }
        // JPEG and TIFF writers embed the profile of the image's ICC colour space themselves.
        return metadata;
    }

    private static BufferedImage toBufferedImage(PlanarImage image, int bits) {
        int w = image.width();
        int h = image.height();
        int channels = image.channels();
        ColorModel cm = new ComponentColorModel(image.colorSpace(), image.hasAlpha(), false,
                image.hasAlpha() ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                bits == 16 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        float[] planes = image.colour().data();
        // Alpha keeps its samples: JPEG, the only format written at another depth, refuses alpha above.
        int[] alpha = image.hasAlpha() ? image.alphaSamples() : null;
        int max = (1 << bits) - 1;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < channels; c++) {
                int base = (c * h + y) * w;
                for (int x = 0; x < w; x++) {
                    row[x] = quantise(planes[base + x], max);
                }
                raster.setSamples(0, y, w, 1, c, row);
            }
            if (alpha != null) {
                System.arraycopy(alpha, y * w, row, 0, w);
                raster.setSamples(0, y, w, 1, channels, row);
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** Round to nearest after clamping to [0,1]; the one quantiser, so equal inputs give equal bytes. */
    static int quantise(float v, int max) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * max);
    }

    private static Node findNode(IIOMetadata metadata, String formatName, String name, String attr, String value) {
        if (metadata == null || !Arrays.asList(metadata.getMetadataFormatNames()).contains(formatName)) {
            return null;
        }
        return findNode(metadata.getAsTree(formatName), name, attr, value);
    }

    private static Node findNode(Node node, String name, String attr, String value) {
        if (node.getNodeName().equals(name) && (attr == null || value.equals(attribute(node, attr)))) {
            return node;
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNextSibling()) {
            Node found = findNode(child, name, attr, value);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String attribute(Node node, String name) {
        Node a = node.getAttributes() == null ? null : node.getAttributes().getNamedItem(name);
        return a == null ? null : a.getNodeValue();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.toString();
    }
}
