package org.scrim.engine.protect;

/**
 * Protection strength. Each preset is defined by how visible the result may be, in {@link Butteraugli}'s max
 * distance (about 1.0 is the just-noticeable difference at 100%): {@code low} stays invisible at 100% on a normal
 * screen, {@code default} faint on flat areas, {@code high} may be seen. The result meets the bound on the real
 * metric at the image's own size (see Finishing). Each also has an L-inf cap per pixel, an optimisation length and
 * the SSIMULACRA figure ({@link Ssimulacra}) that a strength on the older scale names it by. The default's steps
 * are as many as keep a 1024x1024 image under a minute on two CPU cores with the default encoders, since each step
 * more adds closeness on every encoder (figures: README, bench/run-transfer.sh); {@code high} spends more.
 */
public enum Preset {
    LOW(1.5, 0.05, 6 / 255f, 8),
    DEFAULT(2.5, 0.09, 16 / 255f, 16),
    HIGH(4.0, 0.14, 16 / 255f, 30);

    /** The bound on the butteraugli max distance of the result. */
    public final double maxButteraugli;
    /** The preset's place on the SSIMULACRA scale that strengths are given on (see {@link #butteraugliFor}). */
    public final double maxVisibility;
    public final float epsilon;
    public final int steps;

    Preset(double maxButteraugli, double maxVisibility, float epsilon, int steps) {
        this.maxButteraugli = maxButteraugli;
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

    /**
     * The butteraugli bound of a strength given on the SSIMULACRA scale: each preset's own at its figure, linear
     * between them, in proportion below {@code low} and along the last segment's slope above {@code high}, so a
     * strength slider moves along the butteraugli bounds.
     */
    public static double butteraugliFor(double maxVisibility) {
        Preset[] p = values();
        if (maxVisibility <= p[0].maxVisibility) {
            return p[0].maxButteraugli * maxVisibility / p[0].maxVisibility;
        }
        for (int k = 1; k < p.length; k++) {
            if (maxVisibility <= p[k].maxVisibility || k == p.length - 1) {
                double t = (maxVisibility - p[k - 1].maxVisibility) / (p[k].maxVisibility - p[k - 1].maxVisibility);
                return p[k - 1].maxButteraugli + t * (p[k].maxButteraugli - p[k - 1].maxButteraugli);
            }
        }
        throw new AssertionError("unreachable");
    }
}
