package org.scrim.engine.protect;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How much work a protection may take, as Glaze's render quality: more steps give more protection at the same
 * visibility bound (every step adds closeness on every encoder, README), at a time that grows with them. This is the
 * one place effort becomes work: once the optimiser samples trainer views, their number belongs here too.
 */
public enum Effort {
    /** Half the preset's steps: a quick result, for trying settings. */
    FAST(0.5),
    /** The preset's own steps. */
    DEFAULT(1),
    /** Twice the preset's steps: 1024x1024 at {@code high} stays within five minutes on two CPU cores. */
    MAX(2);

    private final double stepFactor;

    Effort(double stepFactor) {
        this.stepFactor = stepFactor;
    }

    /** The optimisation steps this effort spends at {@code preset}: at least one. */
    public int steps(Preset preset) {
        return Math.max(1, (int) Math.round(preset.steps * stepFactor));
    }

    /** The name the CLI, the service and the editors use: fast, default or max. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Effort parse(String name) {
        for (Effort e : values()) {
            if (e.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown effort '" + name + "'; known: "
                + Arrays.stream(values()).map(Effort::cliName).collect(Collectors.joining(", ")));
    }
}
