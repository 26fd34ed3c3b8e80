package org.scrim.imagej;

import ij.ImagePlus;
import ij.io.FileInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.statement.Provenance;

/**
 * What Scrim did to an image: what a protect command recorded on it in this session (image properties), else the
 * Scrim provenance in the XMP of the file it was opened from, read as {@code scrim verify} reads it.
 */
final class Recorded {
    private Recorded() {}

    /** The image's protection, or null when neither the session nor its file says it was protected. */
    static Provenance protection(ImagePlus imp) {
        String mode = imp.getProp(Protect_Image.PROP_MODE);
        if (mode != null) {
            String seed = imp.getProp(Protect_Image.PROP_SEED);
            return new Provenance(mode, imp.getProp(Protect_Image.PROP_PRESET), imp.getProp(Protect_Image.PROP_MODEL),
                    Provenance.scrimVersion(), imp.getProp(Protect_Image.PROP_DECOY),
                    seed == null ? null : Long.valueOf(seed));
        }
        Path file = openedFrom(imp);
        if (file == null) {
            return null;
        }
        try {
            return inFile(file);
        } catch (IOException | RuntimeException e) {
            return null;        // a file whose metadata cannot be read records nothing usable
        }
    }

    /** The Scrim protection the file's XMP records, or null when it records none. */
    static Provenance inFile(Path file) throws IOException {
        Provenance p = MetadataReader.read(file).provenance();
        return p == null || "none".equals(p.protection()) ? null : p;
    }

    /** The file the image was opened from, when it is still there. */
    static Path openedFrom(ImagePlus imp) {
        FileInfo info = imp.getOriginalFileInfo();
        if (info == null || info.fileName == null || info.directory == null || info.directory.isEmpty()) {
            return null;
        }
        Path file = Path.of(info.getFilePath());
        return Files.isRegularFile(file) ? file : null;
    }
}
