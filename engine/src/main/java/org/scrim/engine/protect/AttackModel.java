package org.scrim.engine.protect;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/**
 * The encoders seen through one transformation T, at one image size: a forward-only session for x -> E_i(T(x)), and
 * a protection step ({@link StepGraph}) around the loss sum_k w_k |E_{i_k}(T(x)) - target_k|^2 and its gradient
 * with respect to x. The targets and weights are residents, so one session serves every step and every probe; the
 * weights normalise each term by its starting distance so mask and poison terms, and several encoders, pull with
 * equal say.
 */
final class AttackModel implements AutoCloseable {
    static final String IMAGE = "x";
    static final String LOSS = "loss";

    /** One pull: encoder {@code encoder}'s latent toward a target latent, weighted. */
    record Term(int encoder, Tensor target, float weight) {}

    /** What a step session was built for: the group (by identity), the number of terms and the gray option. */
    private record StepKey(SessionGroup group, int terms, boolean gray) {}

    private final ImageTransform transform;
    private final long[] imageShape;
    private final GraphSession forward;
    private final List<SurrogateEncoder> surrogates;
    private GraphSession step;
    private StepKey stepKey;

    AttackModel(List<SurrogateEncoder> surrogates, ImageTransform transform, long[] imageShape,
            Runtime runtime) {
        this.surrogates = surrogates;
        this.transform = transform;
        this.imageShape = imageShape.clone();
        GraphBuilder g = new GraphBuilder("features");
        for (String z : features(g)) {
            g.output(z);
        }
        this.forward = runtime.open(g.build());
    }

    ImageTransform transform() {
        return transform;
    }

    /** E_i(T(image)) for every encoder. */
    List<Tensor> encode(Tensor image) {
        Map<String, Tensor> out = forward.run(Map.of(IMAGE, image));
        return new ArrayList<>(out.values());
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

    private ai.onnx.proto.OnnxMl.ModelProto gradientGraph(List<Term> terms) {
        GraphBuilder g = new GraphBuilder("attack");
        List<String> z = features(g);
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put(IMAGE, imageShape);
        List<String> pulls = new ArrayList<>();
        for (int k = 0; k < terms.size(); k++) {
            Term t = terms.get(k);
            String target = g.input(targetName(k), t.target().shape());
            String weight = g.input(weightName(k));
            shapes.put(target, t.target().shape());
            shapes.put(weight, new long[0]);
            pulls.add(g.op("Mul", new String[] {Losses.squaredDistance(g, z.get(t.encoder()), target, Losses.Reduction.SUM), weight}));
        }
        String loss = pulls.size() == 1 ? pulls.get(0) : g.op("Sum", pulls.toArray(String[]::new));
        g.output(loss, LOSS);
        GraphProto graph = g.graph();
        return Differentiator.gradient(graph, LOSS, List.of(IMAGE), shapes);
    }

    private List<String> features(GraphBuilder g) {
        String x = g.input(IMAGE, imageShape);
        String tx = transform.apply(g, x, imageShape);
        List<String> z = new ArrayList<>();
        for (int i = 0; i < surrogates.size(); i++) {
            SurrogateEncoder e = surrogates.get(i);
            Map<String, String> out = g.inline(e.graph(), Map.of(e.input(), tx), "e" + i + "_");
            z.add(out.get(e.output()));
        }
        return z;
    }

    private static String targetName(int k) {
        return "target" + k;
    }

    private static String weightName(int k) {
        return "weight" + k;
    }

    @Override
    public void close() {
        forward.close();
        if (step != null) {
            step.close();
        }
    }
}
