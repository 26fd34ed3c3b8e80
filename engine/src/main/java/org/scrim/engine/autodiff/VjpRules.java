package org.scrim.engine.autodiff;

import static org.scrim.engine.onnx.NodeAttrs.describe;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.ConvGeometry;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ResizeCoordinates;
import org.scrim.engine.onnx.ShapeInference;

/**
 * The one table of vector-Jacobian products, by ONNX op type (opset 17 semantics; Reduce ops accept both attribute
 * and input axes). Every rule reuses the forward values it needs (inputs or outputs) and emits nothing for inputs
 * that need no gradient, such as weights. Forms are chosen for ONNX Runtime CPU: Relu's mask multiplies the gradient
 * (Cast and Mul took 47 ms at 64x512x512 where one Where took 105 ms), and reductions happen before elementwise work
 * where the algebra allows.
 */
public final class VjpRules {
    private static final Map<String, VjpRule> RULES = new LinkedHashMap<>();

    static {
        // Pass-through and shape ops
        RULES.put("Identity", c -> c.first(c.g()));
        RULES.put("Cast", c -> c.first(c.analysis().type(c.in(0)) == c.analysis().type(c.out(0)) ? c.g()
                : c.op("Cast", new String[] {c.g()}, Attr.i("to", c.analysis().type(c.in(0))))));
        VjpRule reshapeBack = c -> c.first(c.reshape(c.g(), c.shape(c.out(0)), c.shape(c.in(0))));
        RULES.put("Reshape", reshapeBack);
        RULES.put("Flatten", reshapeBack);
        RULES.put("Squeeze", reshapeBack);
        RULES.put("Unsqueeze", reshapeBack);
        RULES.put("Transpose", VjpRules::transpose);
        RULES.put("Concat", VjpRules::concat);
        RULES.put("Split", VjpRules::split);
        RULES.put("Slice", VjpRules::slice);
        RULES.put("Pad", VjpRules::pad);
        RULES.put("Expand", c -> c.first(c.sumToInput(c.g(), 0)));

        // Elementwise unary: masks and derivatives from the forward output where it is cheaper
        RULES.put("Relu", c -> c.first(c.op("Mul", c.g(), c.op("Cast", new String[] {c.op("Greater", c.out(0),
                c.zero())}, Attr.i("to", c.elemType())))));
        RULES.put("LeakyRelu", c -> c.first(c.op("Where", c.op("Greater", c.in(0), c.zero()), c.g(),
                c.op("Mul", c.g(), c.scalar(NodeAttrs.f(c.node(), "alpha", 0.01f))))));
        RULES.put("Sigmoid", c -> c.first(c.op("Mul", c.g(),
                c.op("Mul", c.out(0), c.op("Sub", c.scalar(1), c.out(0))))));
        RULES.put("Tanh", c -> c.first(c.op("Mul", c.g(),
                c.op("Sub", c.scalar(1), c.op("Mul", c.out(0), c.out(0))))));
        RULES.put("Softplus", c -> c.first(c.op("Mul", c.g(), c.op("Sigmoid", c.in(0)))));
        RULES.put("Erf", c -> c.first(c.op("Mul", c.g(), c.op("Mul", c.scalar(2 / Math.sqrt(Math.PI)),
                c.op("Exp", c.op("Neg", c.op("Mul", c.in(0), c.in(0))))))));
        RULES.put("Sqrt", c -> c.first(c.op("Mul", c.g(), c.op("Div", c.scalar(0.5), c.out(0)))));
        RULES.put("Exp", c -> c.first(c.op("Mul", c.g(), c.out(0))));
        RULES.put("Log", c -> c.first(c.op("Div", c.g(), c.in(0))));
        RULES.put("Neg", c -> c.first(c.op("Neg", c.g())));
        RULES.put("Abs", c -> c.first(c.op("Mul", c.g(), c.op("Sign", c.in(0)))));
        RULES.put("Reciprocal", c -> c.first(c.op("Neg", c.op("Mul", c.g(), c.op("Mul", c.out(0), c.out(0))))));
        RULES.put("Clip", VjpRules::clip);

        // Elementwise binary with numpy broadcasting: reduce each cotangent back to its operand's shape
        RULES.put("Add", c -> new String[] {c.ifNeeded(0, () -> c.sumToInput(c.g(), 0)),
                c.ifNeeded(1, () -> c.sumToInput(c.g(), 1))});
        RULES.put("Sub", c -> new String[] {c.ifNeeded(0, () -> c.sumToInput(c.g(), 0)),
                c.ifNeeded(1, () -> c.op("Neg", c.sumToInput(c.g(), 1)))});
        RULES.put("Mul", c -> new String[] {c.ifNeeded(0, () -> c.sumToInput(c.op("Mul", c.g(), c.in(1)), 0)),
                c.ifNeeded(1, () -> c.sumToInput(c.op("Mul", c.g(), c.in(0)), 1))});
        RULES.put("Div", c -> new String[] {c.ifNeeded(0, () -> c.sumToInput(c.op("Div", c.g(), c.in(1)), 0)),
                c.ifNeeded(1, () -> c.op("Neg", c.sumToInput(c.op("Div", c.op("Mul", c.g(), c.out(0)), c.in(1)), 1)))});
        RULES.put("Pow", c -> new String[] {
                c.ifNeeded(0, () -> c.sumToInput(c.op("Mul", c.g(), c.op("Mul", c.in(1),
                        c.op("Pow", c.in(0), c.op("Sub", c.in(1), c.scalar(1))))), 0)),
                c.ifNeeded(1, () -> c.sumToInput(c.op("Mul", c.g(), c.op("Mul", c.out(0), c.op("Log", c.in(0)))), 1))});
        RULES.put("Sum", c -> IntStream.range(0, c.node().getInputCount())
                .mapToObj(i -> c.ifNeeded(i, () -> c.sumToInput(c.g(), i))).toArray(String[]::new));
        RULES.put("Where", c -> new String[] {null,
                c.ifNeeded(1, () -> c.sumToInput(c.op("Where", c.in(0), c.g(), c.zero()), 1)),
                c.ifNeeded(2, () -> c.sumToInput(c.op("Where", c.in(0), c.zero(), c.g()), 2))});

        // Linear algebra and convolution
        RULES.put("MatMul", VjpRules::matMul);
        RULES.put("Gemm", VjpRules::gemm);
        RULES.put("Conv", VjpRules::conv);
        RULES.put("ConvTranspose", VjpRules::convTranspose);

        // Reductions, normalisations, softmax
        RULES.put("ReduceSum", c -> c.first(c.op("Expand", reducedCotangent(c, 1), c.ints(c.shape(c.in(0))))));
        RULES.put("ReduceMean", c -> c.first(c.op("Expand",
                reducedCotangent(c, 1.0 / reducedCount(c)), c.ints(c.shape(c.in(0))))));
        RULES.put("ReduceSumSquare", c -> c.first(c.op("Mul", c.in(0), reducedCotangent(c, 2))));
        RULES.put("ReduceL2", c -> c.first(c.op("Mul", c.in(0), c.op("Div", reducedCotangent(c, 1), keptOutput(c)))));
        // Ties all receive the full cotangent (a subgradient; ties are measure-zero for real images).
        RULES.put("ReduceMax", c -> c.first(c.op("Where", c.op("Equal", c.in(0), keptOutput(c)),
                reducedCotangent(c, 1), c.zero())));
        RULES.put("Softmax", c -> c.first(c.op("Mul", c.out(0), c.op("Sub", c.g(),
                c.reduce("ReduceSum", c.op("Mul", c.g(), c.out(0)), softmaxAxis(c), true)))));
        RULES.put("LogSoftmax", c -> c.first(c.op("Sub", c.g(), c.op("Mul", c.op("Exp", c.out(0)),
                c.reduce("ReduceSum", c.g(), softmaxAxis(c), true)))));
        RULES.put("InstanceNormalization", VjpRules::instanceNorm);
        RULES.put("LayerNormalization", VjpRules::layerNorm);
        RULES.put("GroupNormalization", VjpRules::groupNorm);

        // Pooling and resampling
        RULES.put("AveragePool", VjpRules::averagePool);
        RULES.put("GlobalAveragePool", c -> {
            long[] xs = c.shape(c.in(0));
            double count = ShapeInference.numel(Arrays.copyOfRange(xs, 2, xs.length));
            return c.first(c.op("Expand", c.op("Mul", c.g(), c.scalar(1 / count)), c.ints(xs)));
        });
        RULES.put("MaxPool", VjpRules::maxPool);
        RULES.put("Resize", VjpRules::resize);
    }

    private VjpRules() {}

    /** The rule for {@code node}'s op. */
    public static VjpRule rule(NodeProto node) {
        VjpRule r = RULES.get(node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx") ? node.getOpType() : "");
        if (r == null) {
            throw new IllegalArgumentException("cannot differentiate op " + node.getOpType() + " ("
                    + describe(node) + "): no gradient rule; supported ops: " + String.join(", ", supported()));
        }
        return r;
    }

    public static List<String> supported() {
        List<String> ops = new ArrayList<>(RULES.keySet());
        Collections.sort(ops);
        return ops;
    }

    // ---- shape ops ----

    private static String[] transpose(VjpContext c) {
        long[] perm = ShapeInference.transposePerm(c.node(), c.shape(c.in(0)).length);
        long[] inverse = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
        }
        return c.first(c.op("Transpose", new String[] {c.g()}, Attr.ints("perm", inverse)));
    }

    private static String[] concat(VjpContext c) {
        int n = c.node().getInputCount();
        int axis = ShapeInference.axis(NodeAttrs.i(c.node(), "axis", 0), c.shape(c.out(0)).length);
        long[] sizes = IntStream.range(0, n).mapToLong(i -> c.shape(c.in(i))[axis]).toArray();
        String[] parts = c.ops("Split", n, new String[] {c.g(), c.ints(sizes)}, Attr.i("axis", axis));
        return IntStream.range(0, n).mapToObj(i -> c.needs(i) ? parts[i] : null).toArray(String[]::new);
    }

    private static String[] split(VjpContext c) {
        String[] parts = new String[c.node().getOutputCount()];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = c.grad(k) != null ? c.grad(k) : c.zeros(c.shape(c.out(k)));
        }
        long axis = ShapeInference.axis(NodeAttrs.i(c.node(), "axis", 0), c.shape(c.in(0)).length);
        return c.first(c.op("Concat", parts, Attr.i("axis", axis)));
    }

    /** Slice (positive steps of 1) is undone by zero padding. */
    private static String[] slice(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        ShapeInference.SliceSpec sp = ShapeInference.SliceSpec.of(c.node(), c.analysis(), xs);
        long[] pads = new long[2 * xs.length];
        for (int k = 0; k < sp.axes().length; k++) {
            if (sp.steps()[k] != 1) {
                throw c.unsupported("Slice gradient needs steps of 1, got " + sp.steps()[k]);
            }
            int ax = sp.axes()[k];
            pads[ax] = sp.starts()[k];
            pads[ax + xs.length] = xs[ax] - sp.starts()[k] - sp.length(k);
        }
        return c.first(c.op("Pad", c.g(), c.ints(pads)));
    }

    /** Constant Pad: slice the cotangent back (negative pads, which crop, pad it back with zeros). */
    private static String[] pad(VjpContext c) {
        String mode = NodeAttrs.s(c.node(), "mode", "constant");
        if (!mode.equals("constant")) {
            throw c.unsupported("Pad gradient supports mode 'constant' only, got '" + mode + "'");
        }
        long[] xs = c.shape(c.in(0));
        int r = xs.length;
        long[] pads = NodeAttrs.toLongs(c.analysis().constant(c.in(1), c.node()));
        long[] starts = new long[r];
        long[] ends = new long[r];
        long[] refill = new long[2 * r];
        boolean crops = false;
        for (int i = 0; i < r; i++) {
            starts[i] = Math.max(pads[i], 0);
            ends[i] = Math.min(xs[i], xs[i] + pads[i + r]) + pads[i];
            refill[i] = Math.max(-pads[i], 0);
            refill[i + r] = Math.max(-pads[i + r], 0);
            crops |= refill[i] > 0 || refill[i + r] > 0;
        }
        String g = c.op("Slice", c.g(), c.ints(starts), c.ints(ends));
        return c.first(crops ? c.op("Pad", g, c.ints(refill)) : g);
    }

    private static String[] clip(VjpContext c) {
        String lo = c.in(1);
        String hi = c.in(2);
        String inside = lo == null ? null : c.op("GreaterOrEqual", c.in(0), lo);
        if (hi != null) {
            String below = c.op("LessOrEqual", c.in(0), hi);
            inside = inside == null ? below : c.op("And", inside, below);
        }
        if (c.needs(1) || c.needs(2)) {
            throw c.unsupported("gradient w.r.t. Clip bounds is not supported");
        }
        return c.first(inside == null ? c.g() : c.op("Where", inside, c.g(), c.zero()));
    }

    // ---- linear algebra ----

    private static String[] matMul(VjpContext c) {
        long[] as = c.shape(c.in(0));
        long[] bs = c.shape(c.in(1));
        long[] a2 = as.length == 1 ? new long[] {1, as[0]} : as;
        long[] b2 = bs.length == 1 ? new long[] {bs[0], 1} : bs;
        long[] y2 = ShapeInference.matMulShape(a2, b2, c.node());
        String g2 = c.reshape(c.g(), c.shape(c.out(0)), y2);
        String da = c.ifNeeded(0, () -> {
            String bt = lastTwoSwapped(c, c.reshape(c.in(1), bs, b2), b2.length);
            long[] full = y2.clone();
            full[full.length - 1] = a2[a2.length - 1];
            return c.reshape(c.sumTo(c.op("MatMul", g2, bt), full, a2), a2, as);
        });
        String db = c.ifNeeded(1, () -> {
            String at = lastTwoSwapped(c, c.reshape(c.in(0), as, a2), a2.length);
            long[] full = y2.clone();
            full[full.length - 2] = b2[b2.length - 2];
            return c.reshape(c.sumTo(c.op("MatMul", at, g2), full, b2), b2, bs);
        });
        return new String[] {da, db};
    }

    private static String lastTwoSwapped(VjpContext c, String v, int rank) {
        long[] perm = IntStream.range(0, rank).asLongStream().toArray();
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return c.op("Transpose", new String[] {v}, Attr.ints("perm", perm));
    }

    /** Y = alpha op(A) op(B) + beta C: each operand's cotangent is again one Gemm. */
    private static String[] gemm(VjpContext c) {
        NodeProto n = c.node();
        float alpha = NodeAttrs.f(n, "alpha", 1f);
        float beta = NodeAttrs.f(n, "beta", 1f);
        boolean ta = NodeAttrs.i(n, "transA", 0) != 0;
        boolean tb = NodeAttrs.i(n, "transB", 0) != 0;
        AttributeProto al = Attr.f("alpha", alpha);
        String da = c.ifNeeded(0, () -> ta
                ? c.op("Gemm", new String[] {c.in(1), c.g()}, al, Attr.i("transA", tb ? 1 : 0), Attr.i("transB", 1))
                : c.op("Gemm", new String[] {c.g(), c.in(1)}, al, Attr.i("transB", tb ? 0 : 1)));
        String db = c.ifNeeded(1, () -> tb
                ? c.op("Gemm", new String[] {c.g(), c.in(0)}, al, Attr.i("transA", 1), Attr.i("transB", ta ? 1 : 0))
                : c.op("Gemm", new String[] {c.in(0), c.g()}, al, Attr.i("transA", ta ? 0 : 1)));
        String dc = c.ifNeeded(2, () -> c.op("Mul", c.sumToInput(c.g(), 2), c.scalar(beta)));
        return new String[] {da, db, dc};
    }

    /**
     * Conv's data cotangent is ConvTranspose with the same weight; output_padding restores odd sizes. A stride-1,
     * ungrouped conv instead gets a Conv with the weight's channels swapped and taps flipped (pads d(k-1)-p): the
     * same numbers, but ONNX Runtime's Conv kernel is several times faster than its ConvTranspose. The flip reads
     * only the constant weight, so ONNX Runtime folds it once when the session loads.
     */
    private static String[] conv(VjpContext c) {
        requireConstantWeight(c);
        long[] xs = c.shape(c.in(0));
        long[] ws = c.shape(c.in(1));
        ConvGeometry geo = ConvGeometry.of(c.node(), xs, ws);
        String dx = c.ifNeeded(0, () -> flippedConvApplies(c, geo)
                ? c.op("Conv", new String[] {c.g(), flippedWeight(c, ws.length)}, flippedConvAttrs(geo))
                : c.op("ConvTranspose", new String[] {c.g(), c.in(1)},
                        convAttrs(c, geo, Attr.ints("output_padding", geo.outputPadding()))));
        return new String[] {dx, null, c.ifNeeded(2, () -> biasGrad(c))};
    }

    private static boolean flippedConvApplies(VjpContext c, ConvGeometry geo) {
        if (NodeAttrs.i(c.node(), "group", 1) != 1) {
            return false;
        }
        int r = geo.rank();
        for (int a = 0; a < r; a++) {
            long reach = geo.dilations()[a] * (geo.kernel()[a] - 1);
            if (geo.strides()[a] != 1 || geo.pads()[a] > reach || geo.pads()[a + r] > reach) {
                return false;
            }
        }
        return true;
    }

    /** W[o,i,k...] -> W'[i,o,K-1-k...]. */
    private static String flippedWeight(VjpContext c, int rank) {
        long[] perm = new long[rank];
        for (int a = 0; a < rank; a++) {
            perm[a] = a;
        }
        perm[0] = 1;
        perm[1] = 0;
        String swapped = c.op("Transpose", new String[] {c.in(1)}, Attr.ints("perm", perm));
        long[] starts = new long[rank - 2];
        long[] ends = new long[rank - 2];
        long[] axes = new long[rank - 2];
        long[] steps = new long[rank - 2];
        for (int a = 0; a < rank - 2; a++) {
            starts[a] = -1;
            ends[a] = Long.MIN_VALUE;
            axes[a] = a + 2;
            steps[a] = -1;
        }
        return c.op("Slice", swapped, c.ints(starts), c.ints(ends), c.ints(axes), c.ints(steps));
    }

    private static AttributeProto[] flippedConvAttrs(ConvGeometry geo) {
        int r = geo.rank();
        long[] pads = new long[2 * r];
        for (int a = 0; a < r; a++) {
            long reach = geo.dilations()[a] * (geo.kernel()[a] - 1);
            pads[a] = reach - geo.pads()[a];
            pads[a + r] = reach - geo.pads()[a + r];
        }
        return new AttributeProto[] {Attr.ints("kernel_shape", geo.kernel()), Attr.ints("strides", geo.strides()),
                Attr.ints("dilations", geo.dilations()), Attr.ints("pads", pads)};
    }

    /** ConvTranspose's data cotangent is Conv with the same weight, strides, pads and dilations. */
    private static String[] convTranspose(VjpContext c) {
        requireConstantWeight(c);
        ConvGeometry geo = ConvGeometry.ofTranspose(c.node(), c.shape(c.in(0)), c.shape(c.in(1)));
        String dx = c.ifNeeded(0, () -> c.op("Conv", new String[] {c.g(), c.in(1)}, convAttrs(c, geo)));
        return new String[] {dx, null, c.ifNeeded(2, () -> biasGrad(c))};
    }

    private static void requireConstantWeight(VjpContext c) {
        if (c.needs(1)) {
            throw c.unsupported("gradient w.r.t. the weight '" + c.in(1) + "' is not supported"
                    + " (weights are constants; differentiate w.r.t. the data input)");
        }
    }

    private static AttributeProto[] convAttrs(VjpContext c, ConvGeometry geo, AttributeProto... extra) {
        List<AttributeProto> attrs = new ArrayList<>(List.of(Attr.ints("kernel_shape", geo.kernel()),
                Attr.ints("strides", geo.strides()), Attr.ints("dilations", geo.dilations()),
                Attr.ints("pads", geo.pads()), Attr.i("group", NodeAttrs.i(c.node(), "group", 1))));
        attrs.addAll(List.of(extra));
        return attrs.toArray(AttributeProto[]::new);
    }

    private static String biasGrad(VjpContext c) {
        int rank = c.shape(c.out(0)).length;
        int[] axes = IntStream.range(0, rank).filter(i -> i != 1).toArray();
        return c.reduce("ReduceSum", c.g(), axes, false);
    }

    // ---- reductions and normalisation ----

    /** The output cotangent reshaped to keepdims form and scaled: broadcasts against the input. */
    private static String reducedCotangent(VjpContext c, double scale) {
        long[] xs = c.shape(c.in(0));
        long[] kept = ShapeInference.reducedShape(xs, ShapeInference.reduceAxes(c.node(), c.analysis(), xs.length), true);
        String g = c.reshape(c.g(), c.shape(c.out(0)), kept);
        return scale == 1 ? g : c.op("Mul", g, c.scalar(scale));
    }

    private static String keptOutput(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        long[] kept = ShapeInference.reducedShape(xs, ShapeInference.reduceAxes(c.node(), c.analysis(), xs.length), true);
        return c.reshape(c.out(0), c.shape(c.out(0)), kept);
    }

    private static double reducedCount(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        return Arrays.stream(ShapeInference.reduceAxes(c.node(), c.analysis(), xs.length))
                .mapToDouble(ax -> xs[ax]).reduce(1, (p, q) -> p * q);
    }

    private static int[] softmaxAxis(VjpContext c) {
        return new int[] {ShapeInference.axis(NodeAttrs.i(c.node(), "axis", -1), c.shape(c.in(0)).length)};
    }

    /**
     * Cotangent of x through xhat = (x - mean) / sqrt(var + eps) over {@code axes}, given the cotangent of xhat.
     * The statistics are small reductions of the saved input: dx = rstd (dxhat - mean(dxhat) - xc rstd^2
     * mean(dxhat xc)).
     */
    private static String normalizedBackward(VjpContext c, String x, String dxhat, long[] xs, int[] axes, double eps) {
        double count = Arrays.stream(axes).mapToDouble(ax -> xs[ax]).reduce(1, (p, q) -> p * q);
        String xc = c.op("Sub", x, c.reduce("ReduceMean", x, axes, true));
        String var = c.op("Mul", c.reduce("ReduceSumSquare", xc, axes, true), c.scalar(1 / count));
        String rstd = c.op("Reciprocal", c.op("Sqrt", c.op("Add", var, c.scalar(eps))));
        String m1 = c.reduce("ReduceMean", dxhat, axes, true);
        String m2 = c.reduce("ReduceMean", c.op("Mul", dxhat, xc), axes, true);
        String k = c.op("Mul", c.op("Mul", rstd, rstd), m2);
        return c.op("Mul", c.op("Sub", c.op("Sub", dxhat, m1), c.op("Mul", xc, k)), rstd);
    }

    private static String[] instanceNorm(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        long[] perChannel = new long[xs.length - 1];
        Arrays.fill(perChannel, 1);
        perChannel[0] = xs[1];
        int[] axes = IntStream.range(2, xs.length).toArray();
        double eps = NodeAttrs.f(c.node(), "epsilon", 1e-5f);
        String dx = c.ifNeeded(0, () -> normalizedBackward(c, c.in(0),
                c.op("Mul", c.g(), c.reshape(c.in(1), c.shape(c.in(1)), perChannel)), xs, axes, eps));
        requireConstantAffine(c);
        return new String[] {dx};
    }

    private static String[] layerNorm(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        int axis = ShapeInference.axis(NodeAttrs.i(c.node(), "axis", -1), xs.length);
        int[] axes = IntStream.range(axis, xs.length).toArray();
        double eps = NodeAttrs.f(c.node(), "epsilon", 1e-5f);
        String dx = c.ifNeeded(0, () -> normalizedBackward(c, c.in(0), c.op("Mul", c.g(), c.in(1)), xs, axes, eps));
        requireConstantAffine(c);
        return new String[] {dx};
    }

    /**
     * GroupNormalization (opset 18: scale per group; opset 21: scale per channel, told apart by the scale's length)
     * by its definition: normalise each group of C/G channels, then scale and shift.
     */
    private static String[] groupNorm(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        long groups = NodeAttrs.i(c.node(), "num_groups", 0);
        long[] grouped = {xs[0], groups, ShapeInference.numel(xs) / xs[0] / groups};
        long scaleLength = c.shape(c.in(1))[0];
        double eps = NodeAttrs.f(c.node(), "epsilon", 1e-5f);
        String dx = c.ifNeeded(0, () -> {
            String dxhat;
            if (scaleLength == xs[1]) {
                long[] perChannel = new long[xs.length - 1];
                Arrays.fill(perChannel, 1);
                perChannel[0] = xs[1];
                dxhat = c.reshape(c.op("Mul", c.g(), c.reshape(c.in(1), new long[] {scaleLength}, perChannel)),
                        xs, grouped);
            } else {
                dxhat = c.op("Mul", c.reshape(c.g(), xs, grouped),
                        c.reshape(c.in(1), new long[] {scaleLength}, new long[] {groups, 1}));
            }
            String x = c.reshape(c.in(0), xs, grouped);
            return c.reshape(normalizedBackward(c, x, dxhat, grouped, new int[] {2}, eps), grouped, xs);
        });
        requireConstantAffine(c);
        return new String[] {dx};
    }

    private static void requireConstantAffine(VjpContext c) {
        if (c.needs(1) || c.needs(2)) {
            throw c.unsupported("gradient w.r.t. normalisation scale or bias is not supported (they are constants)");
        }
    }

    // ---- pooling and resampling ----

    /**
     * AveragePool's cotangent spreads each output's share over its window: a depthwise ConvTranspose with a constant
     * kernel. Without count_include_pad, border windows have fewer elements: their cotangents are divided by a
     * constant count map first.
     */
    private static String[] averagePool(VjpContext c) {
        long[] xs = c.shape(c.in(0));
        ConvGeometry geo = ConvGeometry.of(c.node(), xs, null);
        long[] floorOut = ConvGeometry.of(c.node().toBuilder().clearAttribute().addAllAttribute(
                c.node().getAttributeList().stream().filter(a -> !a.getName().equals("ceil_mode")).toList()).build(),
                xs, null).output();
        if (!Arrays.equals(floorOut, geo.output())) {
            throw c.unsupported("AveragePool gradient with ceil_mode=1 that adds a partial window is not supported");
        }
        long channels = xs[1];
        double kernelSize = ShapeInference.numel(geo.kernel());
        boolean includePad = NodeAttrs.i(c.node(), "count_include_pad", 0) != 0
                || Arrays.stream(geo.pads()).allMatch(p -> p == 0);
        String g = c.g();
        double weight = 1 / kernelSize;
        if (!includePad) {
            g = c.op("Mul", g, c.tensor(inverseWindowCounts(geo), ShapeInference.concat(new long[] {1, 1}, geo.output())));
            weight = 1;
        }
        double[] kernel = new double[(int) (channels * kernelSize)];
        Arrays.fill(kernel, weight);
        String w = c.tensor(kernel, ShapeInference.concat(new long[] {channels, 1}, geo.kernel()));
        return c.first(c.op("ConvTranspose", new String[] {g, w}, Attr.ints("kernel_shape", geo.kernel()),
                Attr.ints("strides", geo.strides()), Attr.ints("pads", geo.pads()), Attr.i("group", channels),
                Attr.ints("output_padding", geo.outputPadding())));
    }

    /** 1 / (number of window elements inside the unpadded input), per output position. */
    private static double[] inverseWindowCounts(ConvGeometry geo) {
        int r = geo.rank();
        int total = (int) ShapeInference.numel(geo.output());
        double[] inv = new double[total];
        for (int flat = 0; flat < total; flat++) {
            long count = 1;
            int rest = flat;
            for (int i = r - 1; i >= 0; i--) {
                long o = rest % geo.output()[i];
                rest /= (int) geo.output()[i];
                long start = o * geo.strides()[i] - geo.pads()[i];
                long end = Math.min(start + geo.kernel()[i], geo.input()[i]);
                count *= end - Math.max(start, 0);
            }
            inv[flat] = 1.0 / count;
        }
        return inv;
    }

    /** MaxPool routes each cotangent to its argmax: the forward's Indices output, scatter-added into zeros. */
    private static String[] maxPool(VjpContext c) {
        if (NodeAttrs.i(c.node(), "storage_order", 0) != 0) {
            throw c.unsupported("MaxPool gradient needs storage_order=0");
        }
        long[] xs = c.shape(c.in(0));
        String indices = c.op("Reshape", c.forwardOutput(1), c.ints(-1));
        String scattered = c.op("ScatterElements", new String[] {c.zeros(ShapeInference.numel(xs)), indices,
                c.op("Reshape", c.g(), c.ints(-1))}, Attr.i("axis", 0), Attr.s("reduction", "add"));
        return c.first(c.op("Reshape", scattered, c.ints(xs)));
    }

    /**
     * Resize is linear in its input and separable: along each resized axis the cotangent goes through the transposed
     * interpolation matrix (a MatMul on the last two axes). Nearest upsampling by an integer factor is a sum over each
     * block instead (Reshape + ReduceSum, no matrix).
     */
    private static String[] resize(VjpContext c) {
        NodeProto n = c.node();
        String mode = NodeAttrs.s(n, "mode", "nearest");
        if (!mode.equals("nearest") && !mode.equals("linear")) {
            throw c.unsupported("Resize gradient supports modes nearest and linear, got " + mode);
        }
        long[] xs = c.shape(c.in(0));
        long[] ys = c.shape(c.out(0));
        int r = xs.length;
        double[] scales = NodeAttrs.input(n, 2) != null && c.analysis().constant(c.in(2), n).length > 0
                ? c.analysis().constant(c.in(2), n) : null;
        String g = c.g();
        long[] blocked = new long[0];
        List<Integer> summed = new ArrayList<>();
        List<Integer> matrixAxes = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (xs[i] == ys[i] && isIdentity(n, mode, xs[i], ys[i], scales == null ? 1 : scales[i])) {
                blocked = ShapeInference.concat(blocked, new long[] {xs[i]});
                continue;
            }
            if (i < r - 2) {
                throw c.unsupported("Resize gradient supports resizing the last two axes only");
            }
            double scale = scales == null ? (double) ys[i] / xs[i] : (float) scales[i];
            int[] nearest = mode.equals("nearest") ? nearestIndices(n, xs[i], ys[i], scale) : null;
            if (nearest != null && ys[i] % xs[i] == 0 && isBlock(nearest, (int) (ys[i] / xs[i]))) {
                blocked = ShapeInference.concat(blocked, new long[] {xs[i], ys[i] / xs[i]});
                summed.add(blocked.length - 1);
            } else {
                blocked = ShapeInference.concat(blocked, new long[] {ys[i]});
                matrixAxes.add(i);
            }
        }
        if (!summed.isEmpty()) {
            g = c.reduce("ReduceSum", c.reshape(g, ys, blocked), summed.stream().mapToInt(Integer::intValue).toArray(),
                    false);
        }
        for (int i : matrixAxes) {
            double scale = scales == null ? (double) ys[i] / xs[i] : (float) scales[i];
            double[][] m = interpolationMatrix(n, mode, xs[i], ys[i], scale);
            int in = (int) xs[i];
            int out = (int) ys[i];
            if (i == r - 1) {
                double[] flat = new double[out * in]; // [out, in]: g[..., out] x M -> [..., in]
                for (int o = 0; o < out; o++) {
                    System.arraycopy(m[o], 0, flat, o * in, in);
                }
                g = c.op("MatMul", g, c.tensor(flat, out, in));
            } else {
                double[] flat = new double[in * out]; // [in, out] x g[..., out, W] -> [..., in, W]
                for (int o = 0; o < out; o++) {
                    for (int k = 0; k < in; k++) {
                        flat[k * out + o] = m[o][k];
                    }
                }
                g = c.op("MatMul", c.tensor(flat, in, out), g);
            }
        }
        return c.first(g);
    }

    private static boolean isIdentity(NodeProto n, String mode, long in, long out, double scale) {
        double[][] m = interpolationMatrix(n, mode, in, out, scale);
        for (int o = 0; o < out; o++) {
            if (m[o][o] != 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlock(int[] nearest, int factor) {
        for (int o = 0; o < nearest.length; o++) {
            if (nearest[o] != o / factor) {
                return false;
            }
        }
        return true;
    }

    /** Where output index o reads from in the input, per ONNX Resize coordinate_transformation_mode. */
    private static double sourceCoordinate(NodeProto n, long o, long in, long out, double scale) {
        ResizeCoordinates mode = ResizeCoordinates.of(n);
        if (mode == null) {
            throw new IllegalArgumentException(describe(n) + ": Resize gradient does not support "
                    + "coordinate_transformation_mode " + ResizeCoordinates.name(n));
        }
        return mode.source(o, in, out, scale);
    }

    private static int[] nearestIndices(NodeProto n, long in, long out, double scale) {
        String nm = NodeAttrs.s(n, "nearest_mode", "round_prefer_floor");
        int[] idx = new int[(int) out];
        for (int o = 0; o < out; o++) {
            double x = sourceCoordinate(n, o, in, out, scale);
            double k = switch (nm) {
                case "round_prefer_floor" -> x - Math.floor(x) == 0.5 ? Math.floor(x) : Math.round(x);
                case "round_prefer_ceil" -> Math.round(x);
                case "floor" -> Math.floor(x);
                case "ceil" -> Math.ceil(x);
                default -> throw new IllegalArgumentException(describe(n) + ": unknown nearest_mode " + nm);
            };
            idx[o] = (int) Math.max(0, Math.min(in - 1, k));
        }
        return idx;
    }

    /** Row o holds the weights output o gives each input position. */
    private static double[][] interpolationMatrix(NodeProto n, String mode, long in, long out, double scale) {
        double[][] m = new double[(int) out][(int) in];
        if (mode.equals("nearest")) {
            int[] idx = nearestIndices(n, in, out, scale);
            for (int o = 0; o < out; o++) {
                m[o][idx[o]] = 1;
            }
            return m;
        }
        for (int o = 0; o < out; o++) {
            double x = Math.max(0, Math.min(in - 1, sourceCoordinate(n, o, in, out, scale)));
            int x0 = (int) Math.floor(x);
            int x1 = (int) Math.min(x0 + 1, in - 1);
            double w = x - x0;
            m[o][x0] += 1 - w;
            m[o][x1] += w;
        }
        return m;
    }
}
