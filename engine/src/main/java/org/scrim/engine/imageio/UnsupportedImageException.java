package org.scrim.engine.imageio;

import java.io.IOException;

/**
 * A readable file that Scrim refuses to process or write: an unsupported format, several frames, CMYK, an unusual
 * sample type, or more pixels than the configured limit. Other {@link IOException}s mean the file itself could not
 * be read (missing, unreadable, empty, truncated, corrupt).
 */
public class UnsupportedImageException extends IOException {
    public UnsupportedImageException(String message) {
        super(message);
    }
}
