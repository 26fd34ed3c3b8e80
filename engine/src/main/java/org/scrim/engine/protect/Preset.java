package org.scrim.engine.protect;

/**
 * Protection strength. Each preset is defined by the visibility bound the result must respect (the engine's
 * ssimulacra-calibrated {@link Quality#visibility} figure), an L-inf cap per pixel and an optimisation length.
 */
public enum Preset {
    LOW(0.05, 6 / 255f, 10),
    DEFAULT(0.09, 16 / 255f, 20),
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
