package org.scrim.engine.bench;

import java.util.List;
import java.util.Map;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.runtime.opencl.OpenClDevice;
import org.scrim.engine.runtime.opencl.OpenClDevices;
import org.scrim.engine.runtime.opencl.OpenClModel;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * The loss+gradient step of {@link StepBenchmark} on every backend: ONNX Runtime on the CPU, then each OpenCL device
 * found (GPUs and CPU runtimes such as PoCL). Run with {@code bench/run-backends.sh THREADS SIZE...}.
 * Arguments: threads (for ONNX Runtime), then sizes (pixels per side; default 512 1024 2048).
 */
public final class OpenClStepBenchmark {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 1024, 2048};
        StateDict enc = StateDict.read(SharedData.path("models/taef2_encoder.pth"));
        List<OpenClDevice> devices = OpenClDevices.list();
        devices.forEach(d -> System.out.println("opencl[" + d.index() + "] = " + d));
        for (int size : sizes) {
            var model = StepBenchmark.model(enc, size);
            Map<String, Tensor> feeds = StepBenchmark.feeds(size);
            try (OrtModel ort = new OrtModel(model, threads)) {
                EncodeBenchmark.bestOf("scrim-ort", "step", size, threads, () -> ort.run(feeds));
            }
            for (OpenClDevice d : devices) {
                try (OpenClModel cl = new OpenClModel(model, d)) {
                    EncodeBenchmark.bestOf("scrim-opencl[" + d.index() + "]", "step", size, threads,
                            () -> cl.run(feeds));
                }
            }
        }
    }
}
