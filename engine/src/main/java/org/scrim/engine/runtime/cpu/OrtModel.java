package org.scrim.engine.runtime.cpu;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
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
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
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
            so.setIntraOpNumThreads(threads);
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

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feeds = new HashMap<>();
        List<ByteBuffer> buffers = new ArrayList<>();
        // values of earlier stages that later ones read, each released after the last stage that reads it
        Map<String, OnnxTensor> carried = new HashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue();
                ByteBuffer buffer = DirectBuffers.copyOf(t.data());
                buffers.add(buffer);
                feeds.put(e.getKey(), OnnxTensor.createTensor(env, buffer.asFloatBuffer(), t.shape()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int s = 0; s < stages.size(); s++) {
                OrtSession stage = stages.get(s);
                Map<String, OnnxTensor> stageFeeds = new LinkedHashMap<>();
                for (String name : stage.getInputNames()) {
                    OnnxTensor value = carried.containsKey(name) ? carried.get(name) : feeds.get(name);
                    if (value == null) {
                        throw new IllegalArgumentException("graph input '" + name + "' was not given");
                    }
                    stageFeeds.put(name, value);
                }
                keep(stage.run(stageFeeds), s, out, carried);
                int done = s;
                carried.entrySet().removeIf(e -> {
                    boolean read = lastReader.get(e.getKey()) <= done;
                    if (read) {
                        e.getValue().close();
                    }
                    return read;
                });
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            carried.values().forEach(OnnxTensor::close);
            feeds.values().forEach(OnnxTensor::close);
            buffers.forEach(DirectBuffers::free);
        }
    }

    /**
     * Takes stage {@code s}'s results: graph outputs copied into {@code out}, values later stages read into {@code
     * carried}, the rest released. The result is not closed as a whole, since its values are released one by one.
     */
    private void keep(OrtSession.Result result, int s, Map<String, Tensor> out, Map<String, OnnxTensor> carried) {
        List<OnnxTensor> unkept = new ArrayList<>();
        result.forEach(e -> unkept.add((OnnxTensor) e.getValue()));
        try {
            for (Map.Entry<String, OnnxValue> e : result) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                if (graphOutputs.contains(e.getKey())) {
                    out.put(e.getKey(), new Tensor(floats(t), ((TensorInfo) t.getInfo()).getShape()));
                }
                if (lastReader.getOrDefault(e.getKey(), s) > s) {
                    carried.put(e.getKey(), t);
                    unkept.remove(t);
                }
            }
        } finally {
            unkept.forEach(OnnxTensor::close);
        }
    }

    /** The output's values: ONNX Runtime copies them to a heap buffer, whose array is taken as it is. */
    private static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.position() == 0 && fb.array().length == fb.remaining()) {
            return fb.array();
        }
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return data;
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
