package org.scrim.engine.runtime;

import java.util.Locale;

/** Where graphs run: {@code AUTO} is a GPU OpenCL device when one exists, else ONNX Runtime on the CPU. */
public enum Backend {
    AUTO, CPU, OPENCL;

    /** "auto", "cpu" or "opencl" (any case), as the command line spells them. */
    public static Backend parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "': use auto, cpu or opencl", e);
        }
    }
}
