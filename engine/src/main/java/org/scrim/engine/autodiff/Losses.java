package org.scrim.engine.autodiff;

import static org.scrim.engine.onnx.Attr.i;

import java.util.List;
import org.scrim.engine.onnx.GraphBuilder;

/** Loss pieces to put on top of encoder outputs in a graph; each returns a scalar value name. */
public final class Losses {
    private Losses() {}

    /** sum((a - b)^2): pulls a toward b (targeted). */
    public static String squaredDistance(GraphBuilder g, String a, String b) {
        String d = g.op("Sub", new String[] {a, b});
        return g.op("ReduceSum", new String[] {g.op("Mul", new String[] {d, d})}, i("keepdims", 0));
    }

    /** -sum((a - b)^2): pushes a away from b (untargeted). */
    public static String negatedDistance(GraphBuilder g, String a, String b) {
        return g.op("Neg", new String[] {squaredDistance(g, a, b)});
    }

    /** a.b / (|a| |b|) over all elements. */
    public static String cosineSimilarity(GraphBuilder g, String a, String b) {
        String dot = sumAll(g, g.op("Mul", new String[] {a, b}));
        String na = g.op("Sqrt", new String[] {sumAll(g, g.op("Mul", new String[] {a, a}))});
        String nb = g.op("Sqrt", new String[] {sumAll(g, g.op("Mul", new String[] {b, b}))});
        return g.op("Div", new String[] {dot, g.op("Mul", new String[] {na, nb})});
    }

    /** sum_k w_k * term_k, with constant weights. */
    public static String weightedSum(GraphBuilder g, List<String> terms, float[] weights) {
        if (terms.size() != weights.length) {
            throw new IllegalArgumentException(terms.size() + " terms but " + weights.length + " weights");
        }
        String total = null;
        for (int k = 0; k < terms.size(); k++) {
            String w = g.op("Mul", new String[] {terms.get(k), g.scalar("w", weights[k])});
            total = total == null ? w : g.op("Add", new String[] {total, w});
        }
        return total;
    }

    /** The sum of scalar terms. */
    public static String sum(GraphBuilder g, List<String> terms) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("a loss needs at least one term");
        }
        return terms.size() == 1 ? terms.get(0) : g.op("Sum", terms.toArray(String[]::new));
    }

    private static String sumAll(GraphBuilder g, String x) {
        return g.op("ReduceSum", new String[] {x}, i("keepdims", 0));
    }
}
