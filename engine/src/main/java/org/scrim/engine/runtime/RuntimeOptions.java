package org.scrim.engine.runtime;

import java.util.Objects;

/**
 * Explicit options for the runtimes. {@code threads} = 0 lets ONNX Runtime use every core. With {@code OPENCL},
 * {@code device} picks the device by index or by part of its name (null: the first GPU, else the first device);
 * {@code AUTO} takes the first GPU and ignores it. {@code deviceMemoryMiB} caps what one graph may take of an
 * OpenCL device's memory (0: all of it), to leave room for the editor or a game sharing the GPU.
 */
public record RuntimeOptions(int threads, Backend backend, String device, int deviceMemoryMiB) {
    public RuntimeOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all cores) or more, got " + threads);
        }
        if (deviceMemoryMiB < 0) {
            throw new IllegalArgumentException("device memory must be 0 (all of it) or more MiB, got "
                    + deviceMemoryMiB);
        }
        Objects.requireNonNull(backend, "backend");
    }

    /** ONNX Runtime on the CPU with {@code threads} threads. */
    public RuntimeOptions(int threads) {
        this(threads, Backend.CPU, null, 0);
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(0);
    }

    public RuntimeOptions withBackend(Backend backend, String device) {
        return new RuntimeOptions(threads, backend, device, deviceMemoryMiB);
    }

    public RuntimeOptions withDeviceMemory(int mib) {
        return new RuntimeOptions(threads, backend, device, mib);
    }
}
