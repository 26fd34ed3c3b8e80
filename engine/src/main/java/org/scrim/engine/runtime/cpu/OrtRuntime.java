package org.scrim.engine.runtime.cpu;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;

/** ONNX Runtime on the CPU with {@code threads} threads per session (0: every core); runs every graph. */
public record OrtRuntime(int threads) implements ComputeRuntime {
    @Override
    public GraphSession open(ModelProto model) {
        return new OrtModel(model, threads);
    }

    @Override
    public SessionGroup group() {
        return new HostSessionGroup(threads);
    }
}
