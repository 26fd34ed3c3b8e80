package org.scrim.engine.onnx;

import static org.scrim.engine.onnx.NodeAttrs.describe;
import static org.scrim.engine.onnx.NodeAttrs.input;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Static shape inference for the ops the engine differentiates and lowers, one rule per op type. Shapes must be
 * concrete: symbolic input dimensions are replaced by the caller's shapes. Small integer tensors (Shape, Constant,
 * initializers and simple arithmetic on them) are folded, so Reshape/Slice/Resize arguments computed in the graph
 * resolve too.
 */
public final class ShapeInference {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    /** Float tensors up to this size are folded as constants (scales, ROI, clip bounds), bigger ones are weights. */
    private static final int MAX_FLOAT_CONSTANT = 64;

    private ShapeInference() {}

    /** Shapes, element types and folded constant values of a graph's values. */
    public record Analysis(Map<String, long[]> shapes, Map<String, Integer> types, Map<String, double[]> constants) {
        public long[] shape(String value) {
            long[] s = shapes.get(value);
            if (s == null) {
                throw new IllegalArgumentException("no static shape known for value '" + value + "'");
            }
            return s.clone();
        }

        public int type(String value) {
            Integer t = types.get(value);
            return t == null ? FLOAT : t;
        }

        /** The folded value of {@code value}, which {@code node} needs as a constant. */
        public double[] constant(String value, NodeProto node) {
            double[] c = constants.get(value);
            if (c == null) {
                throw new IllegalArgumentException(describe(node) + ": input '" + value
                        + "' must be a constant (initializer, Constant or foldable shape arithmetic)");
            }
            return c;
        }

        public boolean isFloating(String value) {
            int t = type(value);
            return t == FLOAT || t == TensorProto.DataType.DOUBLE_VALUE;
        }
    }

    /** Shapes of every value of {@code g}; {@code inputShapes} binds (symbolic) graph inputs to concrete shapes. */
    public static Map<String, long[]> infer(GraphProto g, Map<String, long[]> inputShapes) {
        return analyze(g, inputShapes).shapes();
    }

    public static Analysis analyze(GraphProto g, Map<String, long[]> inputShapes) {
        Analysis a = new Analysis(new HashMap<>(), new HashMap<>(), new HashMap<>());
        for (TensorProto t : g.getInitializerList()) {
            a.shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
            a.types.put(t.getName(), t.getDataType());
            boolean isFloat = t.getDataType() == FLOAT || t.getDataType() == TensorProto.DataType.DOUBLE_VALUE;
            if (!isFloat || numel(a.shapes.get(t.getName())) <= MAX_FLOAT_CONSTANT) {
                a.constants.put(t.getName(), NodeAttrs.values(t));
            }
        }
        for (ValueInfoProto in : g.getInputList()) {
            if (a.shapes.containsKey(in.getName())) {
                continue; // an initializer that is also listed as input (old IR style)
            }
            a.types.put(in.getName(), in.getType().getTensorType().getElemType());
            long[] given = inputShapes.get(in.getName());
            a.shapes.put(in.getName(), given != null ? given.clone() : declaredShape(in));
        }
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !a.shapes.containsKey(in)) {
                    throw new IllegalArgumentException(describe(n) + " reads '" + in
                            + "', which no earlier node, input or initializer defines (graph not sorted?)");
                }
            }
            infer(n, a);
        }
        return a;
    }

    private static long[] declaredShape(ValueInfoProto in) {
        TensorShapeProto s = in.getType().getTensorType().getShape();
        long[] shape = new long[s.getDimCount()];
        for (int i = 0; i < shape.length; i++) {
            if (!s.getDim(i).hasDimValue()) {
                throw new IllegalArgumentException("graph input '" + in.getName() + "' has symbolic dimension "
                        + i + " ('" + s.getDim(i).getDimParam() + "'): give its concrete shape");
            }
            shape[i] = s.getDim(i).getDimValue();
        }
        return shape;
    }

    /** Infers one node: puts the shapes and types of its outputs, and their values where they fold. */
    @FunctionalInterface
    private interface Rule {
        void infer(Node c);
    }

    /** A node under inference: its inputs as the rules read them, and where its outputs go. */
    private record Node(NodeProto n, Analysis a) {
        /** The first input, or null for a node without one (Constant). */
        String x() {
            return n.getInputCount() > 0 && !n.getInput(0).isEmpty() ? n.getInput(0) : null;
        }

        long[] xs() {
            return x() == null ? null : a.shapes.get(x());
        }

        int xType() {
            return x() == null ? FLOAT : a.type(x());
        }

        long[] shape(int input) {
            return a.shapes.get(n.getInput(input));
        }

        long attr(String name, long dflt) {
            return NodeAttrs.i(n, name, dflt);
        }

        double[] constant(int input) {
            return a.constant(n.getInput(input), n);
        }

        /** Output 0 with {@code shape}, of the first input's type. */
        void out(long[] shape) {
            out(shape, xType());
        }

        void out(long[] shape, int type) {
            put(a, n.getOutput(0), shape, type);
        }

        void value(double[] v) {
            a.constants.put(n.getOutput(0), v);
        }

        /** Output 0's value from the first input's, element by element, when that is known. */
        void fold(DoubleUnaryOperator f) {
            double[] c = x() == null ? null : a.constants.get(x());
            if (c != null) {
                value(Arrays.stream(c).map(f).toArray());
            }
        }
    }

    /** The rules by op type (opset 17; Reduce ops accept both attribute and input axes). */
    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        // Elementwise and normalising ops keep their input's shape (optional statistics outputs, LayerNormalization's
        // Mean and InvStdDev, are not inferred: no rule reads them)
        for (String op : List.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Erf", "Sqrt", "Exp", "Log",
                "Sign", "Clip", "Softmax", "LogSoftmax", "InstanceNormalization", "LayerNormalization",
                "GroupNormalization", "Reciprocal", "Dropout")) {
            RULES.put(op, c -> c.out(c.xs()));
        }
        RULES.put("Identity", c -> {
            c.out(c.xs());
            c.fold(v -> v);
        });
        RULES.put("Neg", c -> {
            c.out(c.xs());
            c.fold(v -> -v);
        });
        RULES.put("Abs", c -> {
            c.out(c.xs());
            c.fold(Math::abs);
        });
        RULES.put("Not", c -> c.out(c.xs(), BOOL));
        RULES.put("Cast", c -> {
            c.out(c.xs(), (int) c.attr("to", FLOAT));
            c.fold(v -> v);
        });

        // Numpy-broadcasting ops; integer arithmetic on small constants folds
        for (String op : List.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "PRelu")) {
            RULES.put(op, c -> broadcasting(c, c.xType()));
        }
        for (String op : List.of("Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or")) {
            RULES.put(op, c -> broadcasting(c, BOOL));
        }
        RULES.put("Where", c -> c.out(broadcast(broadcast(c.xs(), c.shape(1), c.n()), c.shape(2), c.n()),
                c.a().type(c.n().getInput(1))));

        // Constants and shape arithmetic
        RULES.put("Constant", ShapeInference::constant);
        RULES.put("Shape", c -> {
            c.out(new long[] {c.xs().length}, INT64);
            c.value(Arrays.stream(c.xs()).asDoubleStream().toArray());
        });
        RULES.put("Size", c -> {
            c.out(new long[0], INT64);
            c.value(new double[] {numel(c.xs())});
        });
        RULES.put("ConstantOfShape", c -> {
            var v = NodeAttrs.find(c.n(), "value");
            c.out(NodeAttrs.toLongs(c.constant(0)), v == null ? FLOAT : v.getT().getDataType());
        });
        RULES.put("Gather", ShapeInference::gather);

        // Linear algebra
        RULES.put("MatMul", c -> c.out(matMulShape(c.xs(), c.shape(1), c.n())));
        RULES.put("Gemm", c -> c.out(new long[] {c.attr("transA", 0) != 0 ? c.xs()[1] : c.xs()[0],
                c.attr("transB", 0) != 0 ? c.shape(1)[0] : c.shape(1)[1]}));

        // Layout
        RULES.put("Reshape", c -> {
            c.out(reshapeTarget(c.xs(), NodeAttrs.toLongs(c.constant(1)), c.attr("allowzero", 0) != 0, c.n()));
            c.fold(v -> v);
        });
        RULES.put("Flatten", c -> {
            long[] xs = c.xs();
            int axis = axis(c.attr("axis", 1), xs.length);
            c.out(new long[] {numel(Arrays.copyOfRange(xs, 0, axis)), numel(Arrays.copyOfRange(xs, axis, xs.length))});
        });
        RULES.put("Transpose", c -> {
            long[] xs = c.xs();
            long[] perm = transposePerm(c.n(), xs.length);
            c.out(Arrays.stream(perm).map(i -> xs[(int) i]).toArray());
        });
        RULES.put("Squeeze", c -> {
            long[] xs = c.xs();
            long[] axes = axesOf(c.n(), c.a(), 1);
            c.out(Arrays.stream(range(xs.length)).filter(i -> axes == null ? xs[i] != 1 : !contains(axes, i, xs.length))
                    .mapToLong(i -> xs[i]).toArray());
            c.fold(v -> v);
        });
        RULES.put("Unsqueeze", c -> {
            long[] xs = c.xs();
            long[] axes = axesOf(c.n(), c.a(), 1);
            long[] out = new long[xs.length + axes.length];
            for (int i = 0, j = 0; i < out.length; i++) {
                out[i] = contains(axes, i, out.length) ? 1 : xs[j++];
            }
            c.out(out);
            c.fold(v -> v);
        });
        RULES.put("Concat", ShapeInference::concatenate);
        RULES.put("Split", c -> {
            long[] xs = c.xs();
            int axis = axis(c.attr("axis", 0), xs.length);
            long[] sizes = splitSizes(c.n(), c.a(), xs[axis]);
            for (int k = 0; k < c.n().getOutputCount(); k++) {
                long[] s = xs.clone();
                s[axis] = sizes[k];
                put(c.a(), c.n().getOutput(k), s, c.xType());
            }
        });
        RULES.put("Slice", ShapeInference::slice);
        RULES.put("Pad", c -> {
            long[] pads = NodeAttrs.toLongs(c.constant(1));
            if (input(c.n(), 3) != null) {
                throw new IllegalArgumentException(describe(c.n()) + ": the 'axes' input (opset 18) is not supported");
            }
            long[] out = c.xs().clone();
            for (int i = 0; i < out.length; i++) {
                out[i] += pads[i] + pads[i + out.length];
            }
            c.out(out);
        });
        RULES.put("Expand", c -> c.out(broadcast(c.xs(), NodeAttrs.toLongs(c.constant(1)), c.n())));

        // Reductions and resampling
        for (String op : List.of("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceL2",
                "ReduceProd")) {
            RULES.put(op, c -> c.out(reducedShape(c.xs(), reduceAxes(c.n(), c.a(), c.xs().length),
                    c.attr("keepdims", 1) != 0)));
        }
        RULES.put("Resize", c -> c.out(resizeShape(c.n(), c.a(), c.xs())));

        // Convolution and pooling
        RULES.put("Conv", c -> {
            long[] xs = c.xs();
            long[] ws = c.shape(1);
            ConvGeometry geo = ConvGeometry.of(c.n(), xs, ws);
            long[] out = new long[xs.length];
            out[0] = xs[0];
            out[1] = ws[0];
            System.arraycopy(geo.output(), 0, out, 2, geo.rank());
            c.out(out);
        });
        RULES.put("ConvTranspose", c -> {
            long[] xs = c.xs();
            long[] ws = c.shape(1);
            ConvGeometry geo = ConvGeometry.ofTranspose(c.n(), xs, ws);
            long[] out = new long[xs.length];
            out[0] = xs[0];
            out[1] = ws[1] * c.attr("group", 1);
            System.arraycopy(geo.input(), 0, out, 2, geo.rank());
            c.out(out);
        });
        Rule pool = c -> {
            ConvGeometry geo = ConvGeometry.of(c.n(), c.xs(), null);
            long[] out = c.xs().clone();
            System.arraycopy(geo.output(), 0, out, 2, geo.rank());
            c.out(out);
            if (c.n().getOutputCount() > 1 && !c.n().getOutput(1).isEmpty()) {
                put(c.a(), c.n().getOutput(1), out, INT64);
            }
        };
        RULES.put("AveragePool", pool);
        RULES.put("MaxPool", pool);
        Rule globalPool = c -> {
            long[] out = c.xs().clone();
            Arrays.fill(out, 2, out.length, 1);
            c.out(out);
        };
        RULES.put("GlobalAveragePool", globalPool);
        RULES.put("GlobalMaxPool", globalPool);
    }

    private static void infer(NodeProto n, Analysis a) {
        Rule rule = RULES.get(n.getOpType());
        if (rule == null) {
            throw new IllegalArgumentException("shape inference does not support op " + n.getOpType() + " ("
                    + describe(n) + ")");
        }
        rule.infer(new Node(n, a));
    }

    private static void broadcasting(Node c, int type) {
        long[] out = c.xs();
        for (String in : c.n().getInputList()) {
            out = broadcast(out, c.a().shapes.get(in), c.n());
        }
        c.out(out, type);
        foldArithmetic(c.n(), c.a(), out);
    }

    private static void constant(Node c) {
        var value = NodeAttrs.find(c.n(), "value");
        if (value == null) {
            throw new IllegalArgumentException(describe(c.n()) + ": only the 'value' attribute is supported");
        }
        TensorProto t = value.getT();
        c.out(t.getDimsList().stream().mapToLong(Long::longValue).toArray(), t.getDataType());
        c.value(NodeAttrs.values(t));
    }

    private static void gather(Node c) {
        long[] xs = c.xs();
        long[] is = c.shape(1);
        int axis = axis(c.attr("axis", 0), xs.length);
        c.out(concat(concat(Arrays.copyOfRange(xs, 0, axis), is), Arrays.copyOfRange(xs, axis + 1, xs.length)));
        double[] data = c.a().constants.get(c.x());
        double[] idx = c.a().constants.get(c.n().getInput(1));
        if (data != null && idx != null && xs.length == 1) {
            c.value(Arrays.stream(idx).map(k -> data[(int) (k < 0 ? k + xs[0] : k)]).toArray());
        }
    }

    private static void concatenate(Node c) {
        long[] out = c.xs().clone();
        int axis = axis(c.attr("axis", 0), out.length);
        out[axis] = 0;
        boolean allConst = true;
        for (String in : c.n().getInputList()) {
            out[axis] += c.a().shapes.get(in)[axis];
            allConst &= c.a().constants.containsKey(in);
        }
        c.out(out);
        if (allConst && out.length == 1) {
            c.value(c.n().getInputList().stream().flatMapToDouble(in -> Arrays.stream(c.a().constants.get(in)))
                    .toArray());
        }
    }

    private static void slice(Node c) {
        long[] xs = c.xs();
        SliceSpec sp = SliceSpec.of(c.n(), c.a(), xs);
        long[] out = xs.clone();
        for (int k = 0; k < sp.axes.length; k++) {
            out[sp.axes[k]] = sp.length(k);
        }
        c.out(out);
        double[] v = c.a().constants.get(c.x());
        if (v != null && xs.length == 1) {
            double[] r = new double[(int) out[0]];
            for (int k = 0; k < r.length; k++) {
                r[k] = v[(int) (sp.starts[0] + k * sp.steps[0])];
            }
            c.value(r);
        }
    }

    private static void put(Analysis a, String name, long[] shape, int type) {
        a.shapes.put(name, shape);
        a.types.put(name, type);
    }

    /** Integer shape arithmetic on scalars and 1-D constants, as exporters emit it. */
    private static void foldArithmetic(NodeProto n, Analysis a, long[] out) {
        if (n.getInputCount() != 2 || out.length > 1 || a.isFloating(n.getInput(0))) {
            return;
        }
        double[] l = a.constants.get(n.getInput(0));
        double[] r = a.constants.get(n.getInput(1));
        if (l == null || r == null) {
            return;
        }
        int len = (int) numel(out);
        double[] v = new double[len];
        for (int k = 0; k < len; k++) {
            double p = l[l.length == 1 ? 0 : k];
            double q = r[r.length == 1 ? 0 : k];
            v[k] = switch (n.getOpType()) {
                case "Add" -> p + q;
                case "Sub" -> p - q;
                case "Mul" -> p * q;
                case "Div" -> Math.floorDiv((long) p, (long) q);
                default -> Double.NaN;
            };
        }
        if (!Double.isNaN(len > 0 ? v[0] : 0)) {
            a.constants.put(n.getOutput(0), v);
        }
    }

    public static long numel(long[] s) {
        long k = 1;
        for (long d : s) {
            k *= d;
        }
        return k;
    }

    public static int axis(long axis, int rank) {
        return (int) (axis < 0 ? axis + rank : axis);
    }

    static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    static boolean contains(long[] axes, int i, int rank) {
        for (long ax : axes) {
            if (axis(ax, rank) == i) {
                return true;
            }
        }
        return false;
    }

    public static long[] concat(long[] p, long[] q) {
        long[] r = Arrays.copyOf(p, p.length + q.length);
        System.arraycopy(q, 0, r, p.length, q.length);
        return r;
    }

    /** Numpy broadcasting of two shapes. */
    static long[] broadcast(long[] p, long[] q, NodeProto n) {
        int rank = Math.max(p.length, q.length);
        long[] r = new long[rank];
        for (int i = 0; i < rank; i++) {
            long dp = i < rank - p.length ? 1 : p[i - rank + p.length];
            long dq = i < rank - q.length ? 1 : q[i - rank + q.length];
            if (dp != dq && dp != 1 && dq != 1) {
                throw new IllegalArgumentException(describe(n) + ": shapes " + Arrays.toString(p) + " and "
                        + Arrays.toString(q) + " do not broadcast");
            }
            r[i] = dp == 1 ? dq : dp;
        }
        return r;
    }

    public static long[] matMulShape(long[] p, long[] q, NodeProto n) {
        long[] p2 = p.length == 1 ? new long[] {1, p[0]} : p;
        long[] q2 = q.length == 1 ? new long[] {q[0], 1} : q;
        if (p2[p2.length - 1] != q2[q2.length - 2]) {
            throw new IllegalArgumentException(describe(n) + ": cannot multiply " + Arrays.toString(p) + " by "
                    + Arrays.toString(q));
        }
        long[] batch = broadcast(Arrays.copyOf(p2, p2.length - 2), Arrays.copyOf(q2, q2.length - 2), n);
        // 1-D operands were promoted to matrices; their promoted axis is dropped from the result
        long[] r = p.length > 1 ? concat(batch, new long[] {p2[p2.length - 2]}) : batch;
        return q.length > 1 ? concat(r, new long[] {q2[q2.length - 1]}) : r;
    }

    static long[] reshapeTarget(long[] in, long[] target, boolean allowZero, NodeProto n) {
        long[] r = target.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == 0 && !allowZero) {
                r[i] = in[i];
            }
            if (r[i] == -1) {
                infer = i;
            } else {
                known *= r[i];
            }
        }
        if (infer >= 0) {
            r[infer] = numel(in) / known;
        }
        if (numel(r) != numel(in)) {
            throw new IllegalArgumentException(describe(n) + ": cannot reshape " + Arrays.toString(in) + " to "
                    + Arrays.toString(target));
        }
        return r;
    }

    public static long[] transposePerm(NodeProto n, int rank) {
        long[] perm = NodeAttrs.ints(n, "perm");
        if (perm == null || perm.length == 0) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        return perm;
    }

    /** Axes from the given input (opset 13+/18 style) or the 'axes' attribute (older style); null when absent. */
    static long[] axesOf(NodeProto n, Analysis a, int inputIndex) {
        String in = input(n, inputIndex);
        return in != null ? NodeAttrs.toLongs(a.constant(in, n)) : NodeAttrs.ints(n, "axes");
    }

    /** Normalised reduction axes; every axis when none are given (unless noop_with_empty_axes). */
    public static int[] reduceAxes(NodeProto n, Analysis a, int rank) {
        long[] axes = axesOf(n, a, 1);
        if (axes == null || axes.length == 0) {
            return NodeAttrs.i(n, "noop_with_empty_axes", 0) != 0 ? new int[0] : range(rank);
        }
        return Arrays.stream(axes).mapToInt(ax -> axis(ax, rank)).sorted().toArray();
    }

    public static long[] reducedShape(long[] in, int[] axes, boolean keepDims) {
        java.util.List<Long> r = new java.util.ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            int axis = i;
            boolean reduced = Arrays.stream(axes).anyMatch(ax -> ax == axis);
            if (!reduced) {
                r.add(in[i]);
            } else if (keepDims) {
                r.add(1L);
            }
        }
        return r.stream().mapToLong(Long::longValue).toArray();
    }

    static long[] splitSizes(NodeProto n, Analysis a, long dim) {
        long[] sizes = input(n, 1) != null ? NodeAttrs.toLongs(a.constant(n.getInput(1), n)) : NodeAttrs.ints(n, "split");
        if (sizes == null || sizes.length == 0) {
            int k = n.getOutputCount();
            long chunk = (dim + k - 1) / k; // equal parts, the last one smaller (opset 18 rule; exact when divisible)
            sizes = new long[k];
            for (int i = 0; i < k; i++) {
                sizes[i] = Math.min(chunk, dim - i * chunk);
            }
        }
        return sizes;
    }

    static long[] resizeShape(NodeProto n, Analysis a, long[] xs) {
        String sizes = input(n, 3);
        if (sizes != null) {
            return NodeAttrs.toLongs(a.constant(sizes, n));
        }
        double[] scales = a.constant(n.getInput(2), n);
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = (long) Math.floor(xs[i] * (float) scales[i]);
        }
        return out;
    }

    /** Slice arguments normalised to non-negative, clamped starts and concrete axes. */
    public record SliceSpec(int[] axes, long[] starts, long[] ends, long[] steps) {
        public static SliceSpec of(NodeProto n, Analysis a, long[] xs) {
            long[] starts = NodeAttrs.toLongs(a.constant(n.getInput(1), n));
            long[] ends = NodeAttrs.toLongs(a.constant(n.getInput(2), n));
            long[] axesIn = input(n, 3) != null ? NodeAttrs.toLongs(a.constant(n.getInput(3), n)) : null;
            long[] steps = input(n, 4) != null ? NodeAttrs.toLongs(a.constant(n.getInput(4), n)) : null;
            int[] axes = new int[starts.length];
            long[] st = new long[starts.length];
            long[] en = new long[starts.length];
            long[] sp = new long[starts.length];
            for (int k = 0; k < starts.length; k++) {
                axes[k] = axesIn == null ? k : axis(axesIn[k], xs.length);
                long dim = xs[axes[k]];
                sp[k] = steps == null ? 1 : steps[k];
                long lo = sp[k] > 0 ? 0 : -1;
                long hi = sp[k] > 0 ? dim : dim - 1;
                st[k] = Math.max(lo, Math.min(hi, starts[k] < 0 ? starts[k] + dim : starts[k]));
                en[k] = Math.max(lo, Math.min(hi, ends[k] < 0 ? ends[k] + dim : ends[k]));
            }
            return new SliceSpec(axes, st, en, sp);
        }

        public long length(int k) {
            long span = steps[k] > 0 ? ends[k] - starts[k] : starts[k] - ends[k];
            long step = Math.abs(steps[k]);
            return Math.max(0, (span + step - 1) / step);
        }
    }
}
