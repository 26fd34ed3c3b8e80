package org.scrim.engine.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared data beside the checkout (models, images, golden references). A test that needs it fails with
 * a message saying what is missing; it never passes silently.
 */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String configured = System.getProperty("scrim.shared", System.getenv("SCRIM_SHARED"));
        Path root = Path.of(configured != null ? configured : "../shared").toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared test data not found at " + root
                    + ": check out the project beside its ../shared folder or set -Dscrim.shared=DIR");
        }
        return root;
    }

    /** A file or folder under the shared data, which must exist. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("shared test data is missing " + p);
        }
        return p;
    }
}
