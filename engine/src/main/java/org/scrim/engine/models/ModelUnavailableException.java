package org.scrim.engine.models;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file is nowhere on this machine and could not be downloaded. The message speaks to a command-line user;
 * front ends with their own settings (the editors) build theirs from the parts.
 */
public class ModelUnavailableException extends IOException {
    private final String fileName;
    private final String reason;
    private final Path cacheDir;

    ModelUnavailableException(String fileName, String url, String reason, Path cacheDir, Throwable cause) {
        super("could not download " + fileName + " from " + url + " (" + reason + "). If this machine is offline, "
                + "copy the file into " + cacheDir + " or a folder named by SCRIM_MODELS", cause);
        this.fileName = fileName;
        this.reason = reason;
        this.cacheDir = cacheDir;
    }

    /** The missing file's name, e.g. taef2_encoder.pth. */
    public String fileName() {
        return fileName;
    }

    /** Why the download failed, in words (never null). */
    public String reason() {
        return reason;
    }

    /** The folder a download goes to, searched on every run. */
    public Path cacheDir() {
        return cacheDir;
    }
}
