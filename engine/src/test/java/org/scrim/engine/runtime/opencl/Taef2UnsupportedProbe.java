package org.scrim.engine.runtime.opencl;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.scrim.engine.tensor.Tensor;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.protect.ImageTransform;
import org.scrim.engine.protect.Transforms;

/**
 * By hand (-Dscrim.taef2.probe=true): prints what OpenClModel cannot run in the real TAEF2 graphs behind
 * Transforms.jpeg(75) and Transforms.downscale(longSide/2) (lowering only), and at 64 px runs both graphs on the
 * OpenCL device against ONNX Runtime. Not part of the suite: TAEF2 at 512 px is slow on PoCL.
 */
class Taef2UnsupportedProbe {
    static final Path TAEF2 = Path.of("/work/shared/models/taef2_encoder.pth");

    @Test
    void printUnsupported() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("scrim.taef2.probe") && Files.exists(TAEF2));
        SurrogateEncoder e = SurrogateEncoder.tae("taef2", StateDict.read(TAEF2));
        BiFunction<GraphBuilder, String, String> enc = (g, x) -> g.inline(e.graph(), Map.of(e.input(), x), "e_")
                .get(e.output());
        for (long[] image : new long[][] {{1, 3, 512, 512}, {1, 3, 375, 500}, {1, 3, 64, 64}}) {
            int longSide = (int) Math.max(image[2], image[3]);
            for (ImageTransform t : new ImageTransform[] {Transforms.jpeg(75), Transforms.downscale(longSide / 2)}) {
                ModelProto fwd = TransformGraphs.forward("fwd", t, image, enc);
                long[] latent = org.scrim.engine.autodiff.ShapeInference.analyze(fwd.getGraph(), Map.of())
                        .shape(fwd.getGraph().getOutput(0).getName());
                ModelProto grad = TransformGraphs.lossAndGradient("grad", t, image, latent, enc);
                String at = t.describe() + " " + java.util.Arrays.toString(image);
                System.out.println("PROBE " + at + " forward unsupported: " + OpenClModel.unsupported(fwd)
                        + " ops " + ops(fwd));
                System.out.println("PROBE " + at + " gradient unsupported: " + OpenClModel.unsupported(grad)
                        + " ops " + ops(grad));
                if (image[2] <= 64 && OpenClModel.unsupported(grad).isEmpty()) { // small: also run it, vs ONNX Runtime
                    Random rnd = new Random(3);
                    Map<String, Tensor> feeds = new LinkedHashMap<>();
                    Tensor x = OpenClTesting.random(rnd, image);
                    for (int i = 0; i < x.data().length; i++) {
                        x.data()[i] = 0.5f + 0.4f * x.data()[i]; // an image in [0,1], as protection feeds
                    }
                    feeds.put("x", x);
                    OpenClTesting.assertMatchesOrt(fwd, feeds);
                    feeds.put("target", OpenClTesting.random(rnd, latent));
                    feeds.put("weight", new Tensor(new float[] {0.5f}));
                    OpenClTesting.assertMatchesOrt(grad, feeds);
                    System.out.println("PROBE " + at + " forward and gradient match ONNX Runtime on OpenCL");
                }
            }
        }
    }

    static Map<String, Integer> ops(ModelProto m) {
        Map<String, Integer> c = new TreeMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            c.merge(n.getOpType(), 1, Integer::sum);
        }
        return c;
    }
}
