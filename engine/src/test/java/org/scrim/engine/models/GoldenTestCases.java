package org.scrim.engine.models;

import static org.scrim.engine.onnx.Attr.i;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.modelio.Npy;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/** The reference cases of {@code ../shared/golden}: upstream PyTorch outputs for fixed crops. */
public final class GoldenTestCases {
    private GoldenTestCases() {}

    public static List<String> names() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonElement c : JsonParser.parseString(Files.readString(SharedData.path("golden/index.json")))
                .getAsJsonObject().getAsJsonArray("cases")) {
            names.add(c.getAsJsonObject().get("case").getAsString());
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("golden/index.json lists no cases");
        }
        return names;
    }

    public static Tensor array(String name, String kind) throws IOException {
        return Npy.read(SharedData.path("golden/" + name + "." + kind + ".npy"));
    }

    public static Path model(String file) {
        return SharedData.path("models/" + file);
    }

    /** Fails unless {@code actual} matches {@code expected} to 1e-4 of the expected array's max abs value. */
    public static void assertClose(Tensor expected, Tensor actual, String what) {
        float tol = 1e-4f * expected.maxAbs();
        float err = expected.maxAbsDiff(actual);
        if (!(err <= tol)) {
            throw new AssertionError(what + ": max abs error " + err + " exceeds " + tol
                    + " (1e-4 of max abs " + expected.maxAbs() + ")");
        }
    }

    /**
     * The differentiated TAEF2 encoder of a gradient case: loss = sum(E(image) * cotangent), outputs the loss and
     * d(loss)/d(image) ({@code Differentiator.gradName(TaeGraphs.IMAGE)}); inputs image and "cotangent".
     */
    public static ModelProto gradientModel(String name) throws IOException {
        long[] input = array(name, "input").shape();
        long[] cotangent = array(name, "cotangent").shape();
        GraphBuilder g = new GraphBuilder(TaeGraphs.encoder(StateDict.read(model("taef2_encoder.pth"))));
        String r = g.input("cotangent", cotangent);
        String loss = g.op("ReduceSum", new String[] {g.op("Mul", TaeGraphs.LATENT, r)},
                i("keepdims", 0));
        return Differentiator.gradient(g.graph(), loss, List.of(TaeGraphs.IMAGE),
                Map.of(TaeGraphs.IMAGE, input, "cotangent", cotangent));
    }

    /**
     * Holds a float32 engine's input gradient to the float64 reference.
     *
     * <p>The reference agrees with PyTorch in float64 (4.6e-5 max abs error on astronaut_256) but not with PyTorch
     * in float32 on this machine (0.20 max abs error at 466 pixels, 1.2e-3 of the max): through 14 layers of ReLUs,
     * float32 rounding flips the sign of some near-zero pre-activations (below 6e-8) and with it a few gradient paths;
     * one flipped unit in a middle layer moves hundreds of input-gradient elements. Which units flip depends only on
     * the order of summation: ONNX Runtime leaves 215 of 196608 elements (0.11%) of astronaut beyond 1e-4 of the max,
     * the OpenCL kernels on PoCL 1229 of 184320 (0.67%) of starry_night, PyTorch float32 466 (0.24%) of astronaut.
     * ONNX Runtime has no float64 Conv, so a float32 engine is held to: every element within 5e-3 of the max abs
     * value (starry_night reaches 2.9e-3), 99% of elements within 1e-4 of it, and the mean error within 1e-5 of it. A
     * wrong rule or kernel anywhere breaks all three by far.
     */
    public static void assertGradientClose(Tensor expected, Tensor actual, String name) {
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
        if (worst > 5e-3 * max || outside > 0.01 * e.length || mean > 1e-5 * max) {
            throw new AssertionError(figures);
        }
    }
}
