package org.scrim.engine.runtime.opencl;

import static org.scrim.engine.runtime.opencl.Launch.args;
import static org.scrim.engine.runtime.opencl.Launch.roundUp;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ResizeCoordinates;
import org.scrim.engine.onnx.ShapeInference;
import org.scrim.engine.onnx.ShapeInference.Analysis;
import org.scrim.engine.runtime.opencl.Launch.Arg;
import org.scrim.engine.runtime.opencl.Launch.Const;
import org.scrim.engine.runtime.opencl.Launch.Int4;
import org.scrim.engine.runtime.opencl.Launch.Ref;

/**
 * Turns an ONNX graph into a list of kernel launches, on the host and without a device: nodes whose inputs are all
 * constants are folded ({@link HostOps}), view ops (Reshape, Identity, ...) alias their input's buffer, the rest
 * become launches whose buffer arguments name graph values. {@link #unsupported} lists what has no kernel.
 */
final class Lowering implements ConvLowering.Target {
    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    private static final Set<String> VIEWS = Set.of("Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Cast");
    private static final Map<String, String> BINARY = Map.ofEntries(Map.entry("Add", "add"), Map.entry("Sub", "sub"),
            Map.entry("Mul", "mul"), Map.entry("Div", "div_"), Map.entry("Greater", "greater"),
            Map.entry("GreaterOrEqual", "greater_equal"), Map.entry("LessOrEqual", "less_equal"),
            Map.entry("And", "and_"), Map.entry("Sum", "add"), Map.entry("Max", "max_"), Map.entry("Min", "min_"));
    /** Ops of any number of inputs, folded pairwise; one input is a view of it. */
    private static final Set<String> VARIADIC = Set.of("Sum", "Max", "Min");
    private static final Map<String, String> UNARY = Map.of("Relu", "relu", "Sqrt", "sqrt_", "Reciprocal",
            "reciprocal", "Neg", "neg", "Clip", "clip", "Abs", "abs_", "Sign", "sign_");

    final Analysis analysis;
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    /** Graph outputs that folded to constants. */
    final Map<String, HostOps.Value> constantOutputs = new LinkedHashMap<>();
    /** Device value -> the value whose buffer it shares (itself unless a view). */
    final Map<String, String> root = new HashMap<>();
    final Map<String, float[]> constants = new LinkedHashMap<>();
    final List<Launch> launches = new ArrayList<>();
    /** "Op (reason)" for every node without a kernel; empty when the whole graph runs on the device. */
    final Set<String> unsupported = new TreeSet<>();

    /** Values known on the host: initializers and nodes folded there. */
    private final Map<String, HostOps.Value> folded = new HashMap<>();
    private final int reduceGroup;
    private final ConvLowering convolutions;

    Lowering(ModelProto model, int tileX, int tileY, int reduceGroup, long localMemory) {
        this.reduceGroup = reduceGroup;
        this.convolutions = new ConvLowering(this, tileX, tileY, localMemory);
        GraphProto g = model.getGraph();
        this.analysis = ShapeInference.analyze(g, Map.of());
        for (TensorProto t : g.getInitializerList()) {
            folded.put(t.getName(), new HostOps.Value(NodeAttrs.values(t), analysis.shape(t.getName())));
        }
        for (ValueInfoProto in : g.getInputList()) {
            if (!folded.containsKey(in.getName())) {
                inputs.add(in.getName());
                root.put(in.getName(), in.getName());
                if (!isFloat(in.getName())) {
                    unsupported.add("graph input '" + in.getName() + "' (not float)");
                }
            }
        }
        for (NodeProto n : g.getNodeList()) {
            boolean shapeOnly = analysis.constants().containsKey(n.getOutput(0)); // Shape, Size of any value
            if (shapeOnly || HostOps.OPS.contains(n.getOpType()) && n.getInputList().stream()
                    .allMatch(i -> i.isEmpty() || folded.containsKey(i))) {
                List<HostOps.Value> in = n.getInputList().stream().map(i -> i.isEmpty() ? null : folded.get(i)).toList();
                folded.put(n.getOutput(0), HostOps.eval(n, in, analysis));
            } else {
                lower(n);
            }
        }
        for (ValueInfoProto out : g.getOutputList()) {
            outputs.add(out.getName());
            if (folded.containsKey(out.getName())) {
                constantOutputs.put(out.getName(), folded.get(out.getName()));
            }
        }
    }

    private void lower(NodeProto n) {
        String op = n.getOpType();
        String y = n.getOutput(0);
        for (String in : n.getInputList()) {
            if (!in.isEmpty() && !folded.containsKey(in) && !isFloat(in)) {
                unsupported.add(op + " (" + typeName(in) + " input)");
                return;
            }
        }
        if (VIEWS.contains(op) || VARIADIC.contains(op) && n.getInputCount() == 1
                || op.equals("Expand") && Arrays.equals(analysis.shape(n.getInput(0)), analysis.shape(y))) {
            if (!isFloat(y)) {
                unsupported.add(op + " (to " + typeName(y) + ")");
            }
            root.put(y, root.get(n.getInput(0)));
            return;
        }
        root.put(y, y);
        switch (op) {
            case "Conv" -> convolutions.conv(n);
            case "ConvTranspose" -> convolutions.convTranspose(n);
            case "Add", "Sub", "Mul", "Div", "Greater", "GreaterOrEqual", "LessOrEqual", "And" ->
                    elementwise(BINARY.get(op), y, List.of(n.getInput(0), n.getInput(1)), null);
            case "Sum", "Max", "Min" -> {
                elementwise(BINARY.get(op), y, List.of(n.getInput(0), n.getInput(1)), null);
                for (int k = 2; k < n.getInputCount(); k++) {
                    elementwise(BINARY.get(op), y, List.of(y, n.getInput(k)), null);
                }
            }
            case "Where" -> elementwise("where", y, n.getInputList(), null);
            case "Expand" -> elementwise("expand", y, List.of(n.getInput(0)), null);
            case "Relu", "Sqrt", "Reciprocal", "Neg", "Abs", "Sign" -> elementwise(UNARY.get(op), y,
                    List.of(n.getInput(0)), new float[] {0, 0});
            case "Clip" -> clip(n);
            case "ReduceSum", "ReduceMean", "ReduceSumSquare" -> reduce(n);
            case "InstanceNormalization" -> instanceNorm(n);
            case "Slice" -> slice(n);
            case "Concat" -> concat(n);
            case "Split" -> split(n);
            case "Pad" -> pad(n);
            case "AveragePool" -> averagePool(n);
            case "Resize" -> resize(n);
            case "MatMul" -> matMul(n);
            case "Transpose" -> transpose(n);
            default -> unsupported.add(op);
        }
    }

    /**
     * An element-wise kernel on broadcast operands; {@code params} (lo, hi) marks a unary kernel. Operands of the
     * output's shape and a size divisible by 4 take the float4 variant.
     */
    private void elementwise(String kernel, String y, List<String> in, float[] params) {
        long[] ys = analysis.shape(y);
        long n = HostOps.numel(ys);
        List<Arg> args = new ArrayList<>();
        in.forEach(v -> args.add(operand(v)));
        args.add(new Ref(y));
        boolean same = in.stream().allMatch(v -> Arrays.equals(analysis.shape(v), ys));
        if ((same || params != null) && n % 4 == 0) {
            addParams(args, params);
            launches.add(new Launch(kernel + "_same4", "", args, new long[] {n / 4}, null));
            return;
        }
        if (params != null) {
            args.add(Launch.i(n));
            addParams(args, params);
        } else {
            long[][] strides = in.stream().map(v -> HostOps.broadcastStrides(analysis.shape(v), ys))
                    .toArray(long[][]::new);
            int[][] c = collapse(ys, strides);
            if (c == null) {
                unsupported.add(kernel + " (broadcast over more than 4 dimensions)");
                return;
            }
            args.add(Launch.i(n));
            Arrays.stream(c).forEach(v -> args.add(new Int4(v)));
        }
        launches.add(new Launch(kernel, "", args, new long[] {roundUp(n, 64)}, null));
    }

    private static void addParams(List<Arg> args, float[] params) {
        if (params != null) {
            args.add(Launch.f(params[0]));
            args.add(Launch.f(params[1]));
        }
    }

    private void clip(NodeProto n) {
        float lo = NodeAttrs.f(n, "min", Float.NEGATIVE_INFINITY);
        float hi = NodeAttrs.f(n, "max", Float.POSITIVE_INFINITY);
        for (int k = 1; k <= 2; k++) {
            String b = NodeAttrs.input(n, k);
            if (b != null && !folded.containsKey(b)) {
                unsupported.add("Clip (bounds not constant)");
                return;
            }
            if (b != null) {
                float v = (float) folded.get(b).data()[0];
                lo = k == 1 ? v : lo;
                hi = k == 2 ? v : hi;
            }
        }
        elementwise("clip", n.getOutput(0), List.of(n.getInput(0)), new float[] {lo, hi});
    }

    private void reduce(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        int[] axes = ShapeInference.reduceAxes(n, analysis, xs.length);
        long[] strides = HostOps.strides(xs);
        List<long[]> kept = new ArrayList<>();
        List<long[]> reduced = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            int axis = i;
            (Arrays.stream(axes).anyMatch(a -> a == axis) ? reduced : kept).add(new long[] {xs[i], strides[i]});
        }
        int[][] k = collapse(kept, 1);
        int[][] r = collapse(reduced, 1);
        if (k == null || r == null) {
            unsupported.add(n.getOpType() + " (more than 4 dimensions)");
            return;
        }
        long count = reduced.stream().mapToLong(d -> d[0]).reduce(1, (p, q) -> p * q);
        long outputs = kept.stream().mapToLong(d -> d[0]).reduce(1, (p, q) -> p * q);
        float scale = n.getOpType().equals("ReduceMean") ? 1f / count : 1f;
        launches.add(new Launch(n.getOpType().equals("ReduceSumSquare") ? "reduce_sumsq" : "reduce_sum", "",
                args(operand(n.getInput(0)), new Ref(n.getOutput(0))).int4(k[0], k[1], r[0], r[1]).ints(count)
                        .floats(scale).list(),
                new long[] {outputs * reduceGroup}, new long[] {reduceGroup}));
    }

    private void instanceNorm(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        if (!folded.containsKey(n.getInput(1)) || !folded.containsKey(n.getInput(2))) {
            unsupported.add("InstanceNormalization (scale or bias not constant)");
            return;
        }
        long planes = xs[0] * xs[1];
        launches.add(new Launch("instance_norm", "", args(operand(n.getInput(0)), operand(n.getInput(1)),
                operand(n.getInput(2)), new Ref(n.getOutput(0))).ints(xs[1], HostOps.numel(xs) / planes)
                .floats(NodeAttrs.f(n, "epsilon", 1e-5f)).list(), new long[] {planes * reduceGroup},
                new long[] {reduceGroup}));
    }

    /** Y's region [dims] at dstStart (strides ds) = X's at srcStart (strides ss), as one copy_region launch. */
    private void copyRegion(Arg src, String y, long[] dims, long[] ss, long srcStart, long[] ds, long dstStart) {
        List<long[]> axes = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            axes.add(new long[] {dims[i], ss[i], ds[i]});
        }
        int[][] c = collapse(axes, 2);
        if (c == null) {
            unsupported.add("copy (more than 4 dimensions)");
            return;
        }
        long count = HostOps.numel(dims);
        launches.add(new Launch("copy_region", "", args(src, new Ref(y)).ints(count).int4(c).ints(srcStart, dstStart)
                .list(), new long[] {roundUp(count, 64)}, null));
    }

    private void slice(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        HostOps.StridedView view = HostOps.sliceView(xs, ShapeInference.SliceSpec.of(n, analysis, xs));
        long[] ys = analysis.shape(n.getOutput(0));
        copyRegion(operand(n.getInput(0)), n.getOutput(0), ys, view.steps(), view.start(), HostOps.strides(ys), 0);
    }

    private void concat(NodeProto n) {
        long[] ys = analysis.shape(n.getOutput(0));
        int axis = (int) Math.floorMod(NodeAttrs.i(n, "axis", 0), ys.length);
        long[] yStrides = HostOps.strides(ys);
        long at = 0;
        for (String in : n.getInputList()) {
            long[] xs = analysis.shape(in);
            copyRegion(operand(in), n.getOutput(0), xs, HostOps.strides(xs), 0, yStrides, at * yStrides[axis]);
            at += xs[axis];
        }
    }

    private void split(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        int axis = (int) Math.floorMod(NodeAttrs.i(n, "axis", 0), xs.length);
        long[] xStrides = HostOps.strides(xs);
        long at = 0;
        for (String y : n.getOutputList()) {
            long[] ys = analysis.shape(y);
            if (!y.isEmpty()) {
                root.put(y, y);
                copyRegion(operand(n.getInput(0)), y, ys, xStrides, at * xStrides[axis], HostOps.strides(ys), 0);
            }
            at += ys[axis];
        }
    }

    /** Constant Pad: fill with the value, then copy the input's kept region in (negative pads crop). */
    private void pad(NodeProto n) {
        String mode = NodeAttrs.s(n, "mode", "constant");
        String value = NodeAttrs.input(n, 2);
        String axesIn = NodeAttrs.input(n, 3);
        if (!mode.equals("constant") || !folded.containsKey(n.getInput(1)) || value != null && !folded.containsKey(value)
                || axesIn != null && !folded.containsKey(axesIn)) {
            unsupported.add("Pad (" + (mode.equals("constant") ? "pads not constant" : "mode " + mode) + ")");
            return;
        }
        long[] xs = analysis.shape(n.getInput(0));
        long[] ys = analysis.shape(n.getOutput(0));
        int r = xs.length;
        double[] given = folded.get(n.getInput(1)).data();
        long[] pads = new long[2 * r];
        int[] axes = new int[given.length / 2];
        for (int k = 0; k < axes.length; k++) {
            axes[k] = axesIn == null ? k : (int) Math.floorMod((long) folded.get(axesIn).data()[k], r);
        }
        for (int k = 0; k < axes.length; k++) {
            pads[axes[k]] = (long) given[k];
            pads[axes[k] + r] = (long) given[k + axes.length];
        }
        float v = value == null || folded.get(value).data().length == 0 ? 0f : (float) folded.get(value).data()[0];
        long count = HostOps.numel(ys);
        launches.add(new Launch("fill", "", args(new Ref(n.getOutput(0))).ints(count).floats(v).list(),
                new long[] {roundUp(count, 64)}, null));
        long[] xStrides = HostOps.strides(xs);
        long[] yStrides = HostOps.strides(ys);
        long[] dims = new long[r];
        long src = 0;
        long dst = 0;
        for (int i = 0; i < r; i++) {
            dims[i] = Math.max(0, xs[i] - Math.max(-pads[i], 0) - Math.max(-pads[i + r], 0));
            src += Math.max(-pads[i], 0) * xStrides[i];
            dst += Math.max(pads[i], 0) * yStrides[i];
        }
        copyRegion(operand(n.getInput(0)), n.getOutput(0), dims, xStrides, src, yStrides, dst);
    }

    private void averagePool(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        long[] ys = analysis.shape(n.getOutput(0));
        if (xs.length != 4 || NodeAttrs.i(n, "ceil_mode", 0) != 0
                || Arrays.stream(NodeAttrs.ints(n, "dilations", 1, 2)).anyMatch(d -> d != 1)
                || !NodeAttrs.s(n, "auto_pad", "NOTSET").equals("NOTSET")) {
            unsupported.add("AveragePool (" + (xs.length != 4 ? "not 2-D" : "ceil_mode, dilations or auto_pad") + ")");
            return;
        }
        long[] k = NodeAttrs.ints(n, "kernel_shape");
        long[] s = NodeAttrs.ints(n, "strides", 1, 2);
        long[] p = NodeAttrs.ints(n, "pads", 0, 4);
        long count = HostOps.numel(ys);
        launches.add(new Launch("avg_pool", "", args(operand(n.getInput(0)), new Ref(n.getOutput(0))).ints(count,
                xs[2], xs[3], ys[2], ys[3], k[0], k[1], s[0], s[1], p[0], p[1], NodeAttrs.i(n, "count_include_pad", 0))
                .list(), new long[] {roundUp(count, 64)}, null));
    }

    /** Linear Resize of the last two axes of a 4-D value, through host tables of source indices and weights. */
    private void resize(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        long[] ys = analysis.shape(n.getOutput(0));
        String mode = NodeAttrs.s(n, "mode", "nearest");
        ResizeCoordinates ctm = ResizeCoordinates.of(n);
        String scalesIn = NodeAttrs.input(n, 2);
        double[] scales = scalesIn == null ? null : folded.containsKey(scalesIn) ? folded.get(scalesIn).data() : null;
        String why = xs.length != 4 ? "not 4-D"
                : !mode.equals("linear") ? "mode " + mode
                : ctm == null ? "coordinate_transformation_mode " + ResizeCoordinates.name(n)
                : NodeAttrs.i(n, "antialias", 0) != 0 ? "antialias"
                : NodeAttrs.find(n, "axes") != null ? "axes"
                : scalesIn != null && scales == null ? "scales not constant"
                : xs[0] != ys[0] || xs[1] != ys[1] ? "resizes the first two axes" : null;
        if (why != null) {
            unsupported.add("Resize (" + why + ")");
            return;
        }
        boolean byScale = scales != null && scales.length > 0;
        String key = n.getOutput(0) + "#t";
        constants.put(key + "y", resizeTable(ctm, xs[2], ys[2], byScale ? (float) scales[2] : (double) ys[2] / xs[2]));
        constants.put(key + "x", resizeTable(ctm, xs[3], ys[3], byScale ? (float) scales[3] : (double) ys[3] / xs[3]));
        long count = HostOps.numel(ys);
        launches.add(new Launch("resize_linear", "", args(operand(n.getInput(0)), new Ref(n.getOutput(0)),
                new Const(key + "y"), new Const(key + "x")).ints(count, xs[2], xs[3], ys[2], ys[3]).list(),
                new long[] {roundUp(count, 64)}, null));
    }

    /** Per output index: first source index, second source index, weight of the second (ONNX Resize, linear). */
    private static float[] resizeTable(ResizeCoordinates ctm, long in, long out, double scale) {
        float[] t = new float[3 * (int) out];
        for (int o = 0; o < out; o++) {
            double c = Math.max(0, Math.min(ctm.source(o, in, out, scale), in - 1));
            int i0 = (int) Math.floor(c);
            t[3 * o] = i0;
            t[3 * o + 1] = (float) Math.min(i0 + 1, in - 1);
            t[3 * o + 2] = (float) (c - i0);
        }
        return t;
    }

    /** Transpose that swaps the last two axes only (what MatMul's gradient takes of the other operand). */
    private void transpose(NodeProto n) {
        long[] xs = analysis.shape(n.getInput(0));
        int r = xs.length;
        long[] perm = NodeAttrs.ints(n, "perm");
        boolean lastTwo = r >= 2 && perm != null && perm.length == r;
        for (int i = 0; lastTwo && i < r; i++) {
            lastTwo = perm[i] == (i == r - 2 ? r - 1 : i == r - 1 ? r - 2 : i);
        }
        if (!lastTwo) {
            unsupported.add("Transpose (other than of the last two axes)");
            return;
        }
        int rows = (int) xs[r - 2];
        int cols = (int) xs[r - 1];
        long batch = HostOps.numel(xs) / Math.max(1, (long) rows * cols);
        launches.add(new Launch("transpose_last2", "", args(operand(n.getInput(0)), new Ref(n.getOutput(0)))
                .ints(rows, cols).list(), new long[] {roundUp(cols, 64), rows, batch}, null));
    }

    /** MatMul of values of rank 2 or more; each operand's leading (batch) axes are all 1 or the output's. */
    private void matMul(NodeProto n) {
        long[] as = analysis.shape(n.getInput(0));
        long[] bs = analysis.shape(n.getInput(1));
        long[] ys = analysis.shape(n.getOutput(0));
        if (as.length < 2 || bs.length < 2) {
            unsupported.add("MatMul (1-D operand)");
            return;
        }
        int m = (int) as[as.length - 2];
        int k = (int) as[as.length - 1];
        int cols = (int) bs[bs.length - 1];
        long batch = HostOps.numel(ys) / Math.max(1, (long) m * cols);
        long aBatch = HostOps.numel(as) / Math.max(1, (long) m * k);
        long bBatch = HostOps.numel(bs) / Math.max(1, (long) k * cols);
        if (aBatch != 1 && aBatch != batch || bBatch != 1 && bBatch != batch) {
            unsupported.add("MatMul (partly broadcast batch)");
            return;
        }
        launches.add(new Launch("matmul", "", args(operand(n.getInput(0)), operand(n.getInput(1)),
                new Ref(n.getOutput(0))).ints(m, cols, k, aBatch == 1 ? 0 : m * k, bBatch == 1 ? 0 : k * cols, batch)
                .list(),
                new long[] {roundUp(cols, 64), m, batch}, null));
    }

    @Override
    public long[] shape(String value) {
        return analysis.shape(value);
    }

    @Override
    public HostOps.Value folded(String value) {
        return folded.get(value);
    }

    @Override
    public void constant(String key, float[] data) {
        constants.put(key, data);
    }

    @Override
    public void launch(Launch launch) {
        launches.add(launch);
    }

    @Override
    public void unsupported(String reason) {
        unsupported.add(reason);
    }

    /** A kernel argument for graph value {@code v}: its buffer, or its folded value uploaded once. */
    @Override
    public Arg operand(String v) {
        HostOps.Value c = folded.get(v);
        if (c == null) {
            return new Ref(v);
        }
        float[] f = new float[c.data().length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) c.data()[i];
        }
        constants.putIfAbsent(v, f);
        return new Const(v);
    }

    /** Broadcast operands: [dims, strides of each operand] collapsed to 4 dimensions, or null when they need more. */
    private static int[][] collapse(long[] dims, long[][] strides) {
        List<long[]> axes = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            long[] a = new long[strides.length + 1];
            a[0] = dims[i];
            for (int o = 0; o < strides.length; o++) {
                a[o + 1] = strides[o][i];
            }
            axes.add(a);
        }
        return collapse(axes, strides.length);
    }

    /**
     * Axes given as {dim, stride of each of {@code operands}}: size-1 axes dropped, neighbours that every operand
     * walks contiguously merged, then padded in front to 4; returns {dims, strides...} as int4 values (one strides
     * int4 per operand, also when there are no axes: a 0-d value), or null when more than 4 remain.
     */
    private static int[][] collapse(List<long[]> axes, int operands) {
        List<long[]> merged = new ArrayList<>();
        for (long[] a : axes) {
            if (a[0] == 1) {
                continue;
            }
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            boolean contiguous = last != null;
            for (int o = 1; contiguous && o < a.length; o++) {
                contiguous = last[o] == a[o] * a[0];
            }
            if (contiguous) {
                last[0] *= a[0];
                for (int o = 1; o < a.length; o++) {
                    last[o] = a[o];
                }
            } else {
                merged.add(a.clone());
            }
        }
        if (merged.size() > 4) {
            return null;
        }
        int width = operands + 1;
        int[][] r = new int[width][4];
        Arrays.fill(r[0], 1);
        int pad = 4 - merged.size();
        for (int i = 0; i < merged.size(); i++) {
            for (int o = 0; o < width; o++) {
                r[o][pad + i] = Math.toIntExact(merged.get(i)[o]);
            }
        }
        return r;
    }

    private boolean isFloat(String v) {
        int t = analysis.type(v);
        return t == FLOAT || t == BOOL;
    }

    private String typeName(String v) {
        return TensorProto.DataType.forNumber(analysis.type(v)).name().toLowerCase(java.util.Locale.ROOT);
    }
}
