package org.scrim.engine.autodiff;

import static org.scrim.engine.onnx.Attr.i;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.GoldenTestCases;
import org.scrim.engine.models.TaeGraphs;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.runtime.cpu.RuntimeOptions;
import org.scrim.engine.tensor.Tensor;

/**
 * The differentiated TAEF2 encoder reproduces PyTorch's input gradient for the golden cotangent.
 *
 * <p>The reference agrees with PyTorch in float64 (4.6e-5 max abs error on astronaut_256) but not with PyTorch in
 * float32 on this machine (0.20 max abs error at 466 pixels, 1.2e-3 of the max): through 14 layers of ReLUs, float32
 * rounding flips the sign of some near-zero pre-activations and with it a few gradient paths. ONNX Runtime has no
 * float64 Conv, so a float32 engine is held to: every element within 5e-3 of the max abs value (starry_night reaches 2.9e-3), 99.8% of elements
 * within 1e-4 of it, and the mean error within 1e-5 of it. A wrong rule anywhere breaks all three by far.
 */
class TaeGradientGoldenTest {
    static List<String> cases() throws IOException {
        return GoldenTestCases.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inputGradientMatchesReference(String name) throws IOException {
        Tensor input = GoldenTestCases.array(name, "input");
        Tensor cotangent = GoldenTestCases.array(name, "cotangent");
        GraphBuilder g = new GraphBuilder(TaeGraphs.encoder(
                StateDict.read(GoldenTestCases.model("taef2_encoder.pth"))));
        String r = g.input("cotangent", cotangent.shape());
        String loss = g.op("ReduceSum", new String[] {g.op("Mul", new String[] {TaeGraphs.LATENT, r})},
                i("keepdims", 0));
        var model = Differentiator.gradient(g.graph(), loss, List.of(TaeGraphs.IMAGE),
                Map.of(TaeGraphs.IMAGE, input.shape(), "cotangent", cotangent.shape()));
        try (OrtModel ort = new OrtModel(model, new RuntimeOptions(2))) {
            Tensor grad = ort.run(Map.of(TaeGraphs.IMAGE, input, "cotangent", cotangent))
                    .get(Differentiator.gradName(TaeGraphs.IMAGE));
            assertCloseToReference(GoldenTestCases.array(name, "grad"), grad, name);
        }
    }

    private static void assertCloseToReference(Tensor expected, Tensor actual, String name) {
        float max = expected.maxAbs();
        float[] e = expected.data();
        float[] a = actual.data();
        double worst = 0;
        double sum = 0;
        int outside = 0;
        for (int k = 0; k < e.length; k++) {
            double d = Math.abs(e[k] - a[k]);
            worst = Math.max(worst, d);
            sum += d;
            outside += d > 1e-4 * max ? 1 : 0;
        }
        double mean = sum / e.length;
        String figures = String.format("%s: max error %.3g (%.2g of max abs %.4g), mean %.3g, %d of %d elements "
                + "beyond 1e-4 of max", name, worst, worst / max, max, mean, outside, e.length);
        System.out.println(figures);
        if (worst > 5e-3 * max || outside > 0.002 * e.length || mean > 1e-5 * max) {
            throw new AssertionError(figures);
        }
    }
}
