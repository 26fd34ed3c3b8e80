package org.scrim.engine.runtime.opencl;

import static org.scrim.engine.runtime.opencl.Launch.args;
import static org.scrim.engine.runtime.opencl.Launch.roundUp;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Arrays;
import java.util.List;
import org.scrim.engine.onnx.ConvGeometry;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.runtime.opencl.Launch.Arg;
import org.scrim.engine.runtime.opencl.Launch.Const;
import org.scrim.engine.runtime.opencl.Launch.Ref;

/**
 * Conv and ConvTranspose for the graph lowering: weights packed as the conv2d kernels read them, and the launch that
 * fits the device's local memory (staged patches, or global reads when windows do not overlap or do not fit).
 */
final class ConvLowering {
    /** Output channels per work-item of conv2d: one float8 accumulator (passed to kernels.cl as OCB). */
    static final int OCB = 8;
    /** Output pixels along x per work-item of conv2d (passed to kernels.cl as PX). */
    static final int PX = 2;
    /** Input channels conv2d stages per barrier at most (the CB define; it divides OCB's packing of 8). */
    private static final int CB = 8;

    /** What the lowering of a conv reads from, and adds to, the graph being lowered. */
    interface Target {
        long[] shape(String value);

        /** The value computed on the host, or null when it is computed on the device. */
        HostOps.Value folded(String value);

        /** The kernel argument for a value: its buffer, or its folded data uploaded once. */
        Arg operand(String value);

        void constant(String key, float[] data);

        void launch(Launch launch);

        /** Records that a node has no kernel, as "Op (reason)". */
        void unsupported(String reason);
    }

    private final Target graph;
    private final int tileX;
    private final int tileY;
    private final long localMemory;

    /** Convolutions for {@code graph} on a device with {@code tileX x tileY} output tiles and this local memory. */
    ConvLowering(Target graph, int tileX, int tileY, long localMemory) {
        this.graph = graph;
        this.tileX = tileX;
        this.tileY = tileY;
        this.localMemory = localMemory;
    }

    void conv(NodeProto n) {
        long[] xs = graph.shape(n.getInput(0));
        long[] ys = graph.shape(n.getOutput(0));
        if (!convSupported(n, xs)) {
            return;
        }
        HostOps.Value w = graph.folded(n.getInput(1));
        ConvGeometry geo = ConvGeometry.of(n, xs, w.shape());
        int k = (int) w.shape()[0];
        int cg = (int) w.shape()[1]; // input channels per group
        int c = (int) xs[1];
        int kg = k / (int) NodeAttrs.i(n, "group", 1); // output channels per group
        int kh = (int) w.shape()[2];
        int kw = (int) w.shape()[3];
        // a grouped conv runs as an ungrouped one with block-diagonal weights (zeros across groups)
        float[] packed = packWeights(k, c, kh, kw, (ko, ci, y, x) -> ko / kg != ci / cg ? 0
                : w.data()[((ko * cg + ci % cg) * kh + y) * kw + x]);
        String key = n.getOutput(0) + "#w";
        graph.constant(key, packed);
        launchConv(n, key, k, kh, kw, (int) geo.strides()[0], xs, ys, (int) geo.pads()[0], (int) geo.pads()[1],
                (int) ys[2], (int) ys[3], 1, 1, 0, 0);
    }

    /**
     * A stride-s ConvTranspose is s*s stride-1 convolutions, one per output phase (oy mod s, ox mod s), each with
     * the taps of the flipped, channel-swapped kernel that reach that phase; no per-element test for divisibility.
     */
    void convTranspose(NodeProto n) {
        long[] xs = graph.shape(n.getInput(0));
        long[] ys = graph.shape(n.getOutput(0));
        if (!convSupported(n, xs)) {
            return;
        }
        HostOps.Value w = graph.folded(n.getInput(1));
        int cin = (int) w.shape()[0];
        int cog = (int) w.shape()[1]; // output channels per group
        int cout = (int) ys[1];
        int cig = cin / (int) NodeAttrs.i(n, "group", 1); // input channels per group
        int kh = (int) w.shape()[2];
        int kw = (int) w.shape()[3];
        long[] strides = NodeAttrs.ints(n, "strides", 1, 2);
        long[] pads = NodeAttrs.ints(n, "pads", 0, 4);
        int sy = (int) strides[0];
        int sx = (int) strides[1];
        if (kh < sy || kw < sx) {
            graph.unsupported("ConvTranspose (kernel smaller than stride)");
            return;
        }
        for (int ry = 0; ry < sy; ry++) {
            for (int rx = 0; rx < sx; rx++) {
                int qy = (int) ((ys[2] - ry + sy - 1) / sy);
                int qx = (int) ((ys[3] - rx + sx - 1) / sx);
                if (qy == 0 || qx == 0) {
                    continue;
                }
                Phase py = Phase.of(ry, (int) pads[0], sy, kh);
                Phase px = Phase.of(rx, (int) pads[1], sx, kw);
                float[] packed = packWeights(cout, cin, py.taps, px.taps, (co, ci, j, i) -> co / cog != ci / cig ? 0
                        : w.data()[((ci * cog + co % cog) * kh + py.tap(j)) * kw + px.tap(i)]);
                String key = n.getOutput(0) + "#w" + ry + "," + rx;
                graph.constant(key, packed);
                launchConv(n, key, cout, py.taps, px.taps, 1, xs, ys, py.pad, px.pad, qy, qx, sy, sx, ry, rx);
            }
        }
    }

    /**
     * Output phase r of a transposed convolution along one axis: oy = s*q + r reads x[q - pad + j] with kernel tap
     * {@link #tap}(j), j in [0, taps).
     */
    private record Phase(int first, int taps, int pad, int stride) {
        static Phase of(int r, int padBegin, int s, int k) {
            int first = Math.floorMod(r + padBegin, s);
            int base = Math.floorDiv(r + padBegin - first, s);
            int taps = (k - first + s - 1) / s;
            return new Phase(first, taps, taps - 1 - base, s);
        }

        int tap(int j) {
            return first + stride * (taps - 1 - j);
        }
    }

    private boolean convSupported(NodeProto n, long[] xs) {
        String op = n.getOpType();
        String why = xs.length != 4 ? "not 2-D"
                : xs[0] != 1 ? "batch " + xs[0]
                : Arrays.stream(NodeAttrs.ints(n, "dilations", 1, 2)).anyMatch(d -> d != 1) ? "dilation"
                : graph.folded(n.getInput(1)) == null ? "weights not constant"
                : n.getInputCount() > 2 && !n.getInput(2).isEmpty() && graph.folded(n.getInput(2)) == null
                        ? "bias not constant"
                : op.equals("Conv") && NodeAttrs.ints(n, "strides", 1, 2)[0] != NodeAttrs.ints(n, "strides", 1, 2)[1]
                        ? "unequal strides" : null;
        if (why != null) {
            graph.unsupported(op + " (" + why + ")");
        }
        return why == null;
    }

    private interface WeightAt {
        double at(int outChannel, int inChannel, int y, int x);
    }

    /** Weights as conv2d reads them: [K/8][C/8*8][KH][KW][8], both channel counts zero-padded to multiples of 8. */
    private static float[] packWeights(int k, int c, int kh, int kw, WeightAt w) {
        int blocks = (k + OCB - 1) / OCB;
        int cpad = (c + CB - 1) / CB * CB;
        float[] p = new float[blocks * cpad * kh * kw * OCB];
        for (int ko = 0; ko < k; ko++) {
            for (int ci = 0; ci < c; ci++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        p[((((ko / OCB) * cpad + ci) * kh + y) * kw + x) * OCB + ko % OCB] = (float) w.at(ko, ci, y, x);
                    }
                }
            }
        }
        return p;
    }

    private void launchConv(NodeProto n, String weights, int k, int kh, int kw, int stride, long[] xs, long[] ys,
            int padY, int padX, int oh, int ow, int osy, int osx, int ory, int orx) {
        int blocks = (k + OCB - 1) / OCB;
        float[] bias = new float[blocks * OCB];
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            double[] b = graph.folded(n.getInput(2)).data();
            for (int i = 0; i < k; i++) {
                bias[i] = (float) b[i];
            }
        }
        String biasKey = n.getOutput(0) + "#b";
        graph.constant(biasKey, bias);
        // stage 8 input channels per barrier where that fits in a quarter of local memory, else 4, 2 or 1
        long patch = 4L * ((tileY - 1) * stride + kh) * ((tileX * PX - 1) * stride + kw);
        int cb = CB;
        while (cb > 1 && cb * patch > localMemory / 4) {
            cb /= 2;
        }
        List<Arg> args = args(graph.operand(n.getInput(0)), new Const(weights), new Const(biasKey),
                new Ref(n.getOutput(0))).ints(xs[1], xs[2], xs[3], k, oh, ow, padY, padX, ys[2], ys[3], osy, osx, ory,
                orx).list();
        // strided windows that do not overlap share no input worth staging (1x1 stride 1 stays on conv2d, whose two
        // pixels per work-item share each weight load); a patch that does not fit cannot be staged
        if (stride > 1 && stride >= kh && stride >= kw || patch > localMemory / 4) {
            graph.launch(new Launch("conv2d_global", "-DKH=" + kh + " -DKW=" + kw + " -DSTRIDE=" + stride
                    + " -DCB=1", args, new long[] {roundUp(ow, tileX), roundUp(oh, tileY), blocks},
                    new long[] {tileX, tileY, 1}));
            return;
        }
        graph.launch(new Launch("conv2d", "-DKH=" + kh + " -DKW=" + kw + " -DSTRIDE=" + stride + " -DCB=" + cb,
                args, new long[] {roundUp((ow + PX - 1) / PX, tileX), roundUp(oh, tileY), blocks},
                new long[] {tileX, tileY, 1}));
    }
}
