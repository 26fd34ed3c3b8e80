package org.scrim.engine.config;

import java.nio.file.Path;

/**
 * Where Scrim keeps per-user files, named once for every front door (CLI, service, ImageJ, Spark) and for
 * {@code scrim info}, which hands the service's state file to the Krita plugin so that it computes no path itself.
 * Settings and the signing key live under {@code $XDG_CONFIG_HOME/scrim} (else {@code ~/.config/scrim}); what can be
 * fetched or rebuilt (model weights, the running service's port and token) under {@code ~/.cache/scrim}.
 */
public final class UserFolders {
    /** Overrides the configuration folder (tests, or a portable install). */
    public static final String CONFIG_PROPERTY = "scrim.config.dir";

    private UserFolders() {}

    /** The configuration folder; {@code C2paSigner} keeps the per-user signing key in its {@code c2pa} folder. */
    public static Path config() {
        String override = System.getProperty(CONFIG_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "scrim");
        }
        return Path.of(System.getProperty("user.home"), ".config", "scrim");
    }

    /** Where downloaded model weights are kept, and looked for last. */
    public static Path modelCache() {
        return cache().resolve("models");
    }

    /** Where {@code scrim serve} writes its port and token when no state file is named: where the plugins look. */
    public static Path serviceStateFile() {
        return cache().resolve("service.json");
    }

    private static Path cache() {
        return Path.of(System.getProperty("user.home"), ".cache", "scrim");
    }
}
