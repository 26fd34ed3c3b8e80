package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.autodiff.EarlyMasksTest;
import org.scrim.engine.onnx.GraphBuilder;

/**
 * The step graph has ONNX Runtime make each Relu mask right after its Relu ({@link
 * org.scrim.engine.autodiff.EarlyMasks}), so the Relu outputs are freed during the forward, with the same results:
 * profiled on a stack of convolutions, run as the engine's sessions run (all optimisations, no arena).
 */
class StepGraphMaskOrderTest {
    private static final long[] SHAPE = {1, 3, 24, 24};
    private static final int LAYERS = 4;

    /** The step's outputs by name, and the ops ONNX Runtime ran, in order. */
    private record Run(Map<String, float[]> outputs, List<String> ops) {}

    private static Run run(ModelProto model, Path dir) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
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
                Map<String, float[]> outputs = new HashMap<>();
                try (OrtSession.Result r = session.run(feeds)) {
                    r.forEach(e -> {
                        FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                        float[] v = new float[b.remaining()];
                        b.get(v);
                        outputs.put(e.getKey(), v);
                    });
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
                return new Run(outputs, opsInOrder(Path.of(session.endProfiling())));
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

    @Test
    void masksAreMadeDuringTheForwardWithTheSameResults(@TempDir Path dir) throws Exception {
        ModelProto gradient = EarlyMasksTest.gradientOfConvStack(SHAPE, LAYERS);
        UnaryOperator<String> resident = name -> "resident/" + name;
        ModelProto step = StepGraph.model(gradient.getGraph(), "x", SHAPE, resident, false);
        // the same step without the output that orders the masks
        GraphBuilder plain = new GraphBuilder(step.getGraph().toBuilder().clearOutput()
                .addAllOutput(step.getGraph().getOutputList().stream()
                        .filter(o -> !o.getName().equals(StepGraph.MASK_ORDER)).toList()).build());
        ModelProto unordered = step.toBuilder().setGraph(GraphBuilder.withoutUnusedNodes(plain.graph())).build();

        Run before = run(unordered, Files.createDirectory(dir.resolve("plain")));
        Run after = run(step, Files.createDirectory(dir.resolve("ordered")));

        // (without the order, ONNX Runtime makes every mask in the backward here, where its NCHWc convolutions run)
        assertEquals(LAYERS - 1, masksBeforeLastForwardConv(after.ops()), "each mask follows its Relu: " + after.ops());
        for (Map.Entry<String, float[]> out : before.outputs().entrySet()) {
            assertArrayEquals(out.getValue(), after.outputs().get(out.getKey()), out.getKey());
        }
    }
}
