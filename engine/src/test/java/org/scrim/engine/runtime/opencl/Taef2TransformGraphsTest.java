package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.ShapeInference;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.protect.ImageTransform;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * The real TAEF2 graphs behind the robust protection steps (JPEG 75 and a 0.5x downscale, forward and loss+gradient)
 * need no op the OpenCL backend lacks, at the working size and at an odd one, and at 64 px they match ONNX Runtime
 * on the device (larger sizes are slow on PoCL).
 */
class Taef2TransformGraphsTest {
    @Test
    void robustStepGraphsRunWhollyOnOpenClAndMatchOnnxRuntime() throws Exception {
        SurrogateEncoder e = SurrogateEncoder.tae("taef2", StateDict.read(SharedData.path("models/taef2_encoder.pth")));
        BiFunction<GraphBuilder, String, String> encoder = (g, x) -> g.inline(e.graph(), Map.of(e.input(), x), "e_")
                .get(e.output());
        for (long[] image : new long[][] {{1, 3, 512, 512}, {1, 3, 375, 500}, {1, 3, 64, 64}}) {
            int longSide = (int) Math.max(image[2], image[3]);
            for (ImageTransform t : new ImageTransform[] {Transforms.jpeg(75), Transforms.downscale(longSide / 2)}) {
                ModelProto forward = TransformGraphs.forward("forward", t, image, encoder);
                long[] latent = ShapeInference.analyze(forward.getGraph(), Map.of())
                        .shape(forward.getGraph().getOutput(0).getName());
                ModelProto gradient = TransformGraphs.lossAndGradient("gradient", t, image, latent, encoder);
                String at = t.describe() + " at " + image[3] + "x" + image[2];
                assertEquals(List.of(), OpenClModel.unsupported(forward), at + ", forward");
                assertEquals(List.of(), OpenClModel.unsupported(gradient), at + ", loss+gradient");
                if (image[2] <= 64) {
                    Random rnd = new Random(3);
                    Tensor x = OpenClTesting.random(rnd, image);
                    for (int i = 0; i < x.data().length; i++) {
                        x.data()[i] = 0.5f + 0.4f * x.data()[i]; // an image in [0,1], as protection feeds
                    }
                    Map<String, Tensor> feeds = new LinkedHashMap<>();
                    feeds.put("x", x);
                    OpenClTesting.assertMatchesOrt(forward, feeds);
                    feeds.put("target", OpenClTesting.random(rnd, latent));
                    feeds.put("weight", new Tensor(new float[] {0.5f}));
                    OpenClTesting.assertMatchesOrt(gradient, feeds);
                }
            }
        }
    }
}
