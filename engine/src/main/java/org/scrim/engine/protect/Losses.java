package org.scrim.engine.protect;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.autodiff.Differentiator;

/**
 * Scalar loss pieces built on a {@link GraphBuilder} (float graphs), to be differentiated by {@link Differentiator}.
 * Every loss reduces over the whole tensor. Several encoders (an ensemble) go in one graph through
 * {@link GraphBuilder#inline}, their losses joined by {@link #weightedSum}.
 */
public final class Losses {
    /** How squared differences are reduced. */
    public enum Reduction { SUM, MEAN }

    private Losses() {}

    /** sum or mean of (a - target)^2: minimising pulls {@code a} toward the target. */
    public static String squaredDistance(GraphBuilder b, String a, String target, Reduction reduction) {
        String d = b.op("Sub", a, target);
        String sum = b.op("ReduceSumSquare", new String[] {d}, Attr.i("keepdims", 0));
        if (reduction == Reduction.SUM) {
            return sum;
        }
        String count = b.op("Cast", new String[] {b.op("Size", d)},
                Attr.i("to", TensorProto.DataType.FLOAT_VALUE));
        return b.op("Div", sum, count);
    }

    /** The negated squared distance: minimising pushes {@code a} away from {@code reference} (untargeted). */
    public static String negatedDistance(GraphBuilder b, String a, String reference, Reduction reduction) {
        return b.op("Neg", squaredDistance(b, a, reference, reduction));
    }

    /** sum(a t) / sqrt(|a|^2 |t|^2 + eps): eps keeps the gradient finite at zero. */
    public static String cosineSimilarity(GraphBuilder b, String a, String t, float eps) {
        String dot = b.op("ReduceSum", new String[] {b.op("Mul", a, t)}, Attr.i("keepdims", 0));
        String na = b.op("ReduceSumSquare", new String[] {a}, Attr.i("keepdims", 0));
        String nt = b.op("ReduceSumSquare", new String[] {t}, Attr.i("keepdims", 0));
        String norms = b.op("Sqrt", b.op("Add", b.op("Mul", na, nt), b.scalar("eps", eps)));
        return b.op("Div", dot, norms);
    }

    /** sum_i weights[i] * terms[i] over scalar terms (an ensemble, or a loss plus penalties). */
    public static String weightedSum(GraphBuilder b, List<String> terms, float[] weights) {
        if (terms.isEmpty() || terms.size() != weights.length) {
            throw new IllegalArgumentException("weightedSum needs one weight per term, got " + terms.size()
                    + " terms and " + weights.length + " weights");
        }
        List<String> scaled = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            scaled.add(b.op("Mul", terms.get(i), b.scalar("w", weights[i])));
        }
        return b.sum(scaled);
    }
}
