package org.scrim.imagej;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.metadata.NoAiTags;
import org.scrim.engine.metadata.Provenance;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;

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
        PlanarImage image = ImageFiles.read(input);
        Protector.Protection p = engine.protector().protect(image.toRgbTensor(), request, progress);
        PlanarImage result = image.withRgb(p.image());
        String decoyUsed = p.decoy() == null ? null : p.decoy().cliName();
        if (tags) {
            MetadataWriter.writeTagged(output, staged -> ImageFiles.write(result, staged),
                    NoAiTags.prohibitAiTraining(new Provenance(request.mode().name().toLowerCase(Locale.ROOT),
                            request.preset().name().toLowerCase(Locale.ROOT), engine.model(),
                            Provenance.scrimVersion(), decoyUsed, request.seed())));
        } else {
            ImageFiles.write(result, output);
        }
        return decoyUsed;
    }
}
