package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.autodiff.EarlyMasksTest;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.GraphStages;
import org.scrim.engine.runtime.cpu.OrtEnvironments;

/**
 * The forward stage of a protection step has ONNX Runtime make each Relu mask right after its Relu ({@link
 * org.scrim.engine.autodiff.EarlyMasks}), so the Relu outputs are freed during the forward and the masks, not the
 * outputs, are handed to the backward: profiled on a stack of convolutions, run as the engine's sessions run (all
 * optimisations, no arena).
 */
class StepGraphMaskOrderTest {
    private static final long[] SHAPE = {1, 3, 24, 24};
    private static final int LAYERS = 4;

    /** The ops ONNX Runtime ran for {@code model}, in order. */
    private static List<String> run(ModelProto model, Path dir) throws Exception {
        OrtEnvironment env = OrtEnvironments.get();
        Random rnd = new Random(11);
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
            so.enableProfiling(dir.resolve("profile").toString());
            try (OrtSession session = env.createSession(model.toByteArray(), so)) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                for (ValueInfoProto in : model.getGraph().getInputList()) {
                    long[] shape = in.getType().getTensorType().getShape().getDimList().stream()
                            .mapToLong(d -> d.getDimValue()).toArray();
                    int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = in.getName().equals(StepGraph.PERTURBATION) ? 0.02f * (rnd.nextFloat() - 0.5f)
                                : rnd.nextFloat() * 0.5f + 0.25f;
                    }
                    feeds.put(in.getName(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
                }
                try (OrtSession.Result r = session.run(feeds)) {
                    return opsInOrder(Path.of(session.endProfiling()));
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private static List<String> opsInOrder(Path profile) throws Exception {
        List<JsonObject> nodes = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(profile)).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("cat").getAsString().equals("Node") && o.getAsJsonObject("args").has("op_name")) {
                nodes.add(o);
            }
        }
        nodes.sort(Comparator.comparingLong(o -> o.get("ts").getAsLong()));
        return nodes.stream().map(o -> o.getAsJsonObject("args").get("op_name").getAsString()).toList();
    }

    /**
     * How many masks (Greater) ONNX Runtime makes before the forward's last Conv (the LAYERS-th; the backward's come
     * after it): the masks of all the layers before the last one, when each is made as soon as it can be.
     */
    private static long masksBeforeLastForwardConv(List<String> ops) {
        int convs = 0;
        for (int i = 0; i < ops.size(); i++) {
            // Conv+Relu run as one Conv (NCHWc layout, on x86 with AVX2) or as FusedConv (elsewhere)
            if ((ops.get(i).equals("Conv") || ops.get(i).equals("FusedConv")) && ++convs == LAYERS) {
                return ops.subList(0, i).stream().filter("Greater"::equals).count();
            }
        }
        throw new AssertionError("the profile shows " + LAYERS + " convolutions: " + ops);
    }

    /** The forward stage of a protection step around the conv stack, marked as the attack model marks it. */
    private static ModelProto forwardStage(boolean ordered) {
        GraphBuilder gradient = new GraphBuilder(EarlyMasksTest.gradientOfConvStack(SHAPE, LAYERS).getGraph());
        if (ordered) {
            AttackModel.stage(gradient, 0, 0, "loss", Differentiator.gradName("x"));
        } else {
            GraphStages.end(gradient, 0, "loss");
            GraphStages.end(gradient, 1, Differentiator.gradName("x"));
        }
        ModelProto step = StepGraph.model(gradient.graph(), "x", SHAPE, name -> "resident/" + name, false);
        return GraphStages.split(step).get(0);
    }

    @Test
    void masksAreMadeDuringTheForward(@TempDir Path dir) throws Exception {
        List<String> ordered = run(forwardStage(true), Files.createDirectory(dir.resolve("ordered")));
        assertEquals(LAYERS - 1, masksBeforeLastForwardConv(ordered), "each mask follows its Relu: " + ordered);
        // without the order, the masks are left to the backward, which is handed the Relu outputs instead
        List<String> plain = run(forwardStage(false), Files.createDirectory(dir.resolve("plain")));
        assertEquals(0, plain.stream().filter("Greater"::equals).count(), "masks: " + plain);
    }
}
