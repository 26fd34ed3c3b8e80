package org.scrim.engine.protect;

/**
 * Protection strength. Each preset is defined by the visibility bound the result must respect (SSIMULACRA,
 * {@link Ssimulacra}; 0.09 is the brief's baseline), an L-inf cap per pixel and an optimisation length.
 * The default's steps keep a 1024x1024 image under a minute on two CPU cores; each step more adds a little
 * closeness for a few seconds, which {@code high} spends (figures: README, bench/run-protect.sh).
 */
public enum Preset {
    LOW(0.05, 6 / 255f, 8),
    DEFAULT(0.09, 16 / 255f, 11),
    HIGH(0.14, 16 / 255f, 30);

    public final double maxVisibility;
    public final float epsilon;
    public final int steps;

    Preset(double maxVisibility, float epsilon, int steps) {
        this.maxVisibility = maxVisibility;
        this.epsilon = epsilon;
        this.steps = steps;
    }
}
