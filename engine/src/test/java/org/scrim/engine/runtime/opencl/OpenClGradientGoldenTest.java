package org.scrim.engine.runtime.opencl;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.models.GoldenTestCases;
import org.scrim.engine.models.TaeGraphs;
import org.scrim.engine.tensor.Tensor;

/** The golden TAEF2 input gradients on the OpenCL backend, held to the same tolerance as ONNX Runtime. */
class OpenClGradientGoldenTest {
    static List<String> cases() throws IOException {
        return GoldenTestCases.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inputGradientMatchesReference(String name) throws IOException {
        try (OpenClModel cl = new OpenClModel(GoldenTestCases.gradientModel(name), OpenClTesting.device())) {
            Tensor grad = cl.run(Map.of(TaeGraphs.IMAGE, GoldenTestCases.array(name, "input"),
                    "cotangent", GoldenTestCases.array(name, "cotangent")))
                    .get(Differentiator.gradName(TaeGraphs.IMAGE));
            GoldenTestCases.assertGradientClose(GoldenTestCases.array(name, "grad"), grad, name + " on "
                    + cl.description());
        }
    }
}
