package org.scrim.engine.protect;

import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Per-pixel L-inf budget for a perturbation: texture and luminance masking. The eye misses changes inside busy
 * texture and sees them at once in flat areas and smooth gradients (skies, skin), so the bound follows local detail.
 *
 * <p>Formula, on luma Y in [0,1]:
 * <pre>
 *   r    = Y - G_1(Y)                       fine detail; a Gaussian keeps linear ramps, so smooth gradients give r = 0
 *   t    = sqrt(G_3(r^2))                   local detail energy (RMS over a ~7 px neighbourhood)
 *   m    = t / (t + T)                      texture masking in [0,1), T = 0.015: half-way at a 1.5% RMS texture
 *   l    = 1 + L * |2Y - 1|^2               luminance masking: near-black and near-white hide a little more
 *   b    = eps * min(1, FLOOR + (1 - FLOOR) * m * l)
 *   bound = min(eps, G_4(b))                smoothed so that the map itself draws no edges
 * </pre>
 * FLOOR = 0.5 leaves flat areas half the budget. Judged by SSIMULACRA at a fixed bound, less is worse: the change
 * the optimiser would put in flat areas goes nowhere else, and the whole is scaled down anyway; closeness rises with
 * the floor up to about a half and flattens above it. Half keeps busy texture carrying twice the change of a flat sky.
 */
public final class PerceptualBudget {
    private static final double DETAIL_SIGMA = 1.0;
    private static final double ENERGY_SIGMA = 3.0;
    private static final double SMOOTH_SIGMA = 4.0;
    private static final float TEXTURE_HALF = 0.015f;
    private static final float LUMA_GAIN = 0.3f;
    private static final float FLOOR = 0.5f;

    /** How the bound is used during the optimisation. */
    public enum Shape {
        /** As made here, the same on each channel, for the whole optimisation. */
        CHANNELS,
        /**
         * Made here, then reweighed during the optimisation by where butteraugli sees the change (Protector): lowered
         * where its per-pixel distance is high, raised back where it is low, so the change spreads over the image
         * instead of meeting the bound at a few hot spots while the rest stays far below it.
         */
        EVENED
    }

    private PerceptualBudget() {}

    /** The bound, shape [1,1,H,W], every value between FLOOR*eps and eps. */
    public static Tensor bound(RgbImage image, float epsilon) {
        if (!(epsilon > 0) || epsilon > 1) {
            throw new IllegalArgumentException("epsilon must be in (0,1], got " + epsilon);
        }
        int h = image.height();
        int w = image.width();
        // each step overwrites the last one's plane: three full-size planes in all (luma, that one, the blur's)
        float[] y = ImageTensors.luma(image);
        float[] scratch = new float[y.length];
        float[] out = y.clone();
        PlaneFilters.convolveInPlace(out, w, h, PlaneFilters.gaussianKernel(DETAIL_SIGMA), scratch);
        for (int i = 0; i < y.length; i++) {
            float r = y[i] - out[i];
            out[i] = r * r;
        }
        PlaneFilters.convolveInPlace(out, w, h, PlaneFilters.gaussianKernel(ENERGY_SIGMA), scratch);
        for (int i = 0; i < y.length; i++) {
            float t = (float) Math.sqrt(Math.max(0f, out[i]));
            float m = t / (t + TEXTURE_HALF);
            float c = 2 * y[i] - 1;
            float l = 1 + LUMA_GAIN * c * c;
            out[i] = epsilon * Math.min(1f, FLOOR + (1 - FLOOR) * m * l);
        }
        PlaneFilters.convolveInPlace(out, w, h, PlaneFilters.gaussianKernel(SMOOTH_SIGMA), scratch);
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(epsilon, out[i]);
        }
        return new Tensor(out, 1, 1, h, w);
    }
}
