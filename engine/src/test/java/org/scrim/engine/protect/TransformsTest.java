package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

class TransformsTest {
    /** The ops the engine's autodiff differentiates: transforms may use nothing else. */
    private static final Set<String> DIFFERENTIABLE = Set.of("Conv", "ConvTranspose", "Relu", "Sigmoid", "Tanh",
            "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Clip", "MatMul", "Reshape",
            "Transpose", "Concat", "Slice", "Pad", "ReduceMean", "ReduceSum", "Resize", "AveragePool", "Identity");
    private static final RgbImage ASTRONAUT = TestImages.load("astronaut.png");
    private static final RgbImage CHELSEA = TestImages.load("chelsea.png");

    /** Builds x -> transform(x), checks its ops and output shape, runs it on ONNX Runtime. */
    static Tensor run(ImageTransform t, RgbImage image, Map<String, Tensor> extraInputs) {
        long[] shape = image.tensor().shape();
        GraphBuilder g = new GraphBuilder(t.describe());
        String x = g.input("x", shape);
        g.output(t.apply(g, x, shape));
        ModelProto model = g.build();
        for (NodeProto n : model.getGraph().getNodeList()) {
            assertTrue(DIFFERENTIABLE.contains(n.getOpType()), t.describe() + " uses op " + n.getOpType());
        }
        Map<String, Tensor> feeds = new HashMap<>(extraInputs);
        feeds.put("x", image.tensor());
        try (OrtModel m = new OrtModel(model, 2)) {
            Tensor out = m.run(feeds).values().iterator().next();
            assertArrayEquals(t.outputShape(shape), out.shape(), t.describe() + " output shape");
            return out;
        }
    }

    static Tensor run(ImageTransform t, RgbImage image) {
        return run(t, image, Map.of());
    }

    static RgbImage runImage(ImageTransform t, RgbImage image) {
        return RgbImage.of(run(t, image), t.describe());
    }

    /** On clean images and on +-4/255 sign noise (a stand-in perturbation), at three qualities. */
    @Test
    void jpegApproximationIsFarCloserToRealJpegThanTheInput() {
        RgbImage coffee = TestImages.load("coffee.png");
        RgbImage noisy = TestImages.perturb(ASTRONAUT, TestImages.signs(ASTRONAUT.data().length, 4), 4 / 255f);
        String[] names = {"astronaut", "chelsea", "coffee", "astronaut+noise"};
        RgbImage[] images = {ASTRONAUT, CHELSEA, coffee, noisy};
        for (int i = 0; i < images.length; i++) {
            for (int q : new int[] {50, 75, 90}) {
                RgbImage real = Transforms.jpegRoundTrip(images[i], q);
                double before = Quality.psnr(images[i], real);
                double after = Quality.psnr(runImage(Transforms.jpeg(q), images[i]), real);
                System.out.printf("jpeg q=%d %-15s PSNR to real JPEG: input %.2f dB, approximation %.2f dB (+%.2f)%n",
                        q, names[i], before, after, after - before);
                assertTrue(after > before + 3, names[i] + " q=" + q + ": approximation gains only "
                        + (after - before) + " dB");
            }
        }
    }

    @Test
    void downscaleGraphMatchesAreaAveraging() {
        for (int side : new int[] {256, 384, 200}) {
            RgbImage real = Transforms.downscale(ASTRONAUT, side);
            RgbImage graph = runImage(Transforms.downscale(side), ASTRONAUT);
            double psnr = Quality.psnr(graph, real);
            System.out.printf("downscale 512 -> %d: graph vs java.awt area averaging PSNR %.2f dB%n", side, psnr);
            assertTrue(psnr > 35, "downscale to " + side + ": PSNR " + psnr);
        }
        assertArrayEquals(new long[] {1, 3, 300, 451}, run(Transforms.downscale(512), CHELSEA).shape());
        RgbImage small = Transforms.downscale(CHELSEA, 200);
        assertEquals(List.of(200, 133), List.of(small.width(), small.height()));
    }

    @Test
    void blurGraphEqualsJavaBlur() {
        for (double sigma : new double[] {0.8, 2.0}) {
            float diff = run(Transforms.blur(sigma), CHELSEA).maxAbsDiff(Transforms.blur(CHELSEA, sigma).tensor());
            assertTrue(diff < 1e-5, "blur sigma " + sigma + " differs by " + diff);
        }
    }

    @Test
    void noiseGraphsAddTheNoise() {
        float diff = run(Transforms.fixedNoise(0.05, 9), CHELSEA)
                .maxAbsDiff(Transforms.gaussianNoise(CHELSEA, 0.05, 9).tensor());
        assertTrue(diff < 1e-6, "fixed noise differs by " + diff);
        Tensor noise = Transforms.noiseField(CHELSEA.tensor().shape(), 0.1, 3);
        Tensor fed = run(Transforms.noiseInput("eot_noise"), CHELSEA, Map.of("eot_noise", noise));
        assertEquals(CHELSEA.data()[1000] + noise.data()[1000], fed.data()[1000], 1e-6);
    }

    @Test
    void shiftAndCropMoveThePixels() {
        int h = CHELSEA.height();
        int w = CHELSEA.width();
        Tensor shifted = run(Transforms.shift(3, -2), CHELSEA);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sy = Math.min(h - 1, Math.max(0, y - 3));
                    int sx = Math.min(w - 1, Math.max(0, x + 2));
                    assertEquals(CHELSEA.data()[(c * h + sy) * w + sx], shifted.data()[(c * h + y) * w + x],
                            "shift at " + c + "," + y + "," + x);
                }
            }
        }
        Tensor crop = run(Transforms.crop(10, 20, 64, 32), CHELSEA);
        assertEquals(CHELSEA.data()[(2 * h + 10 + 5) * w + 20 + 7], crop.data()[(2 * 64 + 5) * 32 + 7]);
        assertThrows(IllegalArgumentException.class, () -> run(Transforms.crop(290, 0, 64, 32), CHELSEA));
    }

    @Test
    void chainComposesShapesAndOps() {
        ImageTransform t = Transforms.chain(Transforms.shift(1, 1), Transforms.downscale(256), Transforms.jpeg(80));
        Tensor out = run(t, ASTRONAUT);
        assertArrayEquals(new long[] {1, 3, 256, 256}, out.shape());
        assertEquals("shift(1,1) > downscale(256) > jpeg(q=80)", t.describe());
    }
}
