package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.autodiff.Differentiator;

/** Loss values against direct computation, and their gradients against the closed forms. */
class LossesTest {
    private static final float[] A = {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f};
    private static final float[] T = {1f, 0.5f, -1f, 0f, 2f, 0.25f};

    private static Map<String, Tensor> run(java.util.function.BiFunction<GraphBuilder, String[], String> loss) {
        GraphBuilder b = new GraphBuilder("loss");
        String a = b.input("a", 2, 3);
        String t = b.input("t", 2, 3);
        String l = loss.apply(b, new String[] {a, t});
        try (OrtModel m = new OrtModel(Differentiator.gradient(b.graph(), l, List.of("a"), Map.of()), 1)) {
            Map<String, Tensor> out = m.run(Map.of("a", new Tensor(A, 2, 3), "t", new Tensor(T, 2, 3)));
            out.put("loss", out.get(l));
            return out;
        }
    }

    @Test
    void squaredAndNegatedDistances() {
        double sum = 0;
        for (int i = 0; i < A.length; i++) {
            sum += (A[i] - T[i]) * (A[i] - T[i]);
        }
        Map<String, Tensor> s = run((b, v) -> Losses.squaredDistance(b, v[0], v[1], Losses.Reduction.SUM));
        Map<String, Tensor> m = run((b, v) -> Losses.squaredDistance(b, v[0], v[1], Losses.Reduction.MEAN));
        Map<String, Tensor> n = run((b, v) -> Losses.negatedDistance(b, v[0], v[1], Losses.Reduction.MEAN));
        assertEquals(sum, s.get("loss").data()[0], 1e-5);
        assertEquals(sum / A.length, m.get("loss").data()[0], 1e-5);
        assertEquals(-sum / A.length, n.get("loss").data()[0], 1e-5);
        for (int i = 0; i < A.length; i++) {
            assertEquals(2 * (A[i] - T[i]), s.get("grad_a").data()[i], 1e-5);
            assertEquals(2 * (A[i] - T[i]) / A.length, m.get("grad_a").data()[i], 1e-5);
            assertEquals(-2 * (A[i] - T[i]) / A.length, n.get("grad_a").data()[i], 1e-5);
        }
    }

    @Test
    void cosineSimilarity() {
        double dot = 0;
        double na = 0;
        double nt = 0;
        for (int i = 0; i < A.length; i++) {
            dot += A[i] * T[i];
            na += A[i] * A[i];
            nt += T[i] * T[i];
        }
        Map<String, Tensor> out = run((b, v) -> Losses.cosineSimilarity(b, v[0], v[1], 0f));
        double cos = dot / Math.sqrt(na * nt);
        assertEquals(cos, out.get("loss").data()[0], 1e-5);
        for (int i = 0; i < A.length; i++) { // d cos / d a = t / (|a||t|) - cos a / |a|^2
            assertEquals(T[i] / Math.sqrt(na * nt) - cos * A[i] / na, out.get("grad_a").data()[i], 1e-5);
        }
    }

    /** Two "encoders" of one input, inlined into one graph, joined by a weighted sum: an ensemble loss. */
    @Test
    void weightedSumOfInlinedEncoders() {
        GraphBuilder enc = new GraphBuilder("enc");
        String x = enc.input("x", 2, 3);
        enc.output(enc.op("Mul", x, enc.scalar("k", 3f)));
        Map<String, Tensor> out = run((b, v) -> {
            String e1 = enc.graph().getOutput(0).getName();
            String y1 = b.inline(enc.graph(), Map.of("x", v[0]), "e1_").get(e1);
            String y2 = b.inline(enc.graph(), Map.of("x", v[0]), "e2_").get(e1);
            return Losses.weightedSum(b, List.of(Losses.squaredDistance(b, y1, v[1], Losses.Reduction.SUM),
                    Losses.cosineSimilarity(b, y2, v[1], 0f)), new float[] {0.5f, 2f});
        });
        double sq = 0;
        for (int i = 0; i < A.length; i++) {
            sq += (3 * A[i] - T[i]) * (3 * A[i] - T[i]);
        }
        Map<String, Tensor> cos = run((b, v) -> Losses.cosineSimilarity(b, v[0], v[1], 0f));
        assertEquals(0.5 * sq + 2 * cos.get("loss").data()[0], out.get("loss").data()[0], 1e-4);
        for (int i = 0; i < A.length; i++) { // cosine is scale invariant: d/da cos(3a, t) = d/da cos(a, t)
            double expected = 0.5 * 2 * (3 * A[i] - T[i]) * 3 + 2 * cos.get("grad_a").data()[i];
            assertEquals(expected, out.get("grad_a").data()[i], 1e-4);
        }
    }
}
