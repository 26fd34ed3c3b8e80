package org.scrim.engine.c2pa;

import java.nio.file.Path;

/** Where Scrim keeps per-user state: {@code $XDG_CONFIG_HOME/scrim}, else {@code ~/.config/scrim}. */
public final class ScrimConfig {
    /** Overrides the folder (tests, or a portable install). */
    public static final String DIRECTORY_PROPERTY = "scrim.config.dir";

    private ScrimConfig() {}

    public static Path directory() {
        String override = System.getProperty(DIRECTORY_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "scrim");
        }
        return Path.of(System.getProperty("user.home"), ".config", "scrim");
    }
}
