package org.scrim.engine.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.Map;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.runtime.opencl.OpenClDevices;
import org.scrim.engine.runtime.opencl.OpenClSessions;
import org.scrim.engine.tensor.Tensor;

/** A loaded graph on one runtime; the engine runs every graph it builds through one of these. */
public interface GraphSession extends AutoCloseable {
    /**
     * Runs the graph on float inputs and returns every graph output by name ({@link SessionGroup} sessions: those
     * not carried into a resident).
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs);

    /** The runtime and device, for reports and benchmarks ("ONNX Runtime (CPU)", "OpenCL: NAME"). */
    String description();

    @Override
    void close();

    /**
     * Loads {@code model} on the backend {@code options} asks for. OpenCL falls back to ONNX Runtime for the whole
     * graph, with one logged line, when the graph uses an op it has no kernel for.
     */
    static GraphSession open(ModelProto model, RuntimeOptions options) {
        return OpenClDevices.forOptions(options)
                .map(d -> OpenClSessions.open(model, options, d))
                .orElseGet(() -> new OrtModel(model, options));
    }
}
