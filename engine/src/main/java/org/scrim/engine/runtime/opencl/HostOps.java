package org.scrim.engine.runtime.opencl;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Set;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ShapeInference;
import org.scrim.engine.onnx.ShapeInference.Analysis;

/**
 * The ops the OpenCL executor folds on the host at load time when all their inputs are constants: the weight flips
 * and swaps of a convolution's data gradient, shape arithmetic, small scalar algebra. Values are held as doubles,
 * which represent every float32 and int64 shape value exactly.
 */
final class HostOps {
    record Value(double[] data, long[] shape) {}

    static final Set<String> OPS = Set.of("Constant", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Cast",
            "Shape", "Size", "Transpose", "Slice", "Concat", "Neg", "Sqrt", "Reciprocal", "Add", "Sub", "Mul", "Div");

    private HostOps() {}

    /** The value of {@code n}'s first output; {@code in} holds its inputs ("" inputs as null). */
    static Value eval(NodeProto n, List<Value> in, Analysis a) {
        long[] shape = a.shape(n.getOutput(0));
        double[] folded = a.constants().get(n.getOutput(0));
        if (folded != null) {
            return new Value(folded, shape); // Constant, Shape, Size and shape arithmetic: folded already
        }
        double[] x = in.isEmpty() ? null : in.get(0).data();
        double[] y = switch (n.getOpType()) {
            case "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten" -> x;
            case "Cast" -> cast(x, (int) NodeAttrs.i(n, "to", 1));
            case "Transpose" -> transpose(x, in.get(0).shape(), ShapeInference.transposePerm(n, shape.length));
            case "Slice" -> slice(x, in.get(0).shape(), ShapeInference.SliceSpec.of(n, a, in.get(0).shape()), shape);
            case "Concat" -> concat(in, shape, (int) NodeAttrs.i(n, "axis", 0));
            case "Neg", "Sqrt", "Reciprocal" -> unary(n.getOpType(), x);
            case "Add", "Sub", "Mul", "Div" -> binary(n.getOpType(), in.get(0), in.get(1), shape,
                    a.isFloating(n.getInput(0)));
            default -> throw new IllegalArgumentException("no host implementation of " + n.getOpType());
        };
        return new Value(y, shape);
    }

    private static double[] cast(double[] x, int to) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = switch (to) {
                case 1 -> (float) x[i];
                case 9 -> x[i] != 0 ? 1 : 0;
                case 11 -> x[i];
                default -> (long) x[i]; // integer types truncate toward zero
            };
        }
        return y;
    }

    private static double[] unary(String op, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = switch (op) {
                case "Neg" -> -x[i];
                case "Sqrt" -> (float) Math.sqrt(x[i]);
                default -> 1.0f / (float) x[i];
            };
        }
        return y;
    }

    private static double[] binary(String op, Value p, Value q, long[] shape, boolean floating) {
        int n = Math.toIntExact(numel(shape));
        long[] sp = broadcastStrides(p.shape(), shape);
        long[] sq = broadcastStrides(q.shape(), shape);
        double[] y = new double[n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            double u = p.data()[(int) dot(idx, sp)];
            double v = q.data()[(int) dot(idx, sq)];
            y[i] = switch (op) {
                case "Add" -> u + v;
                case "Sub" -> u - v;
                case "Mul" -> u * v;
                default -> floating ? u / v : Math.floorDiv((long) u, (long) v);
            };
            if (floating) {
                y[i] = (float) y[i];
            }
            increment(idx, shape);
        }
        return y;
    }

    private static double[] transpose(double[] x, long[] xs, long[] perm) {
        long[] strides = strides(xs);
        long[] shape = new long[xs.length];
        long[] permuted = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            shape[i] = xs[(int) perm[i]];
            permuted[i] = strides[(int) perm[i]];
        }
        return gather(x, shape, permuted, 0);
    }

    private static double[] slice(double[] x, long[] xs, ShapeInference.SliceSpec sp, long[] shape) {
        StridedView view = sliceView(xs, sp);
        return gather(x, shape, view.steps(), view.start());
    }

    /** A slice of a dense row-major array as a strided view: the first element's offset and each axis' step. */
    record StridedView(long start, long[] steps) {}

    /** The slice {@code sp} of an array of shape {@code xs} as a view of it; host folding and kernels share it. */
    static StridedView sliceView(long[] xs, ShapeInference.SliceSpec sp) {
        long[] strides = strides(xs);
        long[] step = strides.clone();
        long start = 0;
        for (int k = 0; k < sp.axes().length; k++) {
            int ax = sp.axes()[k];
            start += sp.starts()[k] * strides[ax];
            step[ax] = sp.steps()[k] * strides[ax];
        }
        return new StridedView(start, step);
    }

    private static double[] concat(List<Value> in, long[] shape, int axis) {
        int ax = axis < 0 ? axis + shape.length : axis;
        double[] y = new double[Math.toIntExact(numel(shape))];
        long outer = numel(java.util.Arrays.copyOfRange(shape, 0, ax));
        long inner = numel(java.util.Arrays.copyOfRange(shape, ax + 1, shape.length));
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (Value v : in) {
                int len = (int) (v.shape()[ax] * inner);
                System.arraycopy(v.data(), (int) (o * len), y, at, len);
                at += len;
            }
        }
        return y;
    }

    /** y[i] = x[start + sum_k idx_k * strides_k] over the row-major indices of {@code shape}. */
    private static double[] gather(double[] x, long[] shape, long[] strides, long start) {
        double[] y = new double[Math.toIntExact(numel(shape))];
        long[] idx = new long[shape.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[(int) (start + dot(idx, strides))];
            increment(idx, shape);
        }
        return y;
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long k = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = k;
            k *= shape[i];
        }
        return s;
    }

    /** Strides of {@code shape} read as {@code out} under numpy broadcasting: 0 along broadcast axes. */
    static long[] broadcastStrides(long[] shape, long[] out) {
        long[] own = strides(shape);
        long[] s = new long[out.length];
        for (int i = 0; i < shape.length; i++) {
            int o = i + out.length - shape.length;
            s[o] = shape[i] == 1 && out[o] != 1 ? 0 : own[i];
        }
        return s;
    }

    static long numel(long[] shape) {
        long k = 1;
        for (long d : shape) {
            k *= d;
        }
        return k;
    }

    private static long dot(long[] idx, long[] strides) {
        long s = 0;
        for (int i = 0; i < idx.length; i++) {
            s += idx[i] * strides[i];
        }
        return s;
    }

    private static void increment(long[] idx, long[] shape) {
        for (int i = idx.length - 1; i >= 0; i--) {
            if (++idx[i] < shape[i]) {
                return;
            }
            idx[i] = 0;
        }
    }
}
