package org.scrim.engine.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.runtime.opencl.OpenClDevice;
import org.scrim.engine.runtime.opencl.OpenClDevices;
import org.scrim.engine.runtime.opencl.OpenClRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * Whole protection steps (loss and gradient, Adam and its projections, the visibility bisection: up to 7
 * evaluations) on every backend: ONNX Runtime on the CPU, then each OpenCL device found. Times the steps of a short
 * protection of astronaut.png at SIZE (decoy given, so no probe) between progress reports, leaving out the first,
 * which includes loading the graphs. Steps alternate between the plain image and a trainer manipulation (the same
 * ones for a seed), so they are listed in order. Uses only the public API, so it also measures older builds.
 * Run with {@code bench/run-protect-step.sh THREADS [SIZE] [STEPS]}.
 */
public final class ProtectStepBenchmark {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<SurrogateEncoder> encoders = List.of(SurrogateEncoder.tae("taef2",
                StateDict.read(SharedData.path("models/taef2_encoder.pth"))));
        RgbImage image = Transforms.downscale(ImageFiles.read(SharedData.path("images/astronaut.png")).toRgb(),
                size);
        List<String> runtimes = new ArrayList<>(List.of("scrim-ort"));
        OrtRuntime host = new OrtRuntime(threads);
        List<ComputeRuntime> backends = new ArrayList<>(List.of(host));
        for (OpenClDevice d : OpenClDevices.list()) {
            System.out.println("opencl[" + d.index() + "] = " + d);
            runtimes.add("scrim-opencl[" + d.index() + "]");
            backends.add(new OpenClRuntime(d, 0, host));
        }
        ProtectRequest request = new ProtectRequest(Mode.MASK, Preset.DEFAULT, null, Decoy.PATTERN, null, List.of(),
                1, size, steps);
        for (int r = 0; r < runtimes.size(); r++) {
            long[] at = new long[steps + 1];
            new Protector(encoders, backends.get(r)).protect(image, request, new ProgressListener() {
                @Override
                public void step(int done, int total) {
                    at[done] = System.nanoTime();
                }
            });
            double[] seconds = new double[steps - 1];
            for (int s = 2; s <= steps; s++) {
                seconds[s - 2] = (at[s] - at[s - 1]) / 1e9;
            }
            System.out.printf("%-16s protect-step %dx%d threads=%d: best %.3f s, steps 2-%d: %s%n", runtimes.get(r),
                    image.width(), image.height(), threads, Arrays.stream(seconds).min().orElse(0), steps,
                    Arrays.toString(Arrays.stream(seconds).map(t -> Math.round(t * 1000) / 1000.0).toArray()));
        }
    }
}
