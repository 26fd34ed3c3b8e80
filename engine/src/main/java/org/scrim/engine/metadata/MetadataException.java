package org.scrim.engine.metadata;

import java.io.IOException;
import java.nio.file.Path;

/** An image whose metadata cannot be read or written: unsupported format, corrupt container or broken XMP. */
public class MetadataException extends IOException {
    public MetadataException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public MetadataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
