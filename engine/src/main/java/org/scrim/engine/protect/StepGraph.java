package org.scrim.engine.protect;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.SessionGroup;

/**
 * One protection step as a graph on a {@link SessionGroup}'s residents: the loss and gradient at x + scale*d (the
 * previous step's visibility projection, applied here), then Adam on d, held to the per-pixel bound and to [0,1].
 * It reads residents x, d, m, v and the bound and carries d, m and v to the next step; the scalars are fed.
 */
final class StepGraph {
    /** Residents: the clean image, the perturbation (before its projection's scale), Adam's moments, the bound. */
    static final String IMAGE = "x";
    static final String PERTURBATION = "d";
    static final String FIRST_MOMENT = "m";
    static final String SECOND_MOMENT = "v";
    /** PerceptualBudget.bound, [1,1,H,W]. */
    static final String BOUND = "bound";
    /** Fed scalars: the scale of d, the learning rate, and Adam's bias corrections 1 - beta^t. */
    static final String SCALE = "scale";
    static final String LEARNING_RATE = "lr";
    static final String CORRECTION1 = "c1";
    static final String CORRECTION2 = "c2";
    /** The loss before the step, the one output read back. */
    static final String LOSS = "loss";
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.99f;
    private static final float EPSILON = 1e-12f;

    private StepGraph() {}

    /**
     * The step around {@code lossAndGradient}, whose input {@code image} becomes clip(x + scale*d, 0, 1); its other
     * inputs (targets, weights) become residents named by {@code resident}. Nothing after the gradient is
     * differentiated. With {@code gray}, the gradient is averaged over channels so d stays gray.
     */
    static ModelProto model(GraphProto lossAndGradient, String image, long[] shape, UnaryOperator<String> resident,
            boolean gray) {
        GraphBuilder g = new GraphBuilder("protection step");
        String x = g.input(IMAGE, shape);
        String d = g.input(PERTURBATION, shape);
        String m = g.input(FIRST_MOMENT, shape);
        String v = g.input(SECOND_MOMENT, shape);
        String bound = g.input(BOUND, 1, 1, shape[2], shape[3]);
        String scale = g.input(SCALE);
        String lr = g.input(LEARNING_RATE);
        String c1 = g.input(CORRECTION1);
        String c2 = g.input(CORRECTION2);

        String scaled = op(g, "Mul", scale, d);
        Map<String, String> binding = new HashMap<>();
        binding.put(image, GraphImageOps.clip01(g, op(g, "Add", x, scaled)));
        for (ValueInfoProto in : GraphBuilder.inputsToFeed(lossAndGradient)) {
            if (!in.getName().equals(image)) {
                binding.put(in.getName(), g.input(resident.apply(in.getName()), dims(in)));
            }
        }
        Map<String, String> out = g.inline(lossAndGradient, binding, "attack_");
        String grad = out.get(Differentiator.gradName(image));
        if (gray) {
            grad = g.op("ReduceMean", new String[] {grad}, Attr.ints("axes", 1), Attr.i("keepdims", 1));
        }

        // Adam, as (m/c1) / (sqrt(v/c2) + eps), in the order the host loop it replaces computed it
        String m2 = op(g, "Add", op(g, "Mul", g.scalar("beta1", BETA1), m),
                op(g, "Mul", g.scalar("one_minus_beta1", 1 - BETA1), grad));
        String v2 = op(g, "Add", op(g, "Mul", g.scalar("beta2", BETA2), v),
                op(g, "Mul", op(g, "Mul", g.scalar("one_minus_beta2", 1 - BETA2), grad), grad));
        String update = op(g, "Div", op(g, "Div", m2, c1),
                op(g, "Add", g.op("Sqrt", op(g, "Div", v2, c2)), g.scalar("eps", EPSILON)));
        String stepped = op(g, "Sub", scaled, op(g, "Mul", op(g, "Mul", lr, bound), update));
        String within = clamp(g, stepped, g.op("Neg", bound), bound);
        // keep x + d inside [0,1] so the step works on what will be written
        String d2 = clamp(g, within, g.op("Neg", x), op(g, "Sub", g.scalar("one", 1f), x));

        g.output(d2, SessionGroup.next(PERTURBATION));
        g.output(m2, SessionGroup.next(FIRST_MOMENT));
        g.output(v2, SessionGroup.next(SECOND_MOMENT));
        g.output(out.get(AttackModel.LOSS), LOSS);
        // the gradient graph's other outputs (the orders of its Relu masks) stay outputs, read by nothing
        for (Map.Entry<String, String> o : out.entrySet()) {
            if (!o.getKey().equals(AttackModel.LOSS) && !o.getKey().equals(Differentiator.gradName(image))) {
                g.output(o.getValue(), o.getKey());
            }
        }
        return g.build();
    }

    private static String clamp(GraphBuilder g, String value, String lo, String hi) {
        return op(g, "Max", lo, op(g, "Min", hi, value));
    }

    private static String op(GraphBuilder g, String type, String a, String b) {
        return g.op(type, a, b);
    }

    private static long[] dims(ValueInfoProto in) {
        return in.getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(TensorShapeProto.Dimension::getDimValue).toArray();
    }
}
