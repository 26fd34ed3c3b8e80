package org.scrim.engine.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ShapeInference;

/**
 * What a {@link VjpRule} sees of one forward node: the node, static shapes, the output cotangents, which inputs need a
 * gradient, and a {@link GraphBuilder} (with helpers) to emit the backward nodes into.
 */
public final class VjpContext {
    private final GraphBuilder b;
    private final ShapeInference.Analysis analysis;
    private final NodeProto node;
    private final String[] outputGrads;
    private final IntPredicate needs;
    private final int elemType;
    private final int opset;
    private final Map<Integer, String> addedOutputs;
    private final Map<Double, String> scalars;

    VjpContext(GraphBuilder b, ShapeInference.Analysis analysis, NodeProto node, String[] outputGrads,
            IntPredicate needs, int elemType, int opset, Map<Integer, String> addedOutputs,
            Map<Double, String> scalars) {
        this.b = b;
        this.analysis = analysis;
        this.node = node;
        this.outputGrads = outputGrads;
        this.needs = needs;
        this.elemType = elemType;
        this.opset = opset;
        this.addedOutputs = addedOutputs;
        this.scalars = scalars;
    }

    public NodeProto node() {
        return node;
    }

    public ShapeInference.Analysis analysis() {
        return analysis;
    }

    /** The cotangent of output {@code k}, or null when nothing downstream of it reaches the loss. */
    public String grad(int k) {
        return k < outputGrads.length ? outputGrads[k] : null;
    }

    /** The cotangent of the first output. */
    public String g() {
        return outputGrads[0];
    }

    public String in(int i) {
        return NodeAttrs.input(node, i);
    }

    public String out(int k) {
        return node.getOutput(k);
    }

    public long[] shape(String value) {
        return analysis.shape(value);
    }

    public boolean needs(int input) {
        return needs.test(input);
    }

    /** {@code make.get()} when input {@code i} needs a gradient, else null (so nothing is emitted for it). */
    public String ifNeeded(int i, Supplier<String> make) {
        return needs(i) ? make.get() : null;
    }

    /**
     * A forward output the node does not emit yet (MaxPool's Indices): the differentiator adds it to the forward
     * node, so the backward reads it instead of recomputing.
     */
    public String forwardOutput(int k) {
        if (k < node.getOutputCount() && !node.getOutput(k).isEmpty()) {
            return node.getOutput(k);
        }
        return addedOutputs.computeIfAbsent(k, i -> b.fresh(node.getOutput(0) + "_out" + i));
    }

    public int opset() {
        return opset;
    }

    public int elemType() {
        return elemType;
    }

    public String op(String type, String... inputs) {
        return b.op(type, inputs);
    }

    public String op(String type, String[] inputs, AttributeProto... attrs) {
        return b.op(type, inputs, attrs);
    }

    public String[] ops(String type, int outputs, String[] inputs, AttributeProto... attrs) {
        return b.ops(type, outputs, inputs, attrs);
    }

    /** A scalar of the graph's float type (one node per value). */
    public String scalar(double v) {
        return scalars.computeIfAbsent(v, k -> tensor(new double[] {v}));
    }

    public String zero() {
        return scalar(0);
    }

    /** A constant tensor of the graph's float type. */
    public String tensor(double[] values, long... shape) {
        return b.op("Constant", new String[0], tensorAttr("value", values, shape));
    }

    public String ints(long... values) {
        return b.int64s("c", values);
    }

    /** Zeros of the given shape and the graph's float type. */
    public String zeros(long... shape) {
        return b.op("ConstantOfShape", new String[] {ints(shape)}, tensorAttr("value", new double[] {0}, 1));
    }

    public String reshape(String v, long[] from, long[] to) {
        return Arrays.equals(from, to) ? v : b.op("Reshape", v, ints(to));
    }

    /** A reduction over {@code axes}, with the axes as attribute (opset < 18) or input (opset 18+) as needed. */
    public String reduce(String op, String x, int[] axes, boolean keepDims) {
        long[] ax = Arrays.stream(axes).asLongStream().toArray();
        AttributeProto keep = Attr.i("keepdims", keepDims ? 1 : 0);
        if (op.equals("ReduceSum") || opset >= 18) {
            return b.op(op, new String[] {x, ints(ax)}, keep);
        }
        return b.op(op, new String[] {x}, Attr.ints("axes", ax), keep);
    }

    /** Sums a cotangent of shape {@code from} back to an operand of (numpy-broadcast) shape {@code to}. */
    public String sumTo(String v, long[] from, long[] to) {
        int lead = from.length - to.length;
        int[] axes = java.util.stream.IntStream.range(0, from.length)
                .filter(i -> i < lead || (to[i - lead] == 1 && from[i] != 1)).toArray();
        String r = axes.length == 0 ? v : reduce("ReduceSum", v, axes, true);
        long[] reduced = from.clone();
        for (int ax : axes) {
            reduced[ax] = 1;
        }
        return reshape(r, reduced, to);
    }

    /** Sums the cotangent of the first output back to the shape of input {@code i}. */
    public String sumToInput(String v, int i) {
        return sumTo(v, shape(out(0)), shape(in(i)));
    }

    /** The result of a rule whose node has one differentiable input (the first). */
    public String[] first(String grad) {
        return new String[] {grad};
    }

    public IllegalArgumentException unsupported(String what) {
        return new IllegalArgumentException(NodeAttrs.describe(node) + ": " + what);
    }

    private AttributeProto tensorAttr(String name, double[] values, long... shape) {
        boolean dbl = elemType == TensorProto.DataType.DOUBLE_VALUE;
        ByteBuffer buf = ByteBuffer.allocate(values.length * (dbl ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (dbl) {
                buf.putDouble(v);
            } else {
                buf.putFloat((float) v);
            }
        }
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(elemType).setRawData(ByteString.copyFrom(buf.array()));
        for (long d : shape) {
            t.addDims(d);
        }
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(t).build();
    }
}
