package org.scrim.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;

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

    /** The seven shared images, the benchmarks' default set, as a comma-separated list of names. */
    private static final String IMAGES =
            "astronaut.png,chelsea.png,coffee.png,rocket.jpg,shipwreck.jpg,starry_night.jpg,the_scream.jpg";

    /** The images a benchmark's argument {@code index} names, comma-separated; absent or "all": the seven. */
    public static List<String> images(String[] args, int index) {
        return List.of((args.length > index && !args[index].equals("all") ? args[index] : IMAGES).split(","));
    }

    /** The product's default encoders by name, loaded from the shared models (never downloaded). */
    public static Map<String, SurrogateEncoder> defaultEncoders() throws IOException {
        ModelStore store = new ModelStore(List.of(path("models")), path("models"), false);
        Map<String, SurrogateEncoder> encoders = new LinkedHashMap<>();
        for (String name : ModelStore.DEFAULT_ENCODERS) {
            encoders.put(name, store.surrogate(name));
        }
        return encoders;
    }
}
