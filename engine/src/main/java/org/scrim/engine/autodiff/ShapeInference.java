package org.scrim.engine.autodiff;

import static org.scrim.engine.autodiff.NodeAttrs.describe;
import static org.scrim.engine.autodiff.NodeAttrs.input;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Static shape inference for the ops the engine differentiates. Shapes must be concrete: symbolic input dimensions
 * are replaced by the caller's shapes. Small integer tensors (Shape, Constant, initializers and simple arithmetic on
 * them) are folded, so Reshape/Slice/Resize arguments computed in the graph resolve too.
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

    private static void infer(NodeProto n, Analysis a) {
        String x = n.getInputCount() > 0 ? n.getInput(0) : null;
        long[] xs = x == null || x.isEmpty() ? null : a.shapes.get(x);
        String y = n.getOutput(0);
        int type = x == null || x.isEmpty() ? FLOAT : a.type(x);
        long[] out;
        switch (n.getOpType()) {
            case "Identity", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Erf", "Sqrt", "Exp", "Log", "Neg",
                    "Abs", "Sign", "Clip", "Softmax", "LogSoftmax", "InstanceNormalization", "LayerNormalization",
                    "GroupNormalization", "Reciprocal", "Not", "Dropout" -> {
                out = xs;
                if (n.getOpType().equals("Identity") || n.getOpType().equals("Neg") || n.getOpType().equals("Abs")) {
                    fold(a, n, y, c -> c.clone());
                }
                if (n.getOpType().equals("Not")) {
                    type = BOOL;
                }
            }
            case "Cast" -> {
                out = xs;
                type = (int) NodeAttrs.i(n, "to", FLOAT);
                fold(a, n, y, c -> c.clone());
            }
            case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Equal", "Greater", "Less",
                    "GreaterOrEqual", "LessOrEqual", "And", "Or", "PRelu" -> {
                out = xs;
                for (String in : n.getInputList()) {
                    out = broadcast(out, a.shapes.get(in), n);
                }
                if (Arrays.asList("Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or")
                        .contains(n.getOpType())) {
                    type = BOOL;
                }
                foldArithmetic(n, a, out);
            }
            case "Where" -> {
                out = broadcast(broadcast(xs, a.shapes.get(n.getInput(1)), n), a.shapes.get(n.getInput(2)), n);
                type = a.type(n.getInput(1));
            }
            case "Constant" -> {
                TensorProto t = NodeAttrs.find(n, "value") != null ? NodeAttrs.find(n, "value").getT() : null;
                if (t == null) {
                    throw new IllegalArgumentException(describe(n) + ": only the 'value' attribute is supported");
                }
                out = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
                type = t.getDataType();
                a.constants.put(y, NodeAttrs.values(t));
            }
            case "Shape" -> {
                out = new long[] {xs.length};
                type = INT64;
                a.constants.put(y, Arrays.stream(xs).asDoubleStream().toArray());
            }
            case "Size" -> {
                out = new long[0];
                type = INT64;
                a.constants.put(y, new double[] {numel(xs)});
            }
            case "ConstantOfShape" -> {
                out = NodeAttrs.toLongs(a.constant(x, n));
                var v = NodeAttrs.find(n, "value");
                type = v == null ? FLOAT : v.getT().getDataType();
            }
            case "Gather" -> {
                long[] is = a.shapes.get(n.getInput(1));
                int axis = axis(NodeAttrs.i(n, "axis", 0), xs.length);
                out = concat(concat(Arrays.copyOfRange(xs, 0, axis), is), Arrays.copyOfRange(xs, axis + 1, xs.length));
                double[] data = a.constants.get(x);
                double[] idx = a.constants.get(n.getInput(1));
                if (data != null && idx != null && xs.length == 1) {
                    double[] r = new double[idx.length];
                    for (int k = 0; k < idx.length; k++) {
                        r[k] = data[(int) (idx[k] < 0 ? idx[k] + xs[0] : idx[k])];
                    }
                    a.constants.put(y, r);
                }
            }
            case "MatMul" -> out = matMulShape(xs, a.shapes.get(n.getInput(1)), n);
            case "Gemm" -> {
                long[] bs = a.shapes.get(n.getInput(1));
                long m = NodeAttrs.i(n, "transA", 0) != 0 ? xs[1] : xs[0];
                long nn = NodeAttrs.i(n, "transB", 0) != 0 ? bs[0] : bs[1];
                out = new long[] {m, nn};
            }
            case "Reshape" -> {
                out = reshapeTarget(xs, NodeAttrs.toLongs(a.constant(n.getInput(1), n)),
                        NodeAttrs.i(n, "allowzero", 0) != 0, n);
                fold(a, n, y, c -> c.clone());
            }
            case "Flatten" -> {
                int axis = axis(NodeAttrs.i(n, "axis", 1), xs.length);
                out = new long[] {numel(Arrays.copyOfRange(xs, 0, axis)), numel(Arrays.copyOfRange(xs, axis, xs.length))};
            }
            case "Transpose" -> {
                long[] perm = transposePerm(n, xs.length);
                out = new long[xs.length];
                for (int i = 0; i < perm.length; i++) {
                    out[i] = xs[(int) perm[i]];
                }
            }
            case "Squeeze" -> {
                long[] axes = axesOf(n, a, 1);
                out = Arrays.stream(range(xs.length)).filter(i -> axes == null ? xs[i] != 1 : !contains(axes, i, xs.length))
                        .mapToLong(i -> xs[i]).toArray();
                fold(a, n, y, c -> c.clone());
            }
            case "Unsqueeze" -> {
                long[] axes = axesOf(n, a, 1);
                int rank = xs.length + axes.length;
                out = new long[rank];
                for (int i = 0, j = 0; i < rank; i++) {
                    out[i] = contains(axes, i, rank) ? 1 : xs[j++];
                }
                fold(a, n, y, c -> c.clone());
            }
            case "Concat" -> {
                int axis = axis(NodeAttrs.i(n, "axis", 0), xs.length);
                out = xs.clone();
                out[axis] = 0;
                boolean allConst = true;
                for (String in : n.getInputList()) {
                    out[axis] += a.shapes.get(in)[axis];
                    allConst &= a.constants.containsKey(in);
                }
                if (allConst && out.length == 1) {
                    a.constants.put(y, n.getInputList().stream().flatMapToDouble(in -> Arrays.stream(a.constants.get(in)))
                            .toArray());
                }
            }
            case "Split" -> {
                int axis = axis(NodeAttrs.i(n, "axis", 0), xs.length);
                long[] sizes = splitSizes(n, a, xs[axis]);
                for (int k = 0; k < n.getOutputCount(); k++) {
                    long[] s = xs.clone();
                    s[axis] = sizes[k];
                    put(a, n.getOutput(k), s, type);
                }
                return;
            }
            case "Slice" -> {
                SliceSpec sp = SliceSpec.of(n, a, xs);
                out = xs.clone();
                for (int k = 0; k < sp.axes.length; k++) {
                    out[sp.axes[k]] = sp.length(k);
                }
                double[] c = a.constants.get(x);
                if (c != null && xs.length == 1) {
                    double[] r = new double[(int) out[0]];
                    for (int k = 0; k < r.length; k++) {
                        r[k] = c[(int) (sp.starts[0] + k * sp.steps[0])];
                    }
                    a.constants.put(y, r);
                }
            }
            case "Pad" -> {
                long[] pads = NodeAttrs.toLongs(a.constant(n.getInput(1), n));
                if (input(n, 3) != null) {
                    throw new IllegalArgumentException(describe(n) + ": the 'axes' input (opset 18) is not supported");
                }
                out = xs.clone();
                for (int i = 0; i < xs.length; i++) {
                    out[i] += pads[i] + pads[i + xs.length];
                }
            }
            case "Expand" -> out = broadcast(xs, NodeAttrs.toLongs(a.constant(n.getInput(1), n)), n);
            case "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceL2", "ReduceProd" -> {
                out = reducedShape(xs, reduceAxes(n, a, xs.length), NodeAttrs.i(n, "keepdims", 1) != 0);
            }
            case "Resize" -> out = resizeShape(n, a, xs);
            case "Conv" -> {
                long[] ws = a.shapes.get(n.getInput(1));
                ConvGeometry geo = ConvGeometry.of(n, xs, ws);
                out = new long[xs.length];
                out[0] = xs[0];
                out[1] = ws[0];
                for (int i = 0; i < geo.rank(); i++) {
                    out[i + 2] = geo.output()[i];
                }
            }
            case "ConvTranspose" -> {
                long[] ws = a.shapes.get(n.getInput(1));
                out = new long[xs.length];
                out[0] = xs[0];
                out[1] = ws[1] * NodeAttrs.i(n, "group", 1);
                ConvGeometry geo = ConvGeometry.ofTranspose(n, xs, ws);
                for (int i = 0; i < geo.rank(); i++) {
                    out[i + 2] = geo.input()[i];
                }
            }
            case "AveragePool", "MaxPool" -> {
                ConvGeometry geo = ConvGeometry.of(n, xs, null);
                out = xs.clone();
                for (int i = 0; i < geo.rank(); i++) {
                    out[i + 2] = geo.output()[i];
                }
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    put(a, n.getOutput(1), out, INT64);
                }
            }
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                out = xs.clone();
                Arrays.fill(out, 2, out.length, 1);
            }
            default -> throw new IllegalArgumentException("shape inference does not support op " + n.getOpType()
                    + " (" + describe(n) + ")");
        }
        put(a, y, out, type);
        // optional statistics outputs (LayerNormalization Mean/InvStdDev) are not inferred: the rules never read them
    }

    private static void put(Analysis a, String name, long[] shape, int type) {
        a.shapes.put(name, shape);
        a.types.put(name, type);
    }

    /** Folds ops whose output values equal their input values (Identity, Cast, Reshape of a constant, ...). */
    private static void fold(Analysis a, NodeProto n, String y, java.util.function.UnaryOperator<double[]> f) {
        double[] c = a.constants.get(n.getInput(0));
        if (c != null) {
            double[] r = f.apply(c);
            if (n.getOpType().equals("Neg")) {
                for (int k = 0; k < r.length; k++) {
                    r[k] = -r[k];
                }
            } else if (n.getOpType().equals("Abs")) {
                for (int k = 0; k < r.length; k++) {
                    r[k] = Math.abs(r[k]);
                }
            }
            a.constants.put(y, r);
        }
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

    static long numel(long[] s) {
        long k = 1;
        for (long d : s) {
            k *= d;
        }
        return k;
    }

    static int axis(long axis, int rank) {
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

    static long[] concat(long[] p, long[] q) {
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

    static long[] matMulShape(long[] p, long[] q, NodeProto n) {
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

    static long[] reducedShape(long[] in, int[] axes, boolean keepDims) {
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
