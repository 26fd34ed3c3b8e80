package org.scrim.engine.runtime.cpu;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scrim.engine.onnx.GraphStages;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.Tensor;

/**
 * A graph on ONNX Runtime's CPU provider: the reference runtime for every graph the engine builds. A graph marked in
 * {@link GraphStages stages} runs as one session per stage, the values a later stage reads passed on natively and
 * released after the last stage that reads them.
 */
public final class OrtModel implements GraphSession {
    private final OrtEnvironment env = OrtEnvironments.get();
    private final List<OrtSession> stages = new ArrayList<>();
    private final Set<String> graphOutputs = new HashSet<>();
    /** The last stage that reads each value an earlier stage makes. */
    private final Map<String, Integer> lastReader = new HashMap<>();

    /** Loads {@code model} with {@code threads} intra-op threads (0: every core). */
    public OrtModel(ModelProto model, int threads) {
        NativeMemory.fixMmapThreshold();
        model.getGraph().getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        List<ModelProto> parts = GraphStages.split(model);
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(intraOpThreads(threads));
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // No arena and no memory patterns: both keep the largest intermediate buffers of every graph allocated
            // for the session's life (gigabytes for the step graphs), while malloc per run costs no measurable time
            // next to the convolutions.
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
            // Each session has its own threads, which by default spin for work after a run: with the step's stages
            // and the projection's graph run in turn, they kept both cores busy spinning (a fifth of the CPU time).
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            for (int s = 0; s < parts.size(); s++) {
                stages.add(env.createSession(parts.get(s).toByteArray(), so));
                for (ValueInfoProto in : parts.get(s).getGraph().getInputList()) {
                    lastReader.put(in.getName(), s);
                }
            }
        } catch (OrtException e) {
            closeSessions();
            throw new IllegalStateException("ONNX Runtime could not load graph '" + model.getGraph().getName()
                    + "': " + e.getMessage(), e);
        }
    }

    /**
     * The intra-op threads for a request of {@code threads} (0: every core Java may use). ONNX Runtime's own reading
     * of 0 counts cores through its cpuinfo library, which found one on a two-core virtual machine: every run of the
     * protection then took one core.
     */
    static int intraOpThreads(int threads) {
        return threads > 0 ? threads : java.lang.Runtime.getRuntime().availableProcessors();
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, NativeTensor> copies = new HashMap<>();
        try {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                NativeTensor copy = NativeTensor.copyOf(env, e.getValue());
                copies.put(e.getKey(), copy);
                feeds.put(e.getKey(), copy.value());
            }
            return run(feeds, Set.of()).host();
        } finally {
            copies.values().forEach(NativeTensor::close);
        }
    }

    /** A run's graph outputs: copied to the host, or left in native memory for the caller to close. */
    record Outputs(Map<String, Tensor> host, Map<String, NativeTensor> kept) {}

    /**
     * Runs the graph on native inputs (neither copied nor closed); the graph outputs named in {@code keptNative} come
     * back as they are, the others as host copies.
     */
    Outputs run(Map<String, OnnxTensor> inputs, Set<String> keptNative) {
        // values of earlier stages that later ones read, each released after the last stage that reads it
        Map<String, OnnxTensor> carried = new HashMap<>();
        Outputs out = new Outputs(new LinkedHashMap<>(), new LinkedHashMap<>());
        boolean done = false;
        try {
            for (int s = 0; s < stages.size(); s++) {
                OrtSession stage = stages.get(s);
                Map<String, OnnxTensor> stageFeeds = new LinkedHashMap<>();
                for (String name : stage.getInputNames()) {
                    OnnxTensor value = carried.containsKey(name) ? carried.get(name) : inputs.get(name);
                    if (value == null) {
                        throw new IllegalArgumentException("graph input '" + name + "' was not given");
                    }
                    stageFeeds.put(name, value);
                }
                keep(stage.run(stageFeeds), s, out, keptNative, carried);
                int last = s;
                carried.entrySet().removeIf(e -> {
                    boolean read = lastReader.get(e.getKey()) <= last;
                    if (read) {
                        e.getValue().close();
                    }
                    return read;
                });
            }
            done = true;
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            carried.values().forEach(OnnxTensor::close);
            if (!done) {
                out.kept().values().forEach(NativeTensor::close);
            }
        }
    }

    /**
     * Takes stage {@code s}'s results: graph outputs copied into {@code out} or kept there natively, values later
     * stages read into {@code carried}, the rest released. The result is not closed as a whole, since its values are
     * released one by one.
     */
    private void keep(OrtSession.Result result, int s, Outputs out, Set<String> keptNative,
            Map<String, OnnxTensor> carried) {
        List<OnnxTensor> unkept = new ArrayList<>();
        result.forEach(e -> unkept.add((OnnxTensor) e.getValue()));
        try {
            for (Map.Entry<String, OnnxValue> e : result) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                boolean readLater = lastReader.getOrDefault(e.getKey(), s) > s;
                if (graphOutputs.contains(e.getKey())) {
                    if (keptNative.contains(e.getKey()) && !readLater) {
                        out.kept().put(e.getKey(), NativeTensor.of(t));
                        unkept.remove(t);
                    } else {
                        out.host().put(e.getKey(), NativeTensor.toHost(t));
                    }
                }
                if (readLater) {
                    carried.put(e.getKey(), t);
                    unkept.remove(t);
                }
            }
        } finally {
            unkept.forEach(OnnxTensor::close);
        }
    }

    private void closeSessions() {
        try {
            for (OrtSession s : stages) {
                s.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("could not close ONNX Runtime session: " + e.getMessage(), e);
        }
    }

    @Override
    public String description() {
        return "ONNX Runtime (CPU)";
    }

    @Override
    public void close() {
        closeSessions();
        NativeMemory.release();
    }
}
