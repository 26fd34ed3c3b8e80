package org.scrim.engine.runtime.cpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.scrim.engine.tensor.Tensor;

/**
 * A float tensor in native memory that ONNX Runtime reads without a copy: either a copy of a host tensor in a buffer
 * of its own (freed on close, not left to the garbage collector) or a value a session made.
 */
final class NativeTensor implements AutoCloseable {
    private final OnnxTensor value;
    /** The buffer {@link #value} reads, when this class made it; null for a session's output. */
    private final ByteBuffer buffer;

    private NativeTensor(OnnxTensor value, ByteBuffer buffer) {
        this.value = value;
        this.buffer = buffer;
    }

    /** A native copy of {@code t}. */
    static NativeTensor copyOf(OrtEnvironment env, Tensor t) {
        ByteBuffer buffer = DirectBuffers.copyOf(t.data());
        try {
            return new NativeTensor(OnnxTensor.createTensor(env, buffer.asFloatBuffer(), t.shape()), buffer);
        } catch (OrtException e) {
            DirectBuffers.free(buffer);
            throw new IllegalStateException("ONNX Runtime could not take a tensor: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            DirectBuffers.free(buffer);
            throw e;
        }
    }

    /** Takes ownership of a session's output. */
    static NativeTensor of(OnnxTensor value) {
        return new NativeTensor(value, null);
    }

    OnnxTensor value() {
        return value;
    }

    /** A host copy. */
    Tensor toHost() {
        return toHost(value);
    }

    /** A host copy of {@code t}: ONNX Runtime copies it to a heap buffer, whose array is taken as it is. */
    static Tensor toHost(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        long[] shape = ((TensorInfo) t.getInfo()).getShape();
        if (fb.hasArray() && fb.arrayOffset() == 0 && fb.position() == 0 && fb.array().length == fb.remaining()) {
            return new Tensor(fb.array(), shape);
        }
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return new Tensor(data, shape);
    }

    @Override
    public void close() {
        value.close();
        if (buffer != null) {
            DirectBuffers.free(buffer);
        }
    }
}
