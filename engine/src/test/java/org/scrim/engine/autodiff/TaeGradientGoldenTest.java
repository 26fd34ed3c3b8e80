package org.scrim.engine.autodiff;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scrim.engine.models.GoldenTestCases;
import org.scrim.engine.models.TaeGraphs;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.Tensor;

/**
 * The differentiated TAEF2 encoder reproduces PyTorch's input gradient for the golden cotangent, to the float32
 * tolerance {@link GoldenTestCases#assertGradientClose} explains.
 */
class TaeGradientGoldenTest {
    static List<String> cases() throws IOException {
        return GoldenTestCases.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inputGradientMatchesReference(String name) throws IOException {
        try (OrtModel ort = new OrtModel(GoldenTestCases.gradientModel(name), 2)) {
            Tensor grad = ort.run(Map.of(TaeGraphs.IMAGE, GoldenTestCases.array(name, "input"),
                    "cotangent", GoldenTestCases.array(name, "cotangent")))
                    .get(Differentiator.gradName(TaeGraphs.IMAGE));
            GoldenTestCases.assertGradientClose(GoldenTestCases.array(name, "grad"), grad, name);
        }
    }
}
