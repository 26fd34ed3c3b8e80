package org.scrim.engine.protect;

/**
 * Protection strength. Each preset is defined by the visibility bound the result must respect (SSIMULACRA,
 * {@link Ssimulacra}; 0.09 is the brief's baseline), an L-inf cap per pixel and an optimisation length.
 * The default's steps are as many as keep a 1024x1024 image under a minute on two CPU cores with the default
 * encoders, since each step more adds closeness on every encoder (figures: README, bench/run-transfer.sh);
 * {@code high} spends more.
 */
public enum Preset {
    LOW(0.05, 6 / 255f, 8),
    DEFAULT(0.09, 16 / 255f, 16),
    HIGH(0.14, 16 / 255f, 30);

    public final double maxVisibility;
    public final float epsilon;
    public final int steps;

    Preset(double maxVisibility, float epsilon, int steps) {
        this.maxVisibility = maxVisibility;
        this.epsilon = epsilon;
        this.steps = steps;
    }

    /**
     * The preset whose visibility bound is nearest {@code maxVisibility} (the weaker one on a tie): a strength chosen
     * on a continuous scale between the presets takes that preset's per-pixel cap and step count.
     */
    public static Preset nearest(double maxVisibility) {
        Preset best = LOW;
        for (Preset p : values()) {
            if (Math.abs(p.maxVisibility - maxVisibility) < Math.abs(best.maxVisibility - maxVisibility) - 1e-12) {
                best = p;
            }
        }
        return best;
    }
}
