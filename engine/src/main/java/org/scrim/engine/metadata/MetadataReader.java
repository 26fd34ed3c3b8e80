package org.scrim.engine.metadata;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.scrim.engine.imageio.PngInflation;

/** Reads the rights statement of a PNG, JPEG, TIFF or WebP file. */
public final class MetadataReader {
    private MetadataReader() {}

    public static EmbeddedTags read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ImageContainer container = containerOf(file, bytes);
        String xml = readXmp(file, container, bytes);
        if (xml == null) {
            return EmbeddedTags.none(container);
        }
        return EmbeddedTags.from(container, parse(file, xml));
    }

    static ImageContainer containerOf(Path file, byte[] bytes) throws MetadataException {
        ImageContainer c = ImageContainer.detect(bytes);
        if (c == null) {
            throw new MetadataException(file, "not a PNG, JPEG, TIFF or WebP file; Scrim can only tag those");
        }
        return c;
    }

    static String readXmp(Path file, ImageContainer container, byte[] bytes) throws IOException {
        if (container == ImageContainer.PNG) {
            PngInflation.check(file, new ByteArrayInputStream(bytes));
        }
        try {
            return container.readXmp(bytes);
        } catch (IOException | RuntimeException e) {
            // Commons Imaging reports some malformed files with runtime exceptions (e.g. bad offsets).
            throw new MetadataException(file, "cannot read this " + container + " file (corrupt?): " + e, e);
        }
    }

    static XmpPacket parse(Path file, String xml) throws MetadataException {
        try {
            return XmpPacket.parse(xml);
        } catch (IOException e) {
            throw new MetadataException(file, e.getMessage(), e);
        }
    }
}
