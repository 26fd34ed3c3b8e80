package org.scrim.engine.onnx;

import static org.scrim.engine.onnx.NodeAttrs.describe;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Arrays;

/**
 * Spatial geometry of a Conv, pool or ConvTranspose, seen as a convolution from {@code input} to {@code output}
 * (for ConvTranspose, its own output is the convolution's input). Pads are explicit: begins then ends.
 */
public record ConvGeometry(long[] input, long[] output, long[] kernel, long[] strides, long[] dilations, long[] pads) {

    public int rank() {
        return input.length;
    }

    long effectiveKernel(int i) {
        return (kernel[i] - 1) * dilations[i] + 1;
    }

    /** What a ConvTranspose adjoint to this convolution must add at the end to give back {@code input}. */
    public long[] outputPadding() {
        long[] op = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            op[i] = input[i] - ((output[i] - 1) * strides[i] + effectiveKernel(i) - pads[i] - pads[i + rank()]);
        }
        return op;
    }

    /** Conv (weight shape given) or pool (kernel_shape attribute) on an input of shape {@code xs}. */
    public static ConvGeometry of(NodeProto n, long[] xs, long[] weightShape) {
        int r = xs.length - 2;
        long[] in = Arrays.copyOfRange(xs, 2, xs.length);
        long[] kernel = weightShape != null ? Arrays.copyOfRange(weightShape, 2, weightShape.length)
                : NodeAttrs.ints(n, "kernel_shape");
        long[] strides = NodeAttrs.ints(n, "strides", 1, r);
        long[] dil = NodeAttrs.ints(n, "dilations", 1, r);
        long[] pads = NodeAttrs.ints(n, "pads", 0, 2 * r).clone();
        String autoPad = NodeAttrs.s(n, "auto_pad", "NOTSET");
        boolean ceil = NodeAttrs.i(n, "ceil_mode", 0) != 0;
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long k = (kernel[i] - 1) * dil[i] + 1;
            switch (autoPad) {
                case "NOTSET" -> { }
                case "VALID" -> {
                    pads[i] = 0;
                    pads[i + r] = 0;
                }
                case "SAME_UPPER", "SAME_LOWER" -> {
                    long o = (in[i] + strides[i] - 1) / strides[i];
                    long total = Math.max(0, (o - 1) * strides[i] + k - in[i]);
                    long small = total / 2;
                    pads[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pads[i + r] = total - pads[i];
                }
                default -> throw new IllegalArgumentException(describe(n) + ": unknown auto_pad " + autoPad);
            }
            long span = in[i] + pads[i] + pads[i + r] - k;
            out[i] = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            if (ceil && (out[i] - 1) * strides[i] >= in[i] + pads[i]) {
                out[i]--; // the last window must start inside the input or its left padding
            }
        }
        return new ConvGeometry(in, out, kernel, strides, dil, pads);
    }

    /** A ConvTranspose on an input of shape {@code xs}: explicit pads and output_padding only. */
    public static ConvGeometry ofTranspose(NodeProto n, long[] xs, long[] ws) {
        int r = xs.length - 2;
        if (!NodeAttrs.s(n, "auto_pad", "NOTSET").equals("NOTSET")) {
            throw new IllegalArgumentException(describe(n) + ": only explicit pads are supported (auto_pad="
                    + NodeAttrs.s(n, "auto_pad", "") + ")");
        }
        long[] small = Arrays.copyOfRange(xs, 2, xs.length);
        long[] kernel = Arrays.copyOfRange(ws, 2, ws.length);
        long[] strides = NodeAttrs.ints(n, "strides", 1, r);
        long[] dil = NodeAttrs.ints(n, "dilations", 1, r);
        long[] pads = NodeAttrs.ints(n, "pads", 0, 2 * r);
        long[] op = NodeAttrs.ints(n, "output_padding", 0, r);
        long[] given = NodeAttrs.ints(n, "output_shape");
        if (given != null && given.length > 0) {
            throw new IllegalArgumentException(describe(n) + ": the output_shape attribute is not supported,"
                    + " give pads and output_padding");
        }
        long[] big = new long[r];
        for (int i = 0; i < r; i++) {
            big[i] = strides[i] * (small[i] - 1) + op[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[i + r];
        }
        return new ConvGeometry(big, small, kernel, strides, dil, pads);
    }
}
