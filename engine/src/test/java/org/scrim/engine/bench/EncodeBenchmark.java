package org.scrim.engine.bench;

import java.util.Random;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;
import org.scrim.engine.runtime.cpu.OrtRuntime;

/**
 * Forward-only encode time of the TAEF2 encoder on ONNX Runtime. Run with {@code bench/run-taef2.sh encode}, which prints
 * PyTorch's figure for the same sizes and threads beside it.
 * Arguments: threads, then sizes (pixels per side).
 */
public final class EncodeBenchmark {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 1024};
        StateDict enc = StateDict.read(SharedData.path("models/taef2_encoder.pth"));
        try (TaeCodec codec = new TaeCodec(enc, null, new OrtRuntime(threads))) {
            for (int size : sizes) {
                Tensor x = random(size);
                bestOf("encode", size, threads, () -> codec.encode(x));
            }
        }
    }

    /**
     * Runs {@code work} once to warm up, then prints the best of a few timed runs, as the PyTorch script does; at
     * 2048 pixels, a single run.
     */
    static void bestOf(String label, int size, int threads, Runnable work) {
        bestOf("scrim-ort", label, size, threads, work);
    }

    /** As above, naming the runtime in the first column ("scrim-ort", "scrim-opencl[0]", ...). */
    static void bestOf(String runtime, String label, int size, int threads, Runnable work) {
        // a 2048x2048 step takes minutes on a CPU: one timed run, whose start-up cost is lost in it
        int reps = size >= 2048 ? 1 : size >= 1024 ? 3 : 5;
        if (reps > 1) {
            work.run();
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("%-10s %-6s %dx%d threads=%d: %.3f s (best of %d)%n", runtime, label, size, size, threads,
                best / 1e9, reps);
    }

    static Tensor random(int size) {
        Random rnd = new Random(0);
        float[] d = new float[3 * size * size];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextFloat();
        }
        return new Tensor(d, 1, 3, size, size);
    }
}
