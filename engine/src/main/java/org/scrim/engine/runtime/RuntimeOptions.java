package org.scrim.engine.runtime;

import java.util.Objects;

/**
 * Explicit options for the runtimes. {@code threads} = 0 lets ONNX Runtime use every core. With {@code OPENCL},
 * {@code device} picks the device by index or by part of its name (null: the first GPU, else the first device);
 * {@code AUTO} takes the first GPU and ignores it.
 */
public record RuntimeOptions(int threads, Backend backend, String device) {
    public RuntimeOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all cores) or more, got " + threads);
        }
        Objects.requireNonNull(backend, "backend");
    }

    /** ONNX Runtime on the CPU with {@code threads} threads. */
    public RuntimeOptions(int threads) {
        this(threads, Backend.CPU, null);
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(0);
    }

    public RuntimeOptions withBackend(Backend backend, String device) {
        return new RuntimeOptions(threads, backend, device);
    }
}
