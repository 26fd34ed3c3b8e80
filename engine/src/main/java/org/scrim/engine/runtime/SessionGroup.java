package org.scrim.engine.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scrim.engine.tensor.Tensor;

/**
 * Sessions on one runtime ({@link ComputeRuntime#group}) that share named tensors kept where that runtime keeps them
 * (host arrays for ONNX Runtime, device buffers for OpenCL) between runs, so an iteration (an optimiser's state, the
 * image it works on) need not cross between host and device at every step.
 *
 * <p>A session of the group runs like any {@link GraphSession}, except that a graph input not fed is read from the
 * resident of the same name, and a graph output named {@link #next NAME.next} replaces resident NAME after the run
 * (on the device, without reading it back) instead of being returned.
 */
public interface SessionGroup extends AutoCloseable {
    /** The suffix of an output carried into a resident: "d.next" becomes "d" for the next run. */
    String NEXT = ".next";

    /** The output name that carries into resident {@code name}. */
    static String next(String name) {
        return name + NEXT;
    }

    /** The resident output {@code output} carries into ("d" for "d.next"), or null for an output that is returned. */
    static String carriedInto(String output) {
        return output.endsWith(NEXT) ? output.substring(0, output.length() - NEXT.length()) : null;
    }

    /**
     * Puts the host outputs that carry into a resident ({@link #next NAME.next}) into this group and returns the
     * others: how a session run through the host hands its results over.
     */
    default Map<String, Tensor> carryIn(Map<String, Tensor> outputs) {
        Map<String, Tensor> returned = new LinkedHashMap<>();
        outputs.forEach((name, value) -> {
            String resident = carriedInto(name);
            if (resident != null) {
                put(resident, value);
            } else {
                returned.put(name, value);
            }
        });
        return returned;
    }

    /**
     * Loads {@code model} as a session of this group (falling back to ONNX Runtime as {@link ComputeRuntime#open}
     * does).
     */
    GraphSession open(ModelProto model);

    /** Sets resident {@code name} (uploading it once); the group may keep {@code value}, so do not change it after. */
    void put(String name, Tensor value);

    /** Resident {@code name}, read back to the host. */
    Tensor get(String name);

    /** Releases the residents; sessions are closed by whoever opened them. */
    @Override
    void close();

}
