package org.scrim.engine.protect;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Procedural restylings used as targets: same layout as the image, a different style. See {@link Decoys}. */
public enum Decoy {
    /** Few flat colour levels per channel, cartoon-like. */
    POSTERIZE,
    /** Square tiles of the cell's mean colour with dark grout lines. */
    MOSAIC,
    /** Two-colour engraving: ink hatching whose thickness follows darkness. */
    WOODCUT,
    /** Pencil lines on tinted paper over soft shading. */
    SKETCH,
    /** The image half-covered by a colourful interference texture. */
    PATTERN,
    /** Hues rotated by a large angle and saturation raised. */
    HUESHIFT;

    /** The name on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Decoy parse(String name) {
        for (Decoy d : values()) {
            if (d.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown decoy '" + name + "'; choose one of "
                + Arrays.stream(values()).map(Decoy::cliName).collect(Collectors.joining(", ")));
    }
}
