package org.scrim.imagej;

import java.io.IOException;
import java.nio.file.Path;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.usecase.FileProtector;

/**
 * Protects an image file into another. Apart from the SciJava command that also uses it, so Protect Folder... runs
 * in plain ImageJ 1.x, where SciJava's classes are missing.
 */
final class ImageFileProtection {
    private ImageFileProtection() {}

    /**
     * Reads {@code input}, protects it and writes {@code output}, tagged "no AI training" with what was done unless
     * {@code tags} is false; returns the decoy used, or null.
     */
    static String protect(ScrimOptions.Engine engine, Path input, Path output, ProtectRequest request,
            boolean tags, ProgressListener progress) throws IOException {
        return engine.fileProtector().protect(input, output, request,
                tags ? FileProtector.Tagging.prohibitAiTraining() : null, false, progress).decoy();
    }
}
