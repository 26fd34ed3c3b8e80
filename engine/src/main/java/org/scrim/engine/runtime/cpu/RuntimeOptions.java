package org.scrim.engine.runtime.cpu;

/** Explicit options for the CPU runtime. {@code threads} = 0 lets ONNX Runtime use every core. */
public record RuntimeOptions(int threads) {
    public RuntimeOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all cores) or more, got " + threads);
        }
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(0);
    }
}
