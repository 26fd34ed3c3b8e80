package org.scrim.engine.runtime.cpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ai.onnx.proto.OnnxMl.ModelProto;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.Tensor;

/** One ONNX Runtime session on the CPU provider: the reference runtime for every graph the engine builds. */
public final class OrtModel implements GraphSession {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    /** Loads {@code model} with {@code threads} intra-op threads (0: every core). */
    public OrtModel(ModelProto model, int threads) {
        NativeMemory.fixMmapThreshold();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // No arena and no memory patterns: both keep the largest intermediate buffers of every graph allocated
            // for the session's life (gigabytes for the step graphs), while malloc per run costs no measurable time
            // next to the convolutions.
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
            this.session = env.createSession(model.toByteArray(), so);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load graph '" + model.getGraph().getName()
                    + "': " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        List<ByteBuffer> buffers = new ArrayList<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue();
                ByteBuffer buffer = DirectBuffers.copyOf(t.data());
                buffers.add(buffer);
                feeds.put(e.getKey(), OnnxTensor.createTensor(env, buffer.asFloatBuffer(), t.shape()));
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feeds)) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    long[] shape = ((TensorInfo) t.getInfo()).getShape();
                    out.put(e.getKey(), new Tensor(floats(t), shape));
                }
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
            buffers.forEach(DirectBuffers::free);
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

    @Override
    public String description() {
        return "ONNX Runtime (CPU)";
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("could not close ONNX Runtime session: " + e.getMessage(), e);
        }
        NativeMemory.release();
    }
}
