package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.cpu.RuntimeOptions;
import org.scrim.engine.tensor.Tensor;

/**
 * Computes protections: a perturbation d, bounded per pixel by the {@link PerceptualBudget}, that pulls the
 * surrogate encoders' latents of x+d toward the protection's target (a decoy restyling of x for mask, the anchors for
 * poison), in expectation over the manipulations a trainer applies (JPEG, downscaling), at the scale trainers see.
 * The result respects the preset's visibility bound.
 */
public final class Protector {
    /** Long side of the quick probe that picks the decoy. */
    private static final int PROBE_SIZE = 192;
    private static final float ADAM_BETA1 = 0.9f;
    private static final float ADAM_BETA2 = 0.99f;
    /** Step size as a fraction of the per-pixel bound, decayed along a cosine. */
    private static final float LEARNING_RATE = 0.3f;

    private final List<SurrogateEncoder> encoders;
    private final RuntimeOptions options;

    public Protector(List<SurrogateEncoder> encoders, RuntimeOptions options) {
        if (encoders.isEmpty()) {
            throw new IllegalArgumentException("at least one surrogate encoder is needed");
        }
        this.encoders = List.copyOf(encoders);
        this.options = options;
    }

    /** The protected image (same size as {@code image}), the decoy used and the targets, for verification. */
    public record Protection(Tensor image, Decoy decoy, ProtectionTarget target, int steps, double seconds) {}

    public Protection protect(Tensor image, ProtectRequest request, ProgressListener progress) {
        long start = System.nanoTime();
        int[] hw = ImageTensors.requireRgb(image, "image to protect");
        Tensor work = Transforms.downscale(image, request.workSize());
        int[] whw = ImageTensors.requireRgb(work, "working image");
        if (whw[0] == hw[0] && whw[1] == hw[1]) {
            work = image;
        }

        Decoy decoy = null;
        if (request.mode().masks() && request.decoyImage() == null) {
            progress.phase("choosing decoy");
            decoy = request.decoy() != null ? request.decoy() : chooseDecoy(work, request, progress);
        }
        ProtectionTarget target = ProtectionTarget.of(request, decoy);

        progress.phase("optimising");
        Tensor bound = PerceptualBudget.bound(work, request.preset().epsilon);
        Tensor delta = optimise(work, target, bound, request, progress);

        progress.phase("finishing");
        Tensor result;
        if (work == image) {
            result = applyDelta(image, delta);
        } else {
            Tensor fullDelta = ImageTensors.resizeBilinear(delta, hw[0], hw[1]);
            Tensor fullBound = PerceptualBudget.bound(image, request.preset().epsilon);
            clampToBound(fullDelta.data(), fullBound.data(), hw[0] * hw[1]);
            result = applyDelta(image, fullDelta);
        }
        result = withinVisibility(image, result, request.visibilityBound());
        return new Protection(result, decoy, target, request.stepCount(), (System.nanoTime() - start) / 1e9);
    }

    /** Adam on d, one sampled transformation per step, projected onto the per-pixel bound and the [0,1] range. */
    private Tensor optimise(Tensor x, ProtectionTarget target, Tensor bound, ProtectRequest request,
            ProgressListener progress) {
        long[] shape = x.shape();
        List<ImageTransform> transforms = robustnessTransforms(shape);
        int n = x.size();
        int plane = n / 3;
        float[] d = new float[n];
        float[] m = new float[n];
        float[] v = new float[n];
        float[] b = bound.data();
        int steps = request.stepCount();
        Random schedule = new Random(request.seed());
        List<AttackModel> models = new ArrayList<>();
        List<List<AttackModel.Term>> terms = new ArrayList<>();
        try {
            for (ImageTransform t : transforms) {
                AttackModel model = new AttackModel(encoders, t, shape, options);
                models.add(model);
                terms.add(target.terms(model, x));
            }
            for (int step = 0; step < steps; step++) {
                if (progress.cancelled()) {
                    throw new CancellationException("protection cancelled");
                }
                // every second step sees the image as is; the others a random trainer manipulation
                int k = step % 2 == 0 ? 0 : 1 + schedule.nextInt(models.size() - 1);
                Tensor adv = applyDelta(x, new Tensor(d, shape));
                float[] g = models.get(k).lossAndGradient(adv, terms.get(k)).gradient().data();
                float lr = LEARNING_RATE * (0.1f + 0.9f * 0.5f * (1 + (float) Math.cos(Math.PI * step / steps)));
                float c1 = 1 - (float) Math.pow(ADAM_BETA1, step + 1);
                float c2 = 1 - (float) Math.pow(ADAM_BETA2, step + 1);
                float[] xd = x.data();
                for (int i = 0; i < n; i++) {
                    m[i] = ADAM_BETA1 * m[i] + (1 - ADAM_BETA1) * g[i];
                    v[i] = ADAM_BETA2 * v[i] + (1 - ADAM_BETA2) * g[i] * g[i];
                    float update = (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + 1e-12f);
                    float limit = b[i % plane];
                    float di = d[i] - lr * limit * update;
                    di = Math.max(-limit, Math.min(limit, di));
                    // keep x + d inside [0,1] so the step works on what will be written
                    d[i] = Math.max(-xd[i], Math.min(1 - xd[i], di));
                }
                progress.step(step + 1, steps);
            }
        } finally {
            models.forEach(AttackModel::close);
        }
        return new Tensor(d, shape);
    }

    /** The manipulations the optimisation expects: none first, then JPEG 75 and a 0.5x downscale. */
    static List<ImageTransform> robustnessTransforms(long[] shape) {
        long longSide = Math.max(shape[2], shape[3]);
        List<ImageTransform> t = new ArrayList<>();
        t.add(Transforms.chain());
        t.add(Transforms.jpeg(75));
        if (longSide >= 128) {
            t.add(Transforms.downscale((int) (longSide / 2)));
        }
        return t;
    }

    /**
     * Picks the decoy that a budgeted step can move the latent furthest toward, by a first-order estimate on a small
     * probe: movement = sum |grad| * bound / (2 |E(x) - E(t)|), capped by the distance itself (a near decoy cannot
     * give more movement than its distance). This favours decoys that are both far and reachable.
     */
    private Decoy chooseDecoy(Tensor work, ProtectRequest request, ProgressListener progress) {
        Tensor probe = Transforms.downscale(work, PROBE_SIZE);
        Tensor bound = PerceptualBudget.bound(probe, request.preset().epsilon);
        int plane = probe.size() / 3;
        Decoy best = null;
        double bestScore = -1;
        try (AttackModel model = new AttackModel(encoders, Transforms.chain(), probe.shape(), options)) {
            List<Tensor> clean = model.encode(probe);
            for (Decoy decoy : Decoy.values()) {
                if (progress.cancelled()) {
                    throw new CancellationException("protection cancelled");
                }
                List<Tensor> targets = model.encode(Decoys.render(decoy, probe, request.seed()));
                double score = 0;
                for (int e = 0; e < encoders.size(); e++) {
                    double distance = Math.sqrt(squaredDistance(clean.get(e), targets.get(e)));
                    float[] g = model.lossAndGradient(probe, List.of(new AttackModel.Term(e, targets.get(e), 1f)))
                            .gradient().data();
                    double movement = 0;
                    for (int i = 0; i < g.length; i++) {
                        movement += Math.abs(g[i]) * bound.data()[i % plane];
                    }
                    score += Math.min(distance, movement / (2 * distance));
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = decoy;
                }
            }
        }
        return best;
    }

    /** Scales the change down (bisection) until the visibility figure is within the bound. */
    static Tensor withinVisibility(Tensor original, Tensor changed, double bound) {
        if (Quality.visibility(original, changed) <= bound) {
            return changed;
        }
        float[] o = original.data();
        float[] c = changed.data();
        double lo = 0;
        double hi = 1;
        Tensor best = original.copy();
        for (int i = 0; i < 12; i++) {
            double s = (lo + hi) / 2;
            float[] out = new float[o.length];
            for (int j = 0; j < o.length; j++) {
                out[j] = o[j] + (float) s * (c[j] - o[j]);
            }
            Tensor candidate = new Tensor(out, original.shape());
            if (Quality.visibility(original, candidate) <= bound) {
                lo = s;
                best = candidate;
            } else {
                hi = s;
            }
        }
        return best;
    }

    static Tensor applyDelta(Tensor x, Tensor delta) {
        float[] xd = x.data();
        float[] dd = delta.data();
        float[] out = new float[xd.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0f, Math.min(1f, xd[i] + dd[i]));
        }
        return new Tensor(out, x.shape());
    }

    private static void clampToBound(float[] d, float[] bound, int plane) {
        for (int i = 0; i < d.length; i++) {
            float limit = bound[i % plane];
            d[i] = Math.max(-limit, Math.min(limit, d[i]));
        }
    }

    static double squaredDistance(Tensor a, Tensor b) {
        float[] x = a.data();
        float[] y = b.data();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double diff = x[i] - y[i];
            s += diff * diff;
        }
        return s;
    }
}
