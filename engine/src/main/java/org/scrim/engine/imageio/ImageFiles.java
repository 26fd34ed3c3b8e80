package org.scrim.engine.imageio;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
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
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFImageReadParam;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.scrim.engine.tensor.HeapNeed;
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
 *       decompression bombs; so is what a PNG's compressed metadata inflates to ({@link PngInflation}).</li>
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
 *   <li>Known gap: writing a JPEG whose ICC profile is not sRGB is only verified for JFIF files as the JDK writes
 *       them (rocket.jpg); for EXIF-only JPEGs, PNG/TIFF-to-JPEG and some third-party profiles the JDK JPEG writer
 *       recodes colours or swaps the profile (see the disabled tests in ImageFilesMetadataTest).</li>
 * </ul>
 */
public final class ImageFiles {
    /** Refuse images with more pixels than this unless the caller raises the limit. */
    public static final long DEFAULT_MAX_PIXELS = 200_000_000L;
    /** JPEG quality (0..1) used when writing: high, since the perturbation must survive the artist's own save. */
    public static final float DEFAULT_JPEG_QUALITY = 0.95f;

    /**
     * The image files a command-line path stands for: a file itself, or the files with an image extension directly
     * inside a folder, sorted by name. Hidden files are not images of the folder: they include Scrim's own staging
     * files ({@code .scrim-*}, {@code .NAME.*.tmp}) that an interrupted run may leave behind.
     */
    public static List<Path> imagesIn(Path fileOrFolder) throws IOException {
        if (!Files.isDirectory(fileOrFolder)) {
            if (!Files.exists(fileOrFolder)) {
                throw new NoSuchFileException(fileOrFolder.toString(), null, "no such file or folder");
            }
            return List.of(fileOrFolder);
        }
        try (Stream<Path> files = Files.list(fileOrFolder)) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)
                    && ImageFormat.forPath(f).isPresent()).sorted().toList();
        }
    }

    /** More pages than this are not counted further (a crafted chain could be as long as the file allows). */
    private static final int MAX_TIFF_PAGES = 10_000;
    private static final String PNG_NATIVE = "javax_imageio_png_1.0";
    private static final String JPEG_NATIVE = "javax_imageio_jpeg_image_1.0";

    static {
        // ImageIO finds readers on the class path the JVM started with; a host that loads Scrim with a class loader
        // of its own (ImageJ's plugins folder, Fiji, Spark) hides the WebP reader from it unless it is named here.
        IIORegistry.getDefaultInstance().registerServiceProvider(new WebPImageReaderSpi());
    }

    private ImageFiles() {}

    public static PlanarImage read(Path path) throws IOException {
        return read(path, DEFAULT_MAX_PIXELS);
    }

    /** The format of an image file by its content, whatever its name; empty when no reader Scrim uses knows it. */
    public static Optional<ImageFormat> formatOf(Path path) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            return readers == null || !readers.hasNext() ? Optional.empty()
                    : ImageFormat.forImageIoNames(readers.next().getOriginatingProvider().getFormatNames());
        }
    }

    /** An image's size in pixels. */
    public record Size(int width, int height) {}

    /** The size an image file's header gives, read without decoding any pixels. */
    public static Size size(Path path) throws IOException {
        checkReadable(path);
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new UnsupportedImageException(
                        path + ": unsupported or unrecognised format (Scrim reads PNG, JPEG, TIFF and WebP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new Size(reader.getWidth(0), reader.getHeight(0));
            } catch (IOException | RuntimeException e) {
                throw new IOException(path + ": cannot read the image's header (" + describe(e) + ")", e);
            } finally {
                reader.dispose();
            }
        }
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
                if (format == ImageFormat.PNG) {
                    try (InputStream png = new BufferedInputStream(Files.newInputStream(path))) {
                        PngInflation.check(path, png);
                    }
                }
                String unsupportedJpeg = format == ImageFormat.JPEG ? JpegCoding.unsupportedProcess(in) : null;
                if (unsupportedJpeg != null) {
                    throw new UnsupportedImageException(path + ": is " + unsupportedJpeg + ", which Java's JPEG "
                            + "decoder cannot read; re-save it as an ordinary (Huffman-coded) JPEG or as PNG first");
                }
                long misplacedJfif = format == ImageFormat.JPEG ? JfifOrder.misplacedJfif(in) : -1;
                if (misplacedJfif >= 0) {
                    byte[] reordered = JfifOrder.jfifFirst(Files.readAllBytes(path), misplacedJfif);
                    try (ImageInputStream fixed = new MemoryCacheImageInputStream(
                            new ByteArrayInputStream(reordered))) {
                        reader.setInput(fixed, false, false);
                        return decode(path, reader, fixed, format, maxPixels);
                    }
                }
                reader.setInput(in, false, false);
                return decode(path, reader, in, format, maxPixels);
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

    /**
     * The JDK's TIFF decoder sizes its buffers from the samples per pixel and bits per sample the header claims; a
     * 211-byte file claiming 256 samples of up to 10245 bits made it run out of memory (found by fuzzing). Images
     * have at most 5 samples (CMYK with alpha) of at most 32 bits.
     */
    private static void checkTiffSamples(Path path, IIOMetadata metadata) throws IOException {
        TIFFDirectory ifd = TIFFDirectory.createFromMetadata(metadata);
        TIFFField samples = ifd.getTIFFField(BaselineTIFFTagSet.TAG_SAMPLES_PER_PIXEL);
        int perPixel = samples == null ? 1 : samples.getAsInt(0);
        if (perPixel < 1 || perPixel > 5) {
            throw new UnsupportedImageException(path + ": TIFF header claims " + perPixel
                    + " samples per pixel; images have 1 to 5");
        }
        TIFFField bits = ifd.getTIFFField(BaselineTIFFTagSet.TAG_BITS_PER_SAMPLE);
        for (int b : bits == null ? new int[] {1} : bits.getAsInts()) {
            if (b < 1 || b > 32) {
                throw new UnsupportedImageException(path + ": TIFF header claims " + b
                        + " bits per sample; images have 1 to 32");
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

    private static PlanarImage decode(Path path, ImageReader reader, ImageInputStream in, ImageFormat format,
            long maxPixels) throws IOException {
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
        requireHeapToDecode(path, reader, pixels, Runtime.getRuntime().maxMemory());
        // JPEG is excluded: the JDK counts data appended after the end marker (MPF) as further images.
        if (format == ImageFormat.TIFF || format == ImageFormat.WEBP) {
            int frames = format == ImageFormat.TIFF ? tiffPageCount(path, in) : reader.getNumImages(true);
            if (frames > 1) {
                throw new UnsupportedImageException(path + ": has " + frames + (format == ImageFormat.TIFF
                        ? " pages" : " animation frames")
                        + "; Scrim protects single images only, split the file and protect each image");
            }
        }
        if (format == ImageFormat.TIFF) {
            checkTiffSamples(path, reader.getImageMetadata(0));
        }
        ImageReadParam param = reader.getDefaultReadParam();
        IIOMetadata metadata = null;
        if (param instanceof TIFFImageReadParam tiff) {
            // The JDK drops TIFF fields outside the tag sets it knows (XMP, IPTC, Photoshop) unless asked, and the
            // header was already parsed without them: start the reader over with the request.
            tiff.setReadUnknownTags(true);
            in.seek(0);
            reader.setInput(in, false, false);
        } else {
            metadata = reader.getImageMetadata(0);
            checkSingleRgbImage(path, format, metadata);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0, param);
        if (!warnings.isEmpty()) {
            throw new IOException(path + ": damaged or truncated image data (" + String.join("; ", warnings) + ")");
        }
        if (metadata == null) {
            metadata = reader.getImageMetadata(0);
        }
        byte[] icc = switch (format) {
            case PNG -> pngIcc(metadata);
            case JPEG -> IccSegments.readJpeg(in);
            case TIFF -> IccSegments.readTiff(metadata);
            case WEBP -> decodedIcc(image.getColorModel());
        };
        return toPlanar(path, image, format, icc, metadata);
    }

    /**
     * Refuses, from the header, an image whose decoding needs more heap than Java may take: the decoder's raster and
     * the planes of floats it becomes. A small file can claim a huge image (570 KB of PNG for 14000x14000 zeros).
     */
    static void requireHeapToDecode(Path path, ImageReader reader, long pixels, long available) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        int bands = type == null ? 4 : type.getNumBands();
        int rasterBits = 0;
        for (int b = 0; b < bands; b++) {
            rasterBits += type == null ? 16 : Math.max(8, type.getBitsPerBand(b));
        }
        String shortfall = HeapNeed.shortfall(path + ": " + pixels + " pixels", "decode",
                pixels * (rasterBits / 8 + (long) Float.BYTES * bands), available);
        if (shortfall != null) {
            throw new UnsupportedImageException(shortfall);
        }
    }

    private static int tiffPageCount(Path path, ImageInputStream in) throws IOException {
        int pages;
        try {
            pages = TiffDirectories.count(in, MAX_TIFF_PAGES);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        if (pages > MAX_TIFF_PAGES) {
            throw new UnsupportedImageException(path + ": has more than " + MAX_TIFF_PAGES + " pages; Scrim "
                    + "protects single images only");
        }
        return pages;
    }

    /** Refuses animated PNGs and CMYK JPEGs, which the JDK would read as something else than they are. */
    private static void checkSingleRgbImage(Path path, ImageFormat format, IIOMetadata metadata)
            throws UnsupportedImageException {
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
        return new PlanarImage(new Tensor(planes, channels, h, w), alpha, bits, format, icc, metadata, cs);
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
        return new PlanarImage(new Tensor(planes, channels, h, w), alpha, 8, format, icc, metadata,
                palette.getColorSpace());
    }

    /** The PNG's profile, inflated: the JDK keeps the iCCP chunk's deflated bytes as they are in the file. */
    private static byte[] pngIcc(IIOMetadata metadata) throws IOException {
        Node iccp = findNode(metadata, PNG_NATIVE, "iCCP", null, null);
        if (iccp == null || !(((IIOMetadataNode) iccp).getUserObject() instanceof byte[] compressed)) {
            return null;
        }
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        } catch (ZipException e) {
            throw new IOException("damaged iCCP chunk (ICC profile): " + e.getMessage(), e);
        }
    }

    private static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflater = new DeflaterOutputStream(out)) {
            deflater.write(data);
        }
        return out.toByteArray();
    }

    /**
     * The profile of the decoder's colour space unless it is a built-in default. Only for WebP, whose reader gives
     * no raw bytes: ICC_Profile.getData() re-serialises, so these are equivalent but not necessarily equal bytes.
     */
    private static byte[] decodedIcc(ColorModel cm) {
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
     * another format the ICC profile does, and a JPEG's EXIF orientation and artist ({@link ExifTransfer}); the
     * metadata module carries the XMP. JPEG output refuses images
     * with alpha, and 16-bit images are written to JPEG with 8 bits.
     */
    public static void write(PlanarImage image, Path target, float jpegQuality) throws IOException {
        if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], got " + jpegQuality);
        }
        ImageFormat format = writableFormat(target, image);
        BufferedImage out = toBufferedImage(image, format);
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format.imageIoName()).next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format == ImageFormat.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(jpegQuality);
                // Huffman tables made for the data written: a source's optimised tables (Photoshop, mozjpeg, GIMP,
                // Krita) code only the symbols of its own data, and new data coded with them is corrupt.
                ((JPEGImageWriteParam) param).setOptimizeHuffmanTables(true);
            }
            IIOMetadata metadata = metadataFor(writer, out, param, format, image);
            AtomicFiles.write(target, stream -> {
                // Closing flushes the cache into the stream; the stream itself is closed by AtomicFiles.
                try (ImageOutputStream ios = new MemoryCacheImageOutputStream(stream)) {
                    writer.setOutput(ios);
                    writer.write(null, new IIOImage(out, null, metadata), param);
                }
            }, written -> requireWhole(written, target));
        } catch (IOException | RuntimeException e) {
            throw new IOException(target + ": cannot write " + format + " (" + describe(e) + ")", e);
        } finally {
            writer.dispose();
        }
    }

    /**
     * Decodes all of a file just written and throws unless it decodes whole, naming {@code target}, the file it is
     * about to become: no image Scrim encodes replaces anything before this holds.
     */
    public static void requireWhole(Path written, Path target) throws IOException {
        try {
            decodeAll(written);
        } catch (IOException | RuntimeException e) {
            throw new IOException(target + ": the file written does not decode back whole (" + describe(e)
                    + "); nothing was replaced", e);
        }
    }

    /** Whether Java's decoders read all of {@code file} without an error or a warning. */
    public static boolean decodesWhole(Path file) {
        try {
            decodeAll(file);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Decodes every byte of the image data, the pixels subsampled 4x4 so that only a sixteenth of them is held; a
     * decoder warning (bad Huffman code, truncated data) is an error.
     */
    private static void decodeAll(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException("not a readable image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(4, 4, 0, 0);
                reader.read(0, param);
                if (!warnings.isEmpty()) {
                    throw new IOException(String.join("; ", warnings));
                }
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * The format {@link #write} would write {@code image} to {@code target} in, refused now when Scrim cannot write it
     * there: callers check before the work, not after it.
     */
    public static ImageFormat writableFormat(Path target, PlanarImage image) throws UnsupportedImageException {
        ImageFormat format = ImageFormat.forPath(target).orElse(image.format());
        if (!format.writable()) {
            throw new UnsupportedImageException(target + ": Scrim cannot write " + format
                    + " (no maintained pure-Java encoder); name a .png output (-o NAME.png) to keep it lossless");
        }
        if (format == ImageFormat.JPEG && image.hasAlpha()) {
            throw new UnsupportedImageException(target + ": JPEG has no alpha channel and this image has one;"
                    + " write it as PNG or TIFF to keep its transparency");
        }
        return format;
    }

    /**
     * A 1-bit source is written as 8-bit gray (a perturbation needs the levels), which the CCITT fax compressions
     * of its metadata cannot hold: such a file is written with LZW, lossless as they are.
     */
    private static IIOMetadata withoutFaxCompression(IIOMetadata tiff) throws IOException {
        TIFFDirectory directory = TIFFDirectory.createFromMetadata(tiff);
        TIFFField compression = directory.getTIFFField(BaselineTIFFTagSet.TAG_COMPRESSION);
        if (compression == null || !List.of(BaselineTIFFTagSet.COMPRESSION_CCITT_RLE,
                BaselineTIFFTagSet.COMPRESSION_CCITT_T_4, BaselineTIFFTagSet.COMPRESSION_CCITT_T_6)
                .contains(compression.getAsInt(0))) {
            return tiff;
        }
        directory.addTIFFField(new TIFFField(compression.getTag(), BaselineTIFFTagSet.COMPRESSION_LZW));
        directory.removeTIFFField(BaselineTIFFTagSet.TAG_T4_OPTIONS);
        directory.removeTIFFField(BaselineTIFFTagSet.TAG_T6_OPTIONS);
        directory.removeTIFFField(BaselineTIFFTagSet.TAG_FILL_ORDER);
        return directory.getAsMetadata();
    }

    /** PNG chunks that describe the sample layout: the writer derives them from the image being written. */
    private static final List<String> PNG_LAYOUT_CHUNKS = List.of("IHDR", "PLTE", "tRNS", "hIST", "sBIT", "iCCP");

    /**
     * The metadata to write: the source's when writing its own format, else the writer's defaults; in both cases
     * with the source's ICC profile bytes put in as they were.
     */
    private static IIOMetadata metadataFor(ImageWriter writer, BufferedImage out, ImageWriteParam param,
            ImageFormat format, PlanarImage image) throws IOException {
        IIOMetadata defaults = writer.getDefaultImageMetadata(new ImageTypeSpecifier(out), param);
        IIOMetadata source = format == image.format() ? image.metadata() : null;
        byte[] icc = image.iccProfile();
        switch (format) {
            case PNG -> {
                IIOMetadataNode tree = source == null ? new IIOMetadataNode(PNG_NATIVE) : pngAncillary(source);
                if (icc != null) {
                    IIOMetadataNode iccp = new IIOMetadataNode("iCCP");
                    iccp.setAttribute("profileName", "ICC profile");
                    iccp.setAttribute("compressionMethod", "deflate");
                    iccp.setUserObject(deflate(icc));
                    tree.appendChild(iccp);
                }
                byte[] exif = image.format() == ImageFormat.JPEG ? ExifTransfer.fromJpeg(image.metadata(), JPEG_NATIVE)
                        : null;
                if (exif != null) {
                    tree.appendChild(ExifTransfer.pngChunk(exif));
                }
                defaults.mergeTree(PNG_NATIVE, tree);
                return defaults;
            }
            case JPEG -> {
                // The profile travels as the image's colour space (outputColorSpace); the writer's defaults for
                // such an image carry it.
                return source != null ? source : defaults;
            }
            case TIFF -> {
                byte[] exif = image.format() == ImageFormat.JPEG ? ExifTransfer.fromJpeg(image.metadata(), JPEG_NATIVE)
                        : null;
                IIOMetadata tiff = exif != null ? ExifTransfer.intoTiff(defaults, exif)
                        : source != null ? withoutFaxCompression(source)
                        : defaults;
                return IccSegments.replaceInTiff(tiff, icc);
            }
            default -> throw new IllegalStateException("no metadata rules for writing " + format);
        }
    }

    /**
     * The source's PNG chunks less those describing its sample layout: a palette source is written as RGB(A), and
     * the JDK reader turns tRNS into an alpha channel, so the source's PLTE/tRNS would contradict the pixels (the
     * JDK writer then emits a corrupt tRNS chunk). A palette source's bKGD is a palette index, so it goes too.
     * Text, gamma, physical size, time and unknown chunks are kept; iCCP is put back by the caller.
     */
    private static IIOMetadataNode pngAncillary(IIOMetadata source) {
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
        return tree;
    }

    private static BufferedImage toBufferedImage(PlanarImage image, ImageFormat format) {
        int bits = format == ImageFormat.JPEG ? 8 : image.bitDepth();
        int w = image.width();
        int h = image.height();
        int channels = image.channels();
        ColorSpace cs = outputColorSpace(image, format);
        ColorModel cm = new ComponentColorModel(cs, image.hasAlpha(), false,
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

    /**
     * PNG and TIFF get a built-in colour space, which keeps the JDK writers from embedding a re-serialised copy of
     * an ICC colour space's profile: the file's own profile bytes travel in the metadata (metadataFor). The JDK JPEG
     * writer embeds the image's colour space profile itself and recodes the pixels unless that is the decoder's very
     * colour space object, so a JPEG written back gets the decoded colour space, and a JPEG made from another format
     * a colour space of the source's profile (written as ICC_Profile.getData() gives it: the same profile, not the
     * same bytes).
     */
    private static ColorSpace outputColorSpace(PlanarImage image, ImageFormat format) {
        ColorSpace builtIn = ColorSpace.getInstance(image.channels() == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        if (format != ImageFormat.JPEG) {
            return builtIn;
        }
        ColorSpace cs = image.format() == ImageFormat.JPEG ? image.decodedColorSpace()
                : image.iccProfile() != null ? new ICC_ColorSpace(ICC_Profile.getInstance(image.iccProfile()))
                : builtIn;
        return cs.getNumComponents() == image.channels() ? cs : builtIn;
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
