package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * The projection's visibility graph measures x against clip(x + s*d) as Quality.visibility measures the two images
 * (ONNX Runtime on the host), on a shared photo and a perturbation toward a decoy at the perceptual bound, at scales
 * below, at and above 1 (where clipping to [0,1] acts): on ONNX Runtime, and on the OpenCL device, whose kernels must
 * give ONNX Runtime's figure.
 */
class VisibilityGraphTest {
    private static void matchesQuality(RuntimeOptions options) {
        RgbImage x = TestImages.load("chelsea.png");
        float[] xs = x.data();
        float[] toward = Decoys.render(Decoy.PATTERN, x, 1).data();
        float[] b = PerceptualBudget.bound(x, Preset.DEFAULT.epsilon).data();
        int plane = b.length;
        float[] d = new float[xs.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.signum(toward[i] - xs[i]) * b[i % plane];
        }
        try (SessionGroup group = options.resolve().group();
                GraphSession visibility = group.open(VisibilityGraph.model(x.tensor().shape()))) {
            if (options.backend() != RuntimeOptions.defaults().backend()) {
                assertTrue(visibility.description().startsWith("OpenCL"), "runs on the device: "
                        + visibility.description());
            }
            group.put(StepGraph.IMAGE, x.tensor());
            group.put(StepGraph.PERTURBATION, new Tensor(d, x.tensor().shape()));
            for (float s : new float[] {0.5f, 1f, 2.5f}) {
                float[] scaled = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    scaled[i] = s * d[i];
                }
                double expected = Quality.visibility(x,
                        Protector.applyDelta(x, new Tensor(scaled, x.tensor().shape())));
                double got = visibility.run(Map.of(StepGraph.SCALE, new Tensor(new float[] {s})))
                        .get(VisibilityGraph.VISIBILITY).data()[0];
                assertTrue(expected > 0.005, "a visible change at scale " + s + ": " + expected);
                assertEquals(expected, got, 1e-4 * expected, "visibility at scale " + s);
            }
        }
    }

    @Test
    void measuresTheScaledChangeOnOnnxRuntime() {
        matchesQuality(new RuntimeOptions(1));
    }

    @Test
    void measuresTheScaledChangeOnTheOpenClDevice() {
        matchesQuality(StepGraphTest.opencl());
    }
}
