package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.scrim.engine.onnx.Attr.ints;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.ShapeInference;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.protect.ImageTransform;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.tensor.Tensor;

/**
 * Protection's robust steps on OpenCL: the forward and loss+gradient graphs of a small stand-in encoder (two convs)
 * behind Transforms.jpeg(75) and Transforms.downscale(..) lower with no unsupported op, so OpenClRuntime does not
 * fall back to ONNX Runtime, and match ONNX Runtime. Sizes cover JPEG's edge padding (not a multiple of 16) and both
 * halves of downscale (AveragePool alone, AveragePool then a fractional Resize).
 */
class OpenClTransformGraphTest {
    private final Random rnd = new Random(17);

    /** conv 3x3 stride 2 + relu, conv 3x3: [1,3,H,W] -> [1,4,H/2,W/2]. */
    private BiFunction<GraphBuilder, String, String> encoder() {
        Tensor w0 = OpenClTesting.random(rnd, 6, 3, 3, 3);
        Tensor b0 = OpenClTesting.random(rnd, 6);
        Tensor w1 = OpenClTesting.random(rnd, 4, 6, 3, 3);
        return (g, x) -> {
            String h = g.op("Relu", new String[] {g.op("Conv", new String[] {x, g.initializer("w0", w0),
                g.initializer("b0", b0)}, ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))});
            return g.op("Conv", new String[] {h, g.initializer("w1", w1)}, ints("pads", 1, 1, 1, 1));
        };
    }

    private void check(ImageTransform t, long... image) {
        BiFunction<GraphBuilder, String, String> enc = encoder();
        String name = t.describe() + java.util.Arrays.toString(image);
        ModelProto fwd = TransformGraphs.forward("forward " + name, t, image, enc);
        long[] latent = ShapeInference.analyze(fwd.getGraph(), Map.of()).shape(fwd.getGraph().getOutput(0).getName());
        ModelProto grad = TransformGraphs.lossAndGradient("gradient " + name, t, image, latent, enc);
        assertEquals(List.of(), OpenClModel.unsupported(fwd), "forward " + name);
        assertEquals(List.of(), OpenClModel.unsupported(grad), "gradient " + name);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        feeds.put("x", uniform(image));
        OpenClTesting.assertMatchesOrt(fwd, feeds);
        feeds.put("target", OpenClTesting.random(rnd, latent));
        feeds.put("weight", new Tensor(new float[] {0.7f}));
        OpenClTesting.assertMatchesOrt(grad, feeds);
    }

    /** An image in [0,1] (the transforms clip to it). */
    private Tensor uniform(long[] shape) {
        float[] d = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextFloat();
        }
        return new Tensor(d, shape);
    }

    @Test
    void jpeg() {
        check(Transforms.jpeg(75), 1, 3, 37, 45);
        check(Transforms.jpeg(75), 1, 3, 32, 48);
    }

    @Test
    void downscaleByHalf() {
        check(Transforms.downscale(32), 1, 3, 48, 64); // AveragePool 2x2 alone
        check(Transforms.downscale(31), 1, 3, 47, 63); // odd sizes: the pool drops the last row and column
    }

    @Test
    void downscaleWithResize() {
        check(Transforms.downscale(40), 1, 3, 61, 90); // AveragePool 2x2 to 30x45, then linear Resize to 27x40
    }
}
