package org.scrim.engine.models;

import ai.onnx.proto.OnnxMl.GraphProto;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.modelio.CheckpointException;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * Builds the ONNX graphs of the TAE family (TAESD, TAESDXL, TAESD3, TAEF1, TAEF2, and the f32 variants) from a state
 * dict. The architecture is read from the keys and shapes: a top-level {@code N.weight} is a 3x3 conv, {@code
 * N.conv.*} a residual block (with {@code N.skip} when channels change and {@code N.pool} for TAEF2's GroupNorm
 * mid-block), and the parameter-free layers between them (ReLU, Clamp, Upsample) follow from where the gaps are.
 */
public final class TaeGraphs {
    public static final String IMAGE = "image";
    public static final String LATENT = "latent";
    /** TAEF2's mid-block GroupNorm: 4 groups (not recoverable from the weights). */
    private static final int POOL_GROUPS = 4;
    private static final float GROUP_NORM_EPS = 1e-5f;

    private TaeGraphs() {}

    /** Encoder graph: {@code image} [1,3,H,W] in [0,1] -> {@code latent} [1,C,H/s,W/s], H and W symbolic. */
    public static GraphProto encoder(StateDict sd) {
        return encoder(sd, false);
    }

    /**
     * The encoder graph with, after {@code latent}, an output per downsampling stage: {@code stage1}, {@code
     * stage2}, ... (the blocks' output after each bias-free strided conv, at 1/2, 1/4, 1/8 of the size for the 8x
     * encoders and 1/8, 1/16, 1/32 for the f32 ones). Pulls on these features carry over between model families
     * better than pulls on the latent alone.
     */
    public static GraphProto encoderWithStages(StateDict sd) {
        return encoder(sd, true);
    }

    private static GraphProto encoder(StateDict sd, boolean stages) {
        GraphBuilder g = new GraphBuilder("tae_encoder");
        String x = g.input(IMAGE, 1, 3, -1, -1);
        boolean f32 = sd.has("0.weight") && sd.get("0.weight").dim(0) != 64;
        int last = lastIndex(sd);
        List<String> stageOutputs = new ArrayList<>();
        boolean downsampled = false;
        for (int i = 0; i <= last; i++) {
            String p = i + ".";
            if (sd.has(p + "weight")) {
                boolean hasBias = sd.has(p + "bias");
                if (downsampled) {
                    // every conv after the first bias-free one ends a stage: its input is that stage's output
                    stageOutputs.add(x);
                }
                downsampled |= !hasBias;
                // Downsampling convs carry no bias, except the f32 variant's first two, which are strided too.
                boolean strided = !hasBias || (f32 && i <= 2);
                x = conv(g, sd, p, x, strided ? 2 : 1);
            } else if (sd.has(p + "conv.0.weight")) {
                x = block(g, sd, p, x);
            } else {
                x = g.op("Relu", x);
            }
        }
        g.output(x, LATENT);
        if (stages) {
            for (int k = 0; k < stageOutputs.size(); k++) {
                g.output(stageOutputs.get(k), stageName(k));
            }
        }
        return g.graph();
    }

    /** The name of the k-th (from 0) stage output of {@link #encoderWithStages}. */
    public static String stageName(int k) {
        return "stage" + (k + 1);
    }

    /** Decoder graph: {@code latent} [1,C,h,w] -> {@code image} [1,3,h*s,w*s] (not clamped). */
    public static GraphProto decoder(StateDict sd) {
        return decoder(sd, false);
    }

    /**
     * The decoder without its last stage: {@code latent} -> {@code image}, the decoder's features [1,F,h*s/2,w*s/2]
     * just before its last 2x upsampling. The last stage works at full size and costs more than the rest of the
     * decoder; what comes before it already holds what the decoder will draw, short of the finest detail.
     */
    public static GraphProto decoderBeforeLastStage(StateDict sd) {
        return decoder(sd, true);
    }

    private static GraphProto decoder(StateDict sd, boolean beforeLastStage) {
        GraphBuilder g = new GraphBuilder("tae_decoder");
        long latentChannels = sd.get("1.weight").dim(1);
        String x = g.input(LATENT, 1, latentChannels, -1, -1);
        int last = lastIndex(sd);
        int lastUpsampling = -1;
        for (int i = 1; i <= last; i++) {
            if (isUpsampling(sd, i)) {
                lastUpsampling = i;
            }
        }
        for (int i = 0; i <= last; i++) {
            String p = i + ".";
            if (sd.has(p + "weight")) {
                x = conv(g, sd, p, x, 1);
            } else if (sd.has(p + "conv.0.weight")) {
                x = block(g, sd, p, x);
            } else if (i == 0) {
                // Clamp: tanh(x / 3) * 3 keeps latents in a soft range
                String three = g.scalar("three", 3f);
                x = g.op("Mul", g.op("Tanh", g.op("Div", x, three)),
                        three);
            } else if (isUpsampling(sd, i)) {
                if (beforeLastStage && i == lastUpsampling) {
                    break;
                }
                x = g.op("Resize", new String[] {x, "", g.initializer("up2", new Tensor(
                        new float[] {1, 1, 2, 2}, 4))},
                        Attr.s("mode", "nearest"), Attr.s("coordinate_transformation_mode", "asymmetric"),
                        Attr.s("nearest_mode", "floor"));
            } else {
                x = g.op("Relu", x);
            }
        }
        g.output(x, IMAGE);
        return g.graph();
    }

    /** Whether the decoder's module {@code i} is a 2x nearest upsampling: a bias-free conv follows every one. */
    private static boolean isUpsampling(StateDict sd, int i) {
        return !sd.has(i + ".weight") && !sd.has(i + ".conv.0.weight") && sd.has((i + 1) + ".weight")
                && !sd.has((i + 1) + ".bias");
    }

    private static int lastIndex(StateDict sd) {
        int last = -1;
        for (String k : sd.keys()) {
            String head = k.substring(0, Math.max(0, k.indexOf('.')));
            if (!head.matches("\\d{1,3}")) {
                throw new CheckpointException(sd.source() + ": key '" + k
                        + "' does not belong to a TAE encoder or decoder");
            }
            last = Math.max(last, Integer.parseInt(head));
        }
        if (last < 0) {
            throw new CheckpointException(sd.source() + ": no parameters found");
        }
        return last;
    }

    /** A conv with padding (k-1)/2; its shape comes from the weight. */
    private static String conv(GraphBuilder g, StateDict sd, String prefix, String x, int stride) {
        Tensor w = sd.get(prefix + "weight");
        if (w.rank() != 4 || w.dim(2) != w.dim(3) || w.dim(2) % 2 == 0) {
            throw new CheckpointException(sd.source() + ": " + prefix + "weight is not an odd square conv kernel");
        }
        long pad = (w.dim(2) - 1) / 2;
        String weight = g.initializer(prefix + "weight", w);
        String[] inputs = sd.has(prefix + "bias")
                ? new String[] {x, weight, g.initializer(prefix + "bias", sd.get(prefix + "bias", w.dim(0)))}
                : new String[] {x, weight};
        return g.op("Conv", inputs, Attr.ints("kernel_shape", w.dim(2), w.dim(3)),
                Attr.ints("pads", pad, pad, pad, pad), Attr.ints("strides", stride, stride));
    }

    /** relu(conv3(relu(conv2(relu(conv1(x))))) + skip(x)), after x += pool(x) where the block has a pool. */
    private static String block(GraphBuilder g, StateDict sd, String p, String x) {
        if (sd.has(p + "pool.0.weight")) {
            x = g.op("Add", x, pool(g, sd, p + "pool.", x));
        }
        String h = g.op("Relu", conv(g, sd, p + "conv.0.", x, 1));
        h = g.op("Relu", conv(g, sd, p + "conv.2.", h, 1));
        h = conv(g, sd, p + "conv.4.", h, 1);
        String skip = sd.has(p + "skip.weight") ? conv(g, sd, p + "skip.", x, 1) : x;
        return g.op("Relu", g.op("Add", h, skip));
    }

    /** 1x1 conv up, GroupNorm, ReLU, 1x1 conv down. GroupNorm is InstanceNorm over channel groups. */
    private static String pool(GraphBuilder g, StateDict sd, String p, String x) {
        String up = conv(g, sd, p + "0.", x, 1);
        Tensor gamma = sd.get(p + "1.weight");
        long channels = gamma.dim(0);
        String grouped = g.op("Reshape", up, g.int64s("groups_shape", 0, POOL_GROUPS, -1));
        String normed = g.op("InstanceNormalization", new String[] {grouped,
                g.initializer("ones", filled(POOL_GROUPS, 1f)), g.initializer("zeros", filled(POOL_GROUPS, 0f))},
                Attr.f("epsilon", GROUP_NORM_EPS));
        String restored = g.op("Reshape", normed, g.op("Shape", up));
        String scaled = g.op("Mul", restored,
                g.initializer(p + "1.weight", gamma.reshape(channels, 1, 1)));
        String shifted = g.op("Add", scaled,
                g.initializer(p + "1.bias", sd.get(p + "1.bias", channels).reshape(channels, 1, 1)));
        return conv(g, sd, p + "3.", g.op("Relu", shifted), 1);
    }

    private static Tensor filled(int n, float v) {
        float[] d = new float[n];
        java.util.Arrays.fill(d, v);
        return new Tensor(d, n);
    }
}
