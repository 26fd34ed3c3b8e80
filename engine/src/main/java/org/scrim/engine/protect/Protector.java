package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.DoubleUnaryOperator;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.DeviceMemoryException;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Computes protections: a perturbation d, bounded per pixel by the {@link PerceptualBudget}, that pulls the
 * surrogate encoders' latents of x+d toward the protection's target (a decoy restyling of x for mask, the anchors for
 * poison), in expectation over the views trainers take ({@link TrainerViews}: 1024/768/512 buckets, windows on and
 * off the encoders' grids, mirrored) and JPEG. d lives at the image's own size (up to the working size); each step
 * sees one view. The result respects the preset's visibility bound.
 */
public final class Protector {
    /**
     * Long side of the quick probe that picks the decoy, and its steps per candidate. On the seven shared images 96 px
     * ranks the decoys as 128 px does (pattern first on all) for two thirds of the time; one step instead of two
     * changed the pick on two of them.
     */
    private static final int PROBE_SIZE = 96;
    private static final int PROBE_STEPS = 2;
    /**
     * Step size as a multiple of the per-pixel bound, decayed along a cosine to a tenth: large, so the first steps
     * reach the bound (where the projections hold them) and the later ones refine. On chelsea and rocket at the
     * default preset, 0.3, 0.5, 0.8, 1.2 and 2.0 gave closeness 0.47, 0.50, 0.52, 0.54, 0.54 (chelsea).
     */
    private static final float LEARNING_RATE = 2f;
    /** Steps after which the stand-in's bound is matched again to butteraugli on the current change. */
    private static final int RECALIBRATE_EVERY = 4;
    /**
     * Side of the window of a trainer's view each step sees (smaller where the view is): the encoders are
     * convolutional, so a window of the view pulls as the whole view would there, at a fraction of the cost.
     */
    static final int WINDOW = 512;
    /** Every this many steps, the step's view goes through the JPEG 75 approximation too. */
    private static final int JPEG_EVERY = 4;
    /** The largest scale of the current change at which the calibration looks for butteraugli's bound. */
    private static final float MAX_CALIBRATION_SCALE = 2;
    /**
     * The evened budget ({@link PerceptualBudget.Shape#EVENED}): at each calibration every pixel's weight on the
     * bound is multiplied by (EVEN_TARGET * bound / distance)^EVEN_RATE, the distance being butteraugli's map at the
     * calibrated scale, blurred with sigma EVEN_SIGMA px (so the weights draw no edges of their own), and held within
     * [EVEN_MIN_WEIGHT, 1]. Set a priori (target half-way up the bound, a gentle rate), not tuned.
     */
    private static final float EVEN_TARGET = 0.6f;
    private static final float EVEN_RATE = 0.5f;
    private static final double EVEN_SIGMA = 2.0;
    private static final float EVEN_MIN_WEIGHT = 0.1f;
    /** The smallest working size a protection falls back to when the device is short of memory. */
    private static final int MIN_WORK_SIZE = 128;
    private static final System.Logger LOG = System.getLogger("org.scrim.engine.protect");
    /** Evaluations of the visibility figure a projection may spend, and how close under the bound it stops. */
    private static final int PROJECTION_EVALUATIONS = 8;
    private static final double PROJECTION_TOLERANCE = 0.02;

    private final List<SurrogateEncoder> encoders;
    private final ComputeRuntime runtime;
    private final PerceptualBudget.Shape shape;

    public Protector(List<SurrogateEncoder> encoders, ComputeRuntime runtime) {
        this(encoders, runtime, PerceptualBudget.Shape.EVENED);
    }

    /** A protector whose budget has the given {@code shape} (benchmarks compare them). */
    public Protector(List<SurrogateEncoder> encoders, ComputeRuntime runtime, PerceptualBudget.Shape shape) {
        if (encoders.isEmpty()) {
            throw new IllegalArgumentException("at least one surrogate encoder is needed");
        }
        this.encoders = List.copyOf(encoders);
        this.runtime = runtime;
        this.shape = shape;
    }

    /** The protected image (same size as {@code image}), the decoy used and the targets, for verification. */
    public record Protection(RgbImage image, Decoy decoy, ProtectionTarget target, int steps, double seconds) {}

    /**
     * Refuses, before any work, an image of this size whose protection needs more heap than Java may take; a caller
     * holding only a file's header calls it before decoding.
     */
    public static void checkMemory(int width, int height) {
        Finishing.checkMemory(width, height, java.lang.Runtime.getRuntime().maxMemory());
    }

    /**
     * Protects {@code image} as {@code request} asks. The change is computed at the image's own size, or at the
     * largest trainer view's where that is smaller (a change finer than that view's pixels is averaged away in every
     * view), up to the request's working size. When the device is short of memory for the graphs at the
     * working size, the working size and the views' windows halve (down to {@value #MIN_WORK_SIZE} px, with one
     * logged line) and the protection starts again: a smaller, upsampled perturbation rather than none.
     */
    public Protection protect(RgbImage image, ProtectRequest request, ProgressListener progress) {
        Finishing.checkMemory(image);
        long start = System.nanoTime();
        for (int workSize = Math.min(request.workSize(), TrainerViews.largestSide(image.width(), image.height())); ;
                workSize /= 2) {
            try {
                return protectAt(image, request, workSize, progress, start);
            } catch (DeviceMemoryException e) {
                if (workSize / 2 < MIN_WORK_SIZE) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; working at " + workSize / 2 + " px instead");
                progress.phase("device memory short: working at " + workSize / 2 + " px");
            }
        }
    }

    private Protection protectAt(RgbImage image, ProtectRequest request, int workSize, ProgressListener progress,
            long start) {
        RgbImage work = Transforms.downscale(image, workSize);
        if (work.width() == image.width() && work.height() == image.height()) {
            work = image;
        }
        boolean gray = isGray(image);

        Decoy decoy = null;
        ProtectionTarget target;
        int steps = request.stepCount();
        List<AttackModel> models = new ArrayList<>();
        Tensor delta;
        try (SessionGroup group = runtime.group()) {
            if (request.mode().masks() && request.decoyImage() == null) {
                progress.phase("choosing decoy");
                decoy = request.decoy() != null ? request.decoy() : chooseDecoy(group, work, request, gray, progress);
            }
            target = ProtectionTarget.of(request, decoy);

            progress.phase("optimising");
            TrainerViews.Sampler views = TrainerViews.sampler(image.width(), image.height(),
                    Math.min(WINDOW, workSize), request.seed());
            ImageTransform view = TrainerViews.graph(views.windowShape());
            long[] dims = work.tensor().shape();
            models.add(new AttackModel(encoders, view, dims, runtime, true));
            models.add(new AttackModel(encoders, Transforms.chain(view, Transforms.jpeg(75)), dims, runtime, true));
            try (Workspace space = new Workspace(group, work, request.preset().epsilon, shape)) {
                ViewedSteps viewed = new ViewedSteps(group, models, target, targetImages(target, image, work), views,
                        work, gray);
                // The garbage of reading and scaling the image and of computing the targets (which now live in the
                // group) lies in Java's heap, which keeps those pages while the steps' working memory grows beside
                // it; one collection now lets the heap give them back (as far as -XX:MaxHeapFreeRatio allows: the
                // scrim launcher sets it low).
                System.gc();
                delta = optimise(space, viewed, request.butteraugliBound(), steps, progress);
            }
        } finally {
            models.forEach(AttackModel::close);
        }

        progress.phase("finishing");
        RgbImage result = Finishing.finish(image, delta, request.preset().epsilon, request.butteraugliBound());
        return new Protection(result, decoy, target, steps, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The target images at the working size: the decoy made on the image as the largest trainer bucket resizes it,
     * as {@link Verifier} makes it, then brought to the working size; the anchors fitted to it.
     */
    private static ProtectionTarget.Images targetImages(ProtectionTarget target, RgbImage image, RgbImage work) {
        RgbImage mask = null;
        if (target.mode().masks()) {
            mask = target.maskImage(TrainerViews.reference(image, TrainerViews.LARGEST));
            if (mask.width() < work.width()) {
                mask = ImageTensors.resizeBilinear(mask, work.width(), work.height());
            } else {
                mask = TrainerViews.resize(mask, work.width(), work.height());
            }
        }
        return new ProtectionTarget.Images(mask, target.mode().poisons() ? target.anchorImages(work) : List.of());
    }

    /** What each step of {@link #optimise} runs: its session, prepared (its view and targets put in the group). */
    private interface Steps {
        GraphSession prepare(int step);
    }

    /**
     * Steps through trainer views: each step draws the next view from the sampler, feeds its matrices to the view
     * model (every {@value #JPEG_EVERY}th step the one with JPEG after the view) and makes the targets again through
     * it, with the pulls' weights set on the first view each model sees.
     */
    private static final class ViewedSteps implements Steps {
        private final SessionGroup group;
        private final List<AttackModel> models;
        private final ProtectionTarget target;
        private final ProtectionTarget.Images images;
        private final TrainerViews.Sampler views;
        private final RgbImage work;
        private final boolean gray;
        private final List<List<AttackModel.Term>> terms = new ArrayList<>();

        ViewedSteps(SessionGroup group, List<AttackModel> models, ProtectionTarget target,
                ProtectionTarget.Images images, TrainerViews.Sampler views, RgbImage work, boolean gray) {
            this.group = group;
            this.models = models;
            this.target = target;
            this.images = images;
            this.views = views;
            this.work = work;
            this.gray = gray;
            models.forEach(m -> terms.add(null));
        }

        @Override
        public GraphSession prepare(int step) {
            int k = step % JPEG_EVERY == JPEG_EVERY - 1 ? 1 : 0;
            AttackModel model = models.get(k);
            TrainerViews.View v = views.next();
            model.feed(group, Map.of(TrainerViews.ROWS, v.rowMatrix(work.height()),
                    TrainerViews.COLUMNS, v.columnMatrix(work.width())));
            List<AttackModel.Term> t = terms.get(k) == null ? target.terms(model, work, images)
                    : target.retarget(model, images, terms.get(k));
            terms.set(k, t);
            return model.step(group, t, gray);
        }
    }

    /**
     * Adam on d, projected onto the per-pixel bound, the [0,1] range and the butteraugli bound (by scaling d down),
     * so the optimiser spends its steps inside the set the result must lie in. {@code steps} gives each step's
     * session ({@link AttackModel#step}), prepared with the view it sees. The steps ({@link StepGraph}) and the
     * projection's tries ({@link VisibilityGraph}) run on the workspace group's residents, so on a device the image
     * and d stay there; d comes back to the host only every {@value #RECALIBRATE_EVERY} steps and at the end. The
     * projection uses the cheap stand-in {@link Quality#visibility}; after the first step and every few after,
     * butteraugli finds the scale of the change itself at which it meets {@code maxButteraugli}, and the stand-in's
     * figure at that scale becomes its bound: the two disagree by image (flat skies) and by kind of change (colour).
     * The workspace and the sessions are the caller's, so probes can share them; each call starts from d = 0.
     */
    private static Tensor optimise(Workspace space, Steps stepSessions, double maxButteraugli, int steps,
            ProgressListener progress) {
        SessionGroup group = space.group;
        RgbImage x = space.image;
        long[] shape = x.tensor().shape();
        for (String state : List.of(StepGraph.PERTURBATION, StepGraph.FIRST_MOMENT, StepGraph.SECOND_MOMENT)) {
            group.put(state, Tensor.zeros(shape));
        }
        // d is kept unscaled; its visibility projection (the scale) is applied by the next step and at the end
        float scale = 1;
        float fit = 1;
        double standInBound = Double.POSITIVE_INFINITY;
        for (int step = 0; step < steps; step++) {
            if (progress.cancelled()) {
                throw new CancellationException("protection cancelled");
            }
            float lr = LEARNING_RATE * (0.1f + 0.9f * 0.5f * (1 + (float) Math.cos(Math.PI * step / steps)));
            float c1 = 1 - (float) Math.pow(StepGraph.BETA1, step + 1);
            float c2 = 1 - (float) Math.pow(StepGraph.BETA2, step + 1);
            stepSessions.prepare(step).run(Map.of(StepGraph.SCALE, scalar(scale), StepGraph.LEARNING_RATE,
                    scalar(lr), StepGraph.CORRECTION1, scalar(c1), StepGraph.CORRECTION2, scalar(c2)));
            if (step % RECALIBRATE_EVERY == 0) {
                float[] d = group.get(StepGraph.PERTURBATION).data();
                // the evening reads butteraugli's map at the scale found: the last map within the bound, kept
                Map<Float, float[]> within = new java.util.HashMap<>();
                fit = boundedScale(s -> {
                    float[] map = space.judge.distanceMap(scaledRows(x, d, (float) s));
                    double max = 0;
                    for (float v : map) {
                        max = Math.max(max, v);
                    }
                    if (max <= maxButteraugli) {
                        within.clear();
                        within.put((float) s, map);
                    }
                    return max;
                }, maxButteraugli, MAX_CALIBRATION_SCALE, fit);
                standInBound = space.visibility.run(Map.of(StepGraph.SCALE, scalar(fit)))
                        .get(VisibilityGraph.VISIBILITY).data()[0];
                if (space.shape == PerceptualBudget.Shape.EVENED) {
                    float[] map = within.get(fit);
                    space.even(map != null ? map : space.judge.distanceMap(scaledRows(x, d, fit)), maxButteraugli);
                }
                // butteraugli's planes are the steps' only sizeable Java garbage; collected now, while it is all
                // there is, the heap gives its pages back before the next steps' native working memory peaks
                System.gc();
            }
            // the scale changes little from step to step: the last one is the first guess
            scale = boundedScale(s -> space.visibility.run(Map.of(StepGraph.SCALE, scalar((float) s)))
                    .get(VisibilityGraph.VISIBILITY).data()[0], standInBound, 1, scale);
            progress.step(step + 1, steps);
        }
        float[] d = group.get(StepGraph.PERTURBATION).data();
        scale(d, scale);
        return new Tensor(d, shape);
    }

    /**
     * An image set up for {@link #optimise} on a group: the image and its per-pixel bound as residents, butteraugli
     * prepared against it and the visibility graph open, once for all the optimisations of that image (the decoy
     * probes run six).
     */
    private static final class Workspace implements AutoCloseable {
        final SessionGroup group;
        final RgbImage image;
        final Butteraugli judge;
        final GraphSession visibility;
        final PerceptualBudget.Shape shape;
        /** The per-pixel bound as the budget makes it, and the weights the evened shape puts on it. */
        private final float[] base;
        private final float[] weight;

        Workspace(SessionGroup group, RgbImage image, float epsilon, PerceptualBudget.Shape shape) {
            this.group = group;
            this.image = image;
            group.put(StepGraph.IMAGE, image.tensor());
            Tensor bound = PerceptualBudget.bound(image, epsilon);
            this.base = bound.data().clone();
            this.weight = new float[base.length];
            java.util.Arrays.fill(weight, 1f);
            this.shape = shape;
            group.put(StepGraph.BOUND, bound);
            this.judge = new Butteraugli(image);
            this.visibility = group.open(VisibilityGraph.model(image.tensor().shape()));
        }

        /** Reweighs the bound by butteraugli's {@code map} of the change (see EVEN_TARGET) and puts it in place. */
        void even(float[] map, double maxButteraugli) {
            int w = image.width();
            int h = image.height();
            PlaneFilters.convolveInPlace(map, w, h, PlaneFilters.gaussianKernel(EVEN_SIGMA), new float[map.length]);
            float target = (float) (EVEN_TARGET * maxButteraugli);
            float[] bound = new float[base.length];
            for (int i = 0; i < bound.length; i++) {
                float ratio = target / Math.max(map[i], 1e-3f);
                weight[i] = Math.max(EVEN_MIN_WEIGHT, Math.min(1f, weight[i] * (float) Math.pow(ratio, EVEN_RATE)));
                bound[i] = base[i] * weight[i];
            }
            group.put(StepGraph.BOUND, new Tensor(bound, 1, 1, h, w));
        }

        @Override
        public void close() {
            visibility.close();
        }
    }

    private static Tensor scalar(float value) {
        return new Tensor(new float[] {value});
    }

    private static boolean isGray(RgbImage image) {
        float[] d = image.data();
        int plane = d.length / 3;
        for (int i = 0; i < plane; i++) {
            if (d[i] != d[plane + i] || d[i] != d[2 * plane + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Picks the decoy that is both far in latent space and reachable, by trying: a short optimisation toward each
     * decoy on a small copy of the image, keeping the one that gets closest ({@link Verifier#closeness}) among
     * those at least half as far as the farthest, so a near, trivial decoy cannot win.
     */
    private Decoy chooseDecoy(SessionGroup group, RgbImage work, ProtectRequest request, boolean gray,
            ProgressListener progress) {
        RgbImage probe = Transforms.downscale(work, PROBE_SIZE);
        Decoy[] decoys = Decoy.values();
        double[] distance = new double[decoys.length];
        double[] closeness = new double[decoys.length];
        // the probes' steps are not the protection's: pass on only the cancel request
        ProgressListener cancelOnly = new ProgressListener() {
            @Override
            public boolean cancelled() {
                return progress.cancelled();
            }
        };
        try (AttackModel model = new AttackModel(encoders, Transforms.chain(), probe.tensor().shape(), runtime, true);
                Workspace space = new Workspace(group, probe, request.preset().epsilon, shape)) {
            List<Tensor> clean = model.encodePulled(probe.tensor());
            for (int k = 0; k < decoys.length; k++) {
                ProtectionTarget t = ProtectionTarget.mask(decoys[k], request.seed());
                // mask terms: one per pulled value, in order; the decoy is judged on the latents
                List<AttackModel.Term> terms = t.terms(model, probe, t.imagesFor(probe));
                GraphSession session = model.step(group, terms, gray);
                Tensor d = optimise(space, step -> session, request.butteraugliBound(),
                        PROBE_STEPS, cancelOnly);
                List<Tensor> z = model.encodePulled(applyDelta(probe, d).tensor());
                for (AttackModel.Term term : terms) {
                    if (model.isLatent(term.output())) {
                        distance[k] += Math.sqrt(clean.get(term.output()).squaredDistance(term.target()));
                        closeness[k] += Verifier.closeness(clean.get(term.output()), z.get(term.output()),
                                term.target());
                    }
                }
            }
        }
        double farthest = java.util.Arrays.stream(distance).max().orElse(0);
        int best = -1;
        for (int k = 0; k < decoys.length; k++) {
            if (distance[k] >= farthest / 2 && (best < 0 || closeness[k] > closeness[best])) {
                best = k;
            }
        }
        return decoys[best];
    }

    /**
     * The largest scale in [0, maxScale] found at which {@code figure} (increasing in the scale) is within {@code
     * bound}, stopping within {@value #PROJECTION_TOLERANCE} of it: the scale is kept bracketed between one within
     * the bound and one beyond, and each try interpolates between them on log(figure) over log(scale), since
     * visibility grows about as a power of the scale; {@code guess} (in (0, maxScale)) is tried first. Two to five
     * evaluations do what a bisection does in seven to twelve, which counts at every step and, at the end, with a
     * full-size image and butteraugli.
     */
    static float boundedScale(DoubleUnaryOperator figure, double bound, float maxScale, float guess) {
        double hi = maxScale;
        double fHi = figure.applyAsDouble(hi);
        if (fHi <= bound) {
            return maxScale;
        }
        double lo = 0;
        double fLo = 0;
        // the try beyond the bound before hi, for the slope while nothing within it is known
        double above = Double.NaN;
        double fAbove = Double.NaN;
        double aim = bound * (1 - PROJECTION_TOLERANCE / 2);
        for (int i = 1; i < PROJECTION_EVALUATIONS; i++) {
            double s;
            if (i == 1 && guess > 0 && guess < maxScale) {
                s = guess;
            } else if (fLo > 0) {
                double power = Math.log(fHi / fLo) / Math.log(hi / lo);
                double margin = (hi - lo) / 20; // keep inside the bracket so it always shrinks
                s = Math.min(hi - margin, Math.max(lo + margin, hi * Math.pow(aim / fHi, 1 / Math.max(0.5, power))));
            } else {
                // nothing within the bound yet: extrapolate on log(figure) over log(scale) from the last two tries
                // (after the first, as if the figure grew as scale^1.5), but at least halve, since a per-pixel cap
                // can make the figure flat near the upper end
                double power = Double.isNaN(above) ? 1.5
                        : Math.min(3, Math.max(0.5, Math.log(fAbove / fHi) / Math.log(above / hi)));
                s = Math.min(hi / 2, hi * Math.pow(aim / fHi, 1 / power));
            }
            double f = figure.applyAsDouble(s);
            if (f > bound) {
                above = hi;
                fAbove = fHi;
                hi = s;
                fHi = f;
            } else {
                lo = s;
                fLo = f;
                if (f >= bound * (1 - PROJECTION_TOLERANCE)) {
                    break;
                }
            }
        }
        while (lo == 0 && hi > 1e-3) {
            hi /= 2;
            if (figure.applyAsDouble(hi) <= bound) {
                lo = hi;
            }
        }
        return (float) lo;
    }

    private static void scale(float[] d, float s) {
        if (s != 1) {
            for (int j = 0; j < d.length; j++) {
                d[j] *= s;
            }
        }
    }

    /** Rows of clip(x + s * d, 0, 1), for a metric that reads an image by rows. */
    private static Ssimulacra.RowSource scaledRows(RgbImage x, float[] d, float s) {
        int w = x.width();
        int plane = x.pixels();
        float[] xd = x.data();
        return (y0, y1, rgb) -> {
            int n = (y1 - y0) * w;
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < n; j++) {
                    int i = c * plane + y0 * w + j;
                    rgb[c * n + j] = Math.max(0f, Math.min(1f, xd[i] + s * d[i]));
                }
            }
        };
    }

    static RgbImage applyDelta(RgbImage x, Tensor delta) {
        float[] xd = x.data();
        float[] dd = delta.data();
        float[] out = new float[xd.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0f, Math.min(1f, xd[i] + dd[i]));
        }
        return new RgbImage(out, x.width(), x.height());
    }
}
