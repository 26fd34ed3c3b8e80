package org.scrim.engine.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import java.util.Map;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.protect.Losses;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.TaeGraphs;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * One loss+gradient step of the TAEF2 encoder (loss = |E(x) - t|^2, gradient w.r.t. x) on ONNX Runtime, the step
 * every protection repeats. {@code bench/run-taef2.sh step} prints PyTorch's time for the same step beside it.
 * Arguments: threads, then sizes.
 */
public final class StepBenchmark {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray()
                : new int[] {512, 1024};
        StateDict enc = StateDict.read(SharedData.path("models/taef2_encoder.pth"));
        for (int size : sizes) {
            try (OrtModel ort = new OrtModel(model(enc, size), threads)) {
                Map<String, Tensor> feeds = feeds(size);
                EncodeBenchmark.bestOf("step", size, threads, () -> ort.run(feeds));
            }
        }
    }

    /** The loss+gradient graph at {@code size} pixels per side. */
    static ModelProto model(StateDict enc, int size) {
        GraphBuilder g = new GraphBuilder(TaeGraphs.encoder(enc));
        String target = g.input("target", latent(size));
        String loss = Losses.squaredDistance(g, TaeGraphs.LATENT, target, Losses.Reduction.SUM);
        return Differentiator.gradient(g.graph(), loss, List.of(TaeGraphs.IMAGE),
                Map.of(TaeGraphs.IMAGE, new long[] {1, 3, size, size}, "target", latent(size)));
    }

    static Map<String, Tensor> feeds(int size) {
        return Map.of(TaeGraphs.IMAGE, EncodeBenchmark.random(size), "target", Tensor.zeros(latent(size)));
    }

    private static long[] latent(int size) {
        return new long[] {1, 32, size / 8, size / 8};
    }
}
