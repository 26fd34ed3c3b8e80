package org.scrim.engine.runtime.opencl;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.runtime.RuntimeOptions;

/** Opens a graph on an OpenCL device, or on ONNX Runtime when the graph needs an op the backend lacks. */
public final class OpenClSessions {
    private static final System.Logger LOG = System.getLogger("org.scrim.engine.runtime");

    private OpenClSessions() {}

    /** The OpenCL session for {@code model}, or (with one logged line naming the ops) an ONNX Runtime one. */
    public static GraphSession open(ModelProto model, RuntimeOptions options, OpenClDevice device) {
        return runsOnDevice(model) ? new OpenClModel(model, device, options.deviceMemoryMiB())
                : new OrtModel(model, options);
    }

    /** Whether OpenCL has a kernel for every op of {@code model}; when not, logs the line naming the missing ones. */
    static boolean runsOnDevice(ModelProto model) {
        List<String> missing = OpenClModel.unsupported(model);
        if (!missing.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "OpenCL backend has no kernel for " + String.join(", ", missing)
                    + ": graph '" + model.getGraph().getName() + "' runs on ONNX Runtime (CPU)");
        }
        return missing.isEmpty();
    }
}
