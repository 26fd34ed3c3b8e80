package org.scrim.engine.protect;

import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/** Graph pieces shared by the transforms, on images [N,C,H,W]. */
final class GraphImageOps {
    private GraphImageOps() {}

    /** x[..., start:end] along one axis. */
    static String slice(GraphBuilder g, String x, int axis, long start, long end) {
        return g.op("Slice", x, g.int64s("starts", start), g.int64s("ends", end),
                g.int64s("axes", axis));
    }

    /**
     * Pads by repeating edge rows and columns (like image editors and JPEG encoders do), built from Slice and
     * Concat so that its gradient needs nothing beyond those two ops.
     */
    static String replicatePad(GraphBuilder g, String x, long[] shape, int top, int bottom, int left, int right) {
        String out = padAxis(g, x, 2, shape[2], top, bottom);
        return padAxis(g, out, 3, shape[3], left, right);
    }

    private static String padAxis(GraphBuilder g, String x, int axis, long size, int before, int after) {
        if (before == 0 && after == 0) {
            return x;
        }
        String[] parts = new String[before + 1 + after];
        if (before > 0) {
            String first = slice(g, x, axis, 0, 1);
            java.util.Arrays.fill(parts, 0, before, first);
        }
        parts[before] = x;
        if (after > 0) {
            String last = slice(g, x, axis, size - 1, size);
            java.util.Arrays.fill(parts, before + 1, parts.length, last);
        }
        return g.op("Concat", parts, Attr.i("axis", axis));
    }

    /** Same separable kernel on every channel (depthwise Conv, groups = channels), borders replicated, same size. */
    static String separableDepthwise(GraphBuilder g, String x, long[] shape, float[] kernel) {
        int channels = (int) shape[1];
        int r = kernel.length / 2;
        float[] weights = new float[channels * kernel.length];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(kernel, 0, weights, c * kernel.length, kernel.length);
        }
        String padded = replicatePad(g, x, shape, r, r, r, r);
        String wx = g.initializer("kernel_x", new Tensor(weights, channels, 1, 1, kernel.length));
        String wy = g.initializer("kernel_y", new Tensor(weights.clone(), channels, 1, kernel.length, 1));
        String rows = g.op("Conv", new String[] {padded, wx}, Attr.i("group", channels));
        return g.op("Conv", new String[] {rows, wy}, Attr.i("group", channels));
    }

    /** Per-pixel affine colour map: out_c = sum_k m[c][k] * x_k + bias_c (a 1x1 Conv). */
    static String colourMatrix(GraphBuilder g, String x, float[][] m, float[] bias) {
        int out = m.length;
        int in = m[0].length;
        float[] w = new float[out * in];
        for (int o = 0; o < out; o++) {
            System.arraycopy(m[o], 0, w, o * in, in);
        }
        return g.op("Conv", x, g.initializer("colour_w", new Tensor(w, out, in, 1, 1)),
                g.initializer("colour_b", new Tensor(bias.clone(), out)));
    }

    static String clip01(GraphBuilder g, String x) {
        return g.op("Clip", x, g.scalar("zero", 0f), g.scalar("one", 1f));
    }
}
