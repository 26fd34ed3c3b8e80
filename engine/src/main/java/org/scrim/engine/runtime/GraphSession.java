package org.scrim.engine.runtime;

import java.util.Map;
import org.scrim.engine.tensor.Tensor;

/**
 * A loaded graph on one runtime ({@link ComputeRuntime#open}); the engine runs every graph it builds through one of
 * these.
 */
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
}
