package org.scrim.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads node attributes and constant tensors of a graph (the differentiator's and the OpenCL executor's). */
public final class NodeAttrs {
    private NodeAttrs() {}

    public static AttributeProto find(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    public static long i(NodeProto n, String name, long dflt) {
        AttributeProto a = find(n, name);
        return a == null ? dflt : a.getI();
    }

    public static float f(NodeProto n, String name, float dflt) {
        AttributeProto a = find(n, name);
        return a == null ? dflt : a.getF();
    }

    public static String s(NodeProto n, String name, String dflt) {
        AttributeProto a = find(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /** An INTS attribute, or null when absent. */
    public static long[] ints(NodeProto n, String name) {
        AttributeProto a = find(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static long[] ints(NodeProto n, String name, long fill, int count) {
        long[] v = ints(n, name);
        if (v != null && v.length > 0) {
            return v;
        }
        long[] d = new long[count];
        java.util.Arrays.fill(d, fill);
        return d;
    }

    /** The i-th input of a node, or null when absent or empty (ONNX marks skipped optional inputs with ""). */
    public static String input(NodeProto n, int i) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? n.getInput(i) : null;
    }

    /** "Conv 'n_Conv_3'": how error messages name a node. */
    public static String describe(NodeProto n) {
        return n.getOpType() + " node '" + n.getName() + "'";
    }

    /** The values of a numeric tensor as doubles (raw or typed storage). */
    public static double[] values(TensorProto t) {
        int n = Math.toIntExact(t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact));
        double[] v = new double[n];
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        for (int k = 0; k < n; k++) {
            v[k] = switch (t.getDataType()) {
                case TensorProto.DataType.FLOAT_VALUE -> hasRaw ? raw.getFloat(4 * k) : t.getFloatData(k);
                case TensorProto.DataType.DOUBLE_VALUE -> hasRaw ? raw.getDouble(8 * k) : t.getDoubleData(k);
                case TensorProto.DataType.INT64_VALUE -> hasRaw ? raw.getLong(8 * k) : t.getInt64Data(k);
                case TensorProto.DataType.INT32_VALUE -> hasRaw ? raw.getInt(4 * k) : t.getInt32Data(k);
                case TensorProto.DataType.BOOL_VALUE -> hasRaw ? raw.get(k) : t.getInt32Data(k);
                default -> throw new IllegalArgumentException("tensor '" + t.getName() + "' has unsupported data type "
                        + TensorProto.DataType.forNumber(t.getDataType()));
            };
        }
        return v;
    }

    public static long[] toLongs(double[] v) {
        long[] r = new long[v.length];
        for (int k = 0; k < v.length; k++) {
            r[k] = (long) v[k];
        }
        return r;
    }
}
