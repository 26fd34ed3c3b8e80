package org.scrim.engine.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;

/**
 * Where the engine's graphs run: ONNX Runtime on the CPU or one OpenCL device, resolved once from
 * {@link RuntimeOptions#resolve()} and kept by whatever opens sessions. It holds no native resources of its own
 * (sessions and groups do, and are closed by whoever opens them).
 */
public interface ComputeRuntime {
    /** Loads {@code model}; a runtime that cannot run all of it hands it to ONNX Runtime, with one logged line. */
    GraphSession open(ModelProto model);

    /** A new group of sessions sharing residents where this runtime keeps tensors. */
    SessionGroup group();
}
