package org.scrim.engine.imageio;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The file formats Scrim reads, with the javax.imageio format name, the media type and the file extensions of each.
 * Which of them Scrim writes is said here only ({@link #writableFormats}): the CLI, the service, Krita (through the
 * service's health answer) and ImageJ all ask.
 */
public enum ImageFormat {
    PNG("png", "image/png", true, "png"),
    JPEG("jpeg", "image/jpeg", true, "jpg", "jpeg", "jpe", "jfif"),
    TIFF("tiff", "image/tiff", true, "tif", "tiff"),
    /** Read through the TwelveMonkeys plugin, which cannot encode: a protected WebP image goes to another format. */
    WEBP("webp", "image/webp", false, "webp");

    private final String imageIoName;
    private final String mediaType;
    private final boolean writable;
    private final List<String> extensions;

    ImageFormat(String imageIoName, String mediaType, boolean writable, String... extensions) {
        this.imageIoName = imageIoName;
        this.mediaType = mediaType;
        this.writable = writable;
        this.extensions = List.of(extensions);
    }

    /** The formats Scrim writes, in order of preference (PNG first: lossless, and alpha is kept). */
    public static List<ImageFormat> writableFormats() {
        return Stream.of(values()).filter(ImageFormat::writable).toList();
    }

    /** Every file extension (lower case, no dot) of the formats Scrim writes, preferred first. */
    public static List<String> writableExtensions() {
        return writableFormats().stream().flatMap(f -> f.extensions.stream()).toList();
    }

    /** The file extensions of this format, lower case without the dot; the first is the usual one. */
    public List<String> extensions() {
        return extensions;
    }

    /** The media type (MIME) of this format, as an HTTP answer names it. */
    public String mediaType() {
        return mediaType;
    }

    public String imageIoName() {
        return imageIoName;
    }

    public boolean writable() {
        return writable;
    }

    /** The format a file name's extension names, if any. */
    public static Optional<ImageFormat> forPath(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : forExtension(name.substring(dot + 1));
    }

    /** The format a file extension (without the dot, any case) names, if any. */
    public static Optional<ImageFormat> forExtension(String extension) {
        String ext = extension.toLowerCase(Locale.ROOT);
        return Stream.of(values()).filter(f -> f.extensions.contains(ext)).findFirst();
    }

    /** The format among javax.imageio format names (a reader's provider lists several spellings), if supported. */
    static Optional<ImageFormat> forImageIoNames(String[] names) {
        for (String n : names) {
            String lower = n.toLowerCase(Locale.ROOT);
            for (ImageFormat f : values()) {
                if (f.imageIoName.equals(lower) || f.extensions.contains(lower)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }
}
