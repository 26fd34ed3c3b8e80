package org.scrim.engine.runtime.opencl;

import java.util.List;
import java.util.Map;
import java.util.Random;
import ai.onnx.proto.OnnxMl.ModelProto;
import org.scrim.engine.models.GoldenTestCases;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.Tensor;

/** Helpers of the OpenCL tests: the device under test, and a graph run on it and on ONNX Runtime side by side. */
final class OpenClTesting {
    private OpenClTesting() {}

    /**
     * The device the tests run on (-Dscrim.opencl.device=INDEX|NAME, default the first GPU, else the first device).
     * Without any OpenCL runtime this fails, naming what to install: the tests never pass silently.
     */
    static OpenClDevice device() {
        return OpenClDevices.select(System.getProperty("scrim.opencl.device"));
    }

    static Tensor random(Random rnd, long... shape) {
        float[] d = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextFloat() * 2 - 1;
        }
        return new Tensor(d, shape);
    }

    /** Runs {@code model} on ONNX Runtime and on OpenCL; every output must agree to 1e-4 of its max abs value. */
    static void assertMatchesOrt(ModelProto model, Map<String, Tensor> inputs) {
        try (OrtModel ort = new OrtModel(model, 1);
                OpenClModel cl = new OpenClModel(model, device())) {
            Map<String, Tensor> expected = ort.run(inputs);
            Map<String, Tensor> actual = cl.run(inputs);
            for (String name : List.copyOf(expected.keySet())) {
                GoldenTestCases.assertClose(expected.get(name), actual.get(name), model.getGraph().getName() + "/"
                        + name);
            }
        }
    }
}
