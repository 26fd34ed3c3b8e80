package org.scrim.engine.runtime.opencl;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;

/**
 * One OpenCL device, taking at most {@code memoryMiB} of its memory per graph (0: all of it). A graph with an op the
 * backend has no kernel for runs on {@code fallback} (ONNX Runtime) instead, with one logged line naming the ops:
 * the one place that rule is written, which {@link OpenClSessionGroup} follows too.
 */
public record OpenClRuntime(OpenClDevice device, int memoryMiB, ComputeRuntime fallback) implements ComputeRuntime {
    private static final System.Logger LOG = System.getLogger("org.scrim.engine.runtime");

    /** An {@link OpenClModel} when the device runs all of {@code model}, else a {@code fallback} session. */
    @Override
    public GraphSession open(ModelProto model) {
        List<String> missing = OpenClModel.unsupported(model);
        if (missing.isEmpty()) {
            return new OpenClModel(model, device, memoryMiB);
        }
        LOG.log(System.Logger.Level.WARNING, "OpenCL backend has no kernel for " + String.join(", ", missing)
                + ": graph '" + model.getGraph().getName() + "' runs on ONNX Runtime (CPU)");
        return fallback.open(model);
    }

    @Override
    public SessionGroup group() {
        return new OpenClSessionGroup(device, this);
    }
}
