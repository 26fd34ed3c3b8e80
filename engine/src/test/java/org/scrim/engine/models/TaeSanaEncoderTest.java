package org.scrim.engine.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * TAESana (the f32 TAE encoder, strided from its first conv) from the real weights: found by its known name, 32x
 * downsampling, a stage output per downsampling stage, and an input gradient that agrees with finite differences.
 * (Its forward pass was checked once against upstream taesd.py's F32Encoder in PyTorch: max abs difference 3.5e-6
 * on latents up to 2.2; PyTorch is not a test dependency.)
 */
class TaeSanaEncoderTest {
    @TempDir
    Path cache;

    private StateDict weights() throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), cache, false);
        return store.encoderWeights(ModelStore.TAESANA.name());
    }

    @Test
    void knownByNameWithoutADecoderAndDownsamplesBy32() throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), cache, false);
        assertEquals(null, store.decoderWeights("taesana"));
        assertEquals(List.of("taef2", "taesana"), ModelStore.DEFAULT_ENCODERS);
        SurrogateEncoder e = store.surrogate("taesana");
        assertEquals("taesana", e.name());
        assertEquals(List.of("stage1", "stage2", "stage3"), e.features());
        try (TaeCodec codec = new TaeCodec(weights(), null, new OrtRuntime(2))) {
            assertArrayEquals(new long[] {1, 32, 2, 3}, codec.encode(random(64, 96, 1)).shape());
            // each of the five strided convs rounds up: 70 -> 35 -> 18 -> 9 -> 5 -> 3
            assertArrayEquals(new long[] {1, 32, 3, 4}, codec.encode(random(70, 100, 2)).shape());
        }
    }

    @Test
    void inputGradientMatchesFiniteDifferences() throws IOException {
        long[] shape = {1, 3, 64, 64};
        GraphBuilder g = new GraphBuilder("taesana_probe");
        String x = g.input(TaeGraphs.IMAGE, shape);
        String r = g.input("cotangent", 1, 32, 2, 2);
        String z = g.inline(TaeGraphs.encoder(weights()), Map.of(TaeGraphs.IMAGE, x), "e_").get(TaeGraphs.LATENT);
        g.output(g.op("ReduceSum", new String[] {g.op("Mul", new String[] {z, r})},
                Attr.i("keepdims", 0)), "loss");
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put(TaeGraphs.IMAGE, shape);
        shapes.put("cotangent", new long[] {1, 32, 2, 2});
        Tensor image = random(64, 64, 3);
        Random rnd = new Random(7);
        float[] r0 = new float[32 * 2 * 2];
        for (int i = 0; i < r0.length; i++) {
            r0[i] = (float) rnd.nextGaussian();
        }
        Tensor cotangent = new Tensor(r0, 1, 32, 2, 2);
        try (GraphSession grad = new OrtRuntime(2).open(Differentiator.gradient(g.graph(), "loss",
                List.of(TaeGraphs.IMAGE), shapes))) {
            float[] analytic = grad.run(Map.of(TaeGraphs.IMAGE, image, "cotangent", cotangent))
                    .get(Differentiator.gradName(TaeGraphs.IMAGE)).data();
            // per pixel, at the pixels the loss depends on most: the encoder is piecewise linear with many ReLU
            // kinks, so a step along a dense direction crosses kinks and only converges in double precision
            Integer[] order = new Integer[analytic.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(analytic[b]), Math.abs(analytic[a])));
            for (int k = 0; k < 8; k++) {
                int i = order[k];
                double h = 3e-3;
                double numeric = (loss(grad, image, i, h, cotangent) - loss(grad, image, i, -h, cotangent)) / (2 * h);
                assertTrue(Math.abs(numeric - analytic[i]) <= 0.1 * Math.abs(analytic[i]),
                        "pixel " + i + ": finite difference " + numeric + ", gradient " + analytic[i]);
            }
        }
    }

    private static double loss(GraphSession grad, Tensor image, int pixel, double h, Tensor cotangent) {
        float[] moved = image.data().clone();
        moved[pixel] += (float) h;
        return grad.run(Map.of(TaeGraphs.IMAGE, new Tensor(moved, image.shape()), "cotangent", cotangent))
                .get("loss").data()[0];
    }

    /** Smooth random image in [0,1]: low-frequency sines, so it looks like a picture rather than noise. */
    private static Tensor random(int h, int w, long seed) {
        Random r = new Random(seed);
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            double fy = 0.05 + 0.2 * r.nextDouble();
            double fx = 0.05 + 0.2 * r.nextDouble();
            double phase = 6 * r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = (float) (0.5 + 0.4 * Math.sin(fy * y + phase) * Math.cos(fx * x)
                            + 0.05 * r.nextGaussian());
                }
            }
        }
        return new Tensor(d, 1, 3, h, w);
    }
}
