package org.scrim.engine.protect;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.autodiff.EarlyMasks;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.GraphStages;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/**
 * The encoders seen through one transformation T, at one image size: a forward-only session for x -> what the loss
 * pulls (each encoder's latent E_i(T(x)) and, with feature pulls, its intermediate features and its rendering
 * through its decoder), and a protection step
 * ({@link StepGraph}) around the loss sum_k w_k |f_k(T(x)) - target_k|^2 and its gradient with respect to x (with
 * several encoders, each one's gradient balanced against the others': {@link #gradientGraph}). The
 * targets and weights are residents, so one session serves every step and every probe; the weights normalise each
 * term by its starting distance so mask and poison terms, several encoders and their features, pull with the say
 * {@link #pullWeight} gives them.
 */
final class AttackModel implements AutoCloseable {
    static final String IMAGE = "x";
    static final String LOSS = "loss";
    /** The prefix of the outputs that order each encoder's Relu masks ({@link EarlyMasks}). */
    static final String MASK_ORDER = "mask_order";
    private static final int ALL_ENCODERS = -1;
    /**
     * The say of an encoder's stage features together, against 1 for its latent: each stage as much as the latent.
     * Pulls on intermediate features carry over to an encoder of another family better than pulls on the latent
     * alone (early features share image statistics; latents are each family's own code). Screened on three shared
     * images (TAEF2 alone, closeness on TAESana): 0 (latents only), 1, 3, 9 gave medians 0.20, 0.27, 0.29, 0.30,
     * with TAEF2's own 0.47, 0.50, 0.52, 0.51.
     */
    static final float STAGE_WEIGHT = 3;
    /** The say of an encoder's rendering through its decoder (where it has one), against 1 for its latent. */
    static final float RENDERING_WEIGHT = 1;
    /**
     * The parts an encoder's backward runs in ({@link GraphStages#endInParts}): each releases the forward's values
     * (masks, differences to targets) that later parts do not read. At 1024x1024 (TAEF2 and TAESana), one part peaked
     * at 1.38-1.48 GB resident, six at 1.30-1.33 GB and twelve at 1.43 GB: each cut also has ONNX Runtime convert the
     * gradient out of and back into its blocked layout.
     */
    private static final int BACKWARD_PARTS = 6;

    /** One pull: output {@code output} (an index into {@link #encodePulled}'s list) toward a target, weighted. */
    record Term(int output, Tensor target, float weight) {}

    /** What a pulled value is to its encoder. */
    private enum Kind { LATENT, STAGE, RENDERING }

    /** A value the loss may pull: one encoder's latent, stage feature or rendering, by its name in the graph. */
    private record Pulled(int encoder, String name, Kind kind, int stagesOfEncoder) {}

    /** What a step session was built for: the group (by identity), the number of terms and the gray option. */
    private record StepKey(SessionGroup group, int terms, boolean gray) {}

    private final ImageTransform transform;
    private final long[] imageShape;
    private final List<SurrogateEncoder> surrogates;
    private final List<Pulled> pulled = new ArrayList<>();
    private final ComputeRuntime runtime;
    /** Opened on first use; {@link #releaseForward} closes it while only the step is needed. */
    private GraphSession forward;
    private GraphSession step;
    private StepKey stepKey;
    /** The transformation's own inputs (a trainer view's matrices), fed to both sessions: {@link #feed}. */
    private Map<String, Tensor> fed = Map.of();

    /**
     * @param featurePulls whether the loss may pull the encoders' stage features and renderings too (the
     *                     protection), or only their latents (verification)
     */
    AttackModel(List<SurrogateEncoder> surrogates, ImageTransform transform, long[] imageShape,
            ComputeRuntime runtime, boolean featurePulls) {
        this.surrogates = surrogates;
        this.transform = transform;
        this.imageShape = imageShape.clone();
        for (int i = 0; i < surrogates.size(); i++) {
            SurrogateEncoder e = surrogates.get(i);
            List<String> stages = featurePulls && STAGE_WEIGHT > 0 ? e.features() : List.of();
            pulled.add(new Pulled(i, e.output(), Kind.LATENT, stages.size()));
            for (String f : stages) {
                pulled.add(new Pulled(i, f, Kind.STAGE, stages.size()));
            }
            if (featurePulls && e.rendering() != null) {
                pulled.add(new Pulled(i, e.rendering(), Kind.RENDERING, stages.size()));
            }
        }
        this.runtime = runtime;
    }

    private GraphSession forward() {
        if (forward == null) {
            GraphBuilder g = new GraphBuilder("features");
            List<String> values = pulledValues(g, ALL_ENCODERS);
            for (int k = 0; k < values.size(); k++) {
                g.output(values.get(k), "pulled" + k);
            }
            forward = runtime.open(g.build());
        }
        return forward;
    }

    /**
     * Closes the forward session until {@link #encodePulled} needs it again: once the targets are computed, the
     * optimisation runs only the step, and each open session holds tens of megabytes (its weights, packed for the
     * CPU's convolution kernels) while the steps' working memory peaks.
     */
    void releaseForward() {
        if (forward != null) {
            forward.close();
            forward = null;
        }
    }

    ImageTransform transform() {
        return transform;
    }

    /** E_i(T(image)) for every encoder. */
    List<Tensor> encode(Tensor image) {
        List<Tensor> all = encodePulled(image);
        List<Tensor> latents = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            if (pulled.get(k).kind() == Kind.LATENT) {
                latents.add(all.get(k));
            }
        }
        return latents;
    }

    /**
     * Sets the transformation's own inputs ({@link TrainerViews#graph}'s view matrices): {@link #encodePulled} feeds
     * them, and they go to {@code group} as residents for the step, so one pair of sessions serves every view.
     */
    void feed(SessionGroup group, Map<String, Tensor> inputs) {
        fed = Map.copyOf(inputs);
        inputs.forEach((name, value) -> group.put(resident(name), value));
    }

    /** Every value the loss may pull, of T(image): per encoder its latent, then its stage features. */
    List<Tensor> encodePulled(Tensor image) {
        Map<String, Tensor> feeds = new HashMap<>(fed);
        feeds.put(IMAGE, image);
        Map<String, Tensor> out = forward().run(feeds);
        List<Tensor> values = new ArrayList<>();
        for (int k = 0; k < pulled.size(); k++) {
            values.add(out.get("pulled" + k));
        }
        return values;
    }

    /** Whether output {@code k} of {@link #encodePulled} is a latent (not a stage feature or a rendering). */
    boolean isLatent(int k) {
        return pulled.get(k).kind() == Kind.LATENT;
    }

    /**
     * The say of output {@code k}: 1 for a latent, {@link #STAGE_WEIGHT} shared by an encoder's stages,
     * {@link #RENDERING_WEIGHT} for its rendering.
     */
    float pullWeight(int k) {
        Pulled p = pulled.get(k);
        return switch (p.kind()) {
            case LATENT -> 1;
            case STAGE -> STAGE_WEIGHT / p.stagesOfEncoder();
            case RENDERING -> RENDERING_WEIGHT;
        };
    }

    /**
     * The protection step through this transformation as a session of {@code group} (built on first use, again only
     * for another group, number of terms or gray option), with the terms' targets and weights put as residents.
     */
    GraphSession step(SessionGroup group, List<Term> terms, boolean gray) {
        StepKey key = new StepKey(group, terms.size(), gray);
        if (!key.equals(stepKey)) {
            if (step != null) {
                step.close();
                step = null;
            }
            step = group.open(StepGraph.model(gradientGraph(terms).getGraph(), IMAGE, imageShape, this::resident,
                    gray));
            stepKey = key;
        }
        for (int k = 0; k < terms.size(); k++) {
            group.put(resident(targetName(k)), terms.get(k).target());
            group.put(resident(weightName(k)), new Tensor(new float[] {terms.get(k).weight()}));
        }
        return step;
    }

    /** The resident holding this transformation's input {@code name} of the loss, apart from other models'. */
    private String resident(String name) {
        return transform.describe() + "/" + name;
    }

    /**
     * The loss and its gradient with respect to x. One encoder: the gradient of its loss. Several: each encoder's
     * gradient apart, scaled to a mean magnitude of 1 and weighted by the share of its starting loss it has left
     * ({@link #balancedGradient}), then summed; the loss output is the sum of theirs. Each encoder's part runs as two
     * {@link GraphStages stages}, its forward then its backward, one encoder after the other, so only one encoder's
     * activations are held at a time; its Relu masks are made as its forward goes ({@link EarlyMasks}, the outputs
     * {@value #MASK_ORDER}0, 1, ..., read by nothing).
     */
    ModelProto gradientGraph(List<Term> terms) {
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put(IMAGE, imageShape);
        for (int k = 0; k < terms.size(); k++) {
            shapes.put(targetName(k), terms.get(k).target().shape());
            shapes.put(weightName(k), new long[0]);
        }
        GraphBuilder g = new GraphBuilder("attack");
        Map<String, String> inputs = new HashMap<>();
        inputs.put(IMAGE, g.input(IMAGE, imageShape));
        for (int k = 0; k < terms.size(); k++) {
            inputs.put(targetName(k), g.input(targetName(k), terms.get(k).target().shape()));
            inputs.put(weightName(k), g.input(weightName(k)));
        }
        List<String> gradients = new ArrayList<>();
        List<String> losses = new ArrayList<>();
        for (int e = 0; e < surrogates.size(); e++) {
            GraphProto lossOfEncoder = lossGraph(terms, e);
            // the transformation's own inputs (a view's matrices), fed like the targets
            for (ValueInfoProto in : GraphBuilder.inputsToFeed(lossOfEncoder)) {
                shapes.putIfAbsent(in.getName(), StepGraph.dims(in));
                inputs.computeIfAbsent(in.getName(), name -> g.input(name, StepGraph.dims(in)));
            }
            GraphProto own = Differentiator.gradient(lossOfEncoder, LOSS, List.of(IMAGE), shapes).getGraph();
            Map<String, String> binding = new HashMap<>();
            own.getInputList().forEach(in -> binding.put(in.getName(), inputs.get(in.getName())));
            int firstNode = g.graph().getNodeCount();
            Map<String, String> out = g.inline(own, binding, "encoder" + e + "_");
            String gradient = out.get(Differentiator.gradName(IMAGE));
            String loss = out.get(LOSS);
            stage(g, e, firstNode, loss, gradient);
            gradients.add(surrogates.size() == 1 ? gradient
                    : balancedGradient(g, gradient, loss, startingLoss(terms, e)));
            losses.add(loss);
        }
        g.output(g.sum(gradients), Differentiator.gradName(IMAGE));
        g.output(g.sum(losses), LOSS);
        return g.build();
    }

    /**
     * Marks encoder {@code e}'s part of {@code g} (its nodes from {@code firstNode} on, making {@code loss} and
     * {@code gradient}) as two stages, its forward and its backward in parts, with its masks ordered in the forward.
     */
    static void stage(GraphBuilder g, int e, int firstNode, String loss, String gradient) {
        String maskOrder = MASK_ORDER + e;
        if (EarlyMasks.order(g, maskOrder, firstNode)) {
            GraphStages.end(g, 2 * e, loss, maskOrder);
        } else {
            GraphStages.end(g, 2 * e, loss);
        }
        GraphStages.endInParts(g, 2 * e + 1, BACKWARD_PARTS, gradient);
    }

    /**
     * One encoder's share of the step's direction: its gradient divided by its mean magnitude, times loss/start, the
     * share of its starting loss it has left. Summed as they come, the encoder with the steeper gradient (TAESana)
     * would set the direction and the other lag behind it; scaled alike, the one further from its target gets the
     * larger say, so neither is left behind.
     */
    private static String balancedGradient(GraphBuilder g, String gradient, String loss, float startingLoss) {
        String meanMagnitude = g.op("ReduceMean", new String[] {g.op("Abs", gradient)}, Attr.i("keepdims", 0));
        String unit = g.op("Div", gradient, g.op("Add", meanMagnitude, g.scalar("tiny", Float.MIN_NORMAL)));
        return g.op("Mul", unit, g.op("Div", loss, g.scalar("starting_loss", startingLoss)));
    }

    /**
     * Encoder {@code e}'s loss at d = 0: {@link ProtectionTarget#terms} weights each term by its starting distance,
     * so each starts at its {@link #pullWeight}.
     */
    private float startingLoss(List<Term> terms, int e) {
        float sum = 0;
        for (Term t : terms) {
            if (pulled.get(t.output()).encoder() == e) {
                sum += pullWeight(t.output());
            }
        }
        return sum;
    }

    /** The loss over the terms of encoder {@code encoder} (or of all, {@link #ALL_ENCODERS}). */
    private GraphProto lossGraph(List<Term> terms, int encoder) {
        GraphBuilder g = new GraphBuilder("attack");
        List<String> values = pulledValues(g, encoder);
        List<String> pulls = new ArrayList<>();
        for (int k = 0; k < terms.size(); k++) {
            Term t = terms.get(k);
            if (encoder != ALL_ENCODERS && pulled.get(t.output()).encoder() != encoder) {
                continue;
            }
            String target = g.input(targetName(k), t.target().shape());
            String weight = g.input(weightName(k));
            pulls.add(g.op("Mul", new String[] {Losses.squaredDistance(g, values.get(t.output()), target,
                    Losses.Reduction.SUM), weight}));
        }
        String loss = g.sum(pulls);
        g.output(loss, LOSS);
        return GraphBuilder.withoutUnusedNodes(g.graph());
    }

    /**
     * The encoders inlined after the transformation (only {@code encoder}, unless {@link #ALL_ENCODERS}); the values
     * the loss may pull, in {@link #pulled}'s order (null for another encoder's).
     */
    private List<String> pulledValues(GraphBuilder g, int encoder) {
        String x = g.input(IMAGE, imageShape);
        String tx = transform.apply(g, x, imageShape);
        List<Map<String, String>> outputs = new ArrayList<>();
        for (int i = 0; i < surrogates.size(); i++) {
            SurrogateEncoder e = surrogates.get(i);
            boolean inlined = encoder == ALL_ENCODERS || encoder == i;
            outputs.add(inlined ? g.inline(e.graph(), Map.of(e.input(), tx), "e" + i + "_") : Map.of());
        }
        return pulled.stream().map(p -> outputs.get(p.encoder()).get(p.name())).toList();
    }

    /** The gradient graph's input for term k's target (and, below, its weight). */
    static String targetName(int k) {
        return "target" + k;
    }

    static String weightName(int k) {
        return "weight" + k;
    }

    @Override
    public void close() {
        releaseForward();
        if (step != null) {
            step.close();
        }
    }
}
