package org.scrim.engine.imageio;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The file formats Scrim reads, with the javax.imageio format name and the file extensions of each. */
public enum ImageFormat {
    PNG("png", true, "png"),
    JPEG("jpeg", true, "jpg", "jpeg", "jpe", "jfif"),
    TIFF("tiff", true, "tif", "tiff"),
    /** Read through the TwelveMonkeys plugin, which cannot encode: a protected WebP image goes to another format. */
    WEBP("webp", false, "webp");

    private final String imageIoName;
    private final boolean writable;
    private final List<String> extensions;

    ImageFormat(String imageIoName, boolean writable, String... extensions) {
        this.imageIoName = imageIoName;
        this.writable = writable;
        this.extensions = List.of(extensions);
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
        if (dot < 0) {
            return Optional.empty();
        }
        String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (ImageFormat f : values()) {
            if (f.extensions.contains(ext)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
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
