package org.scrim.engine.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stages of a graph's execution, for a runtime whose memory planner would otherwise hold buffers across them. ONNX
 * Runtime plans, for each tensor, to reuse the buffer of an earlier tensor of the same size that is dead by then; the
 * buffer stays allocated from that earlier tensor to the later one. In a protection step the forward's full-size
 * activations are reused by the backward's full-size gradients, so a few hundred megabytes of dead activations were
 * held through the whole middle of the step. Run as separate sessions, one per stage, with the values a stage needs
 * from earlier ones passed along, no buffer outlives its stage.
 *
 * <p>A graph's builder marks where each stage ends ({@link #end}): stage k is every node that the values marked k
 * need, apart from those of earlier stages, and the nodes no mark needs make the last stage. Marks are kept as node
 * metadata, so they survive {@link GraphBuilder#inline}; a runtime that plans differently ignores them.
 */
public final class GraphStages {
    private static final String STAGE_KEY = "scrim.stage_end";
    private static final String PARTS_KEY = "scrim.stage_parts";

    private GraphStages() {}

    /** Marks {@code values} (each made by a node of {@code g}) as the end of stage {@code stage}, counted from 0. */
    public static void end(GraphBuilder g, int stage, String... values) {
        endInParts(g, stage, 1, values);
    }

    /**
     * As {@link #end}, for a stage run in {@code parts} parts of consecutive nodes (in graph order): a backward,
     * whose parts each release the forward's values (Relu masks) that no later part reads.
     */
    public static void endInParts(GraphBuilder g, int stage, int parts, String... values) {
        for (String value : values) {
            g.annotateProducer(value, STAGE_KEY, Integer.toString(stage));
            g.annotateProducer(value, PARTS_KEY, Integer.toString(parts));
        }
    }

    /**
     * The stages of {@code model} as models of their own, in the order they run: each reads the graph inputs and
     * earlier stages' values it needs, and outputs the graph outputs it makes and the values later stages read. A
     * graph without marks is one stage. Marks are removed from the nodes.
     */
    public static List<ModelProto> split(ModelProto model) {
        GraphProto g = model.getGraph();
        int nodes = g.getNodeCount();
        int[] stageOf = new int[nodes];
        int[] markOf = new int[nodes];
        int marked = 0;
        Map<Integer, Integer> parts = new HashMap<>();
        for (int i = 0; i < nodes; i++) {
            stageOf[i] = -1;
            String mark = meta(g.getNode(i), STAGE_KEY);
            markOf[i] = mark == null ? -1 : Integer.parseInt(mark);
            if (mark != null) {
                int stage = markOf[i];
                marked = Math.max(marked, stage + 1);
                String p = meta(g.getNode(i), PARTS_KEY);
                parts.merge(stage, p == null ? 1 : Integer.parseInt(p), Math::max);
            }
        }
        if (marked == 0) {
            return List.of(model);
        }
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes; i++) {
            for (String o : g.getNode(i).getOutputList()) {
                producer.put(o, i);
            }
        }
        // each node joins the earliest stage whose marked values need it: walk back from the marks, lowest stage first
        for (int stage = 0; stage < marked; stage++) {
            List<Integer> work = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                if (markOf[i] == stage && stageOf[i] < 0) {
                    stageOf[i] = stage;
                    work.add(i);
                }
            }
            while (!work.isEmpty()) {
                NodeProto n = g.getNode(work.remove(work.size() - 1));
                for (String in : n.getInputList()) {
                    Integer p = producer.get(in);
                    if (p != null && stageOf[p] < 0) {
                        stageOf[p] = stage;
                        work.add(p);
                    }
                }
            }
        }
        for (int i = 0; i < nodes; i++) {
            if (stageOf[i] < 0) {
                stageOf[i] = marked;
            }
        }
        // number the runs: each stage's parts in turn, a part taking the next run of its stage's nodes
        int[] runOf = new int[nodes];
        int runs = 0;
        for (int stage = 0; stage <= marked; stage++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                if (stageOf[i] == stage) {
                    members.add(i);
                }
            }
            int n = Math.min(parts.getOrDefault(stage, 1), members.size());
            for (int k = 0; k < members.size(); k++) {
                runOf[members.get(k)] = runs + k * n / members.size();
            }
            runs += n;
        }
        return models(model, runOf, runs, producer);
    }

    private static List<ModelProto> models(ModelProto model, int[] stageOf, int stages, Map<String, Integer> producer) {
        GraphProto g = model.getGraph();
        ShapeInference.Analysis types = ShapeInference.analyze(g, Map.of());
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, ValueInfoProto> graphInputs = new HashMap<>();
        g.getInputList().forEach(v -> graphInputs.put(v.getName(), v));
        Map<String, ValueInfoProto> graphOutputs = new HashMap<>();
        g.getOutputList().forEach(v -> graphOutputs.put(v.getName(), v));
        // the last stage that reads each value made by a node
        Map<String, Integer> lastReader = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String in : g.getNode(i).getInputList()) {
                if (producer.containsKey(in)) {
                    lastReader.merge(in, stageOf[i], Math::max);
                }
            }
        }
        List<ModelProto> out = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            GraphProto.Builder stage = GraphProto.newBuilder().setName(g.getName() + " stage " + s);
            Set<String> inputs = new LinkedHashSet<>();
            Set<String> used = new HashSet<>();
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (stageOf[i] != s) {
                    continue;
                }
                NodeProto n = g.getNode(i);
                stage.addNode(n.toBuilder().clearMetadataProps());
                for (String in : n.getInputList()) {
                    if (in.isEmpty() || used.contains(in)) {
                        continue;
                    }
                    used.add(in);
                    Integer p = producer.get(in);
                    if (initializers.containsKey(in)) {
                        stage.addInitializer(initializers.get(in));
                    } else if (p == null || stageOf[p] != s) {
                        inputs.add(in);
                    }
                }
            }
            for (String in : inputs) {
                stage.addInput(graphInputs.containsKey(in) ? graphInputs.get(in) : valueInfo(in, types));
            }
            for (int i = 0; i < g.getNodeCount(); i++) {
                if (stageOf[i] != s) {
                    continue;
                }
                for (String o : g.getNode(i).getOutputList()) {
                    if (graphOutputs.containsKey(o)) {
                        stage.addOutput(graphOutputs.get(o));
                    } else if (lastReader.getOrDefault(o, s) > s) {
                        stage.addOutput(valueInfo(o, types));
                    }
                }
            }
            out.add(model.toBuilder().setGraph(stage).build());
        }
        return out;
    }

    private static ValueInfoProto valueInfo(String name, ShapeInference.Analysis types) {
        return GraphBuilder.valueInfo(name, types.type(name), types.shape(name));
    }

    private static String meta(NodeProto n, String key) {
        for (StringStringEntryProto e : n.getMetadataPropsList()) {
            if (e.getKey().equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }
}
