package org.scrim.engine.runtime;

import java.util.Objects;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.runtime.opencl.OpenClDevices;
import org.scrim.engine.runtime.opencl.OpenClRuntime;

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

    /**
     * The runtime these options ask for, resolved once: {@code CPU} ONNX Runtime, {@code OPENCL} the device
     * {@code device} selects (an {@link org.scrim.engine.runtime.opencl.OpenClException} naming the devices there are
     * when it is not there), {@code AUTO} the first GPU if any, else ONNX Runtime. OpenCL runtimes hand graphs they
     * have no kernels for to ONNX Runtime.
     */
    public ComputeRuntime resolve() {
        OrtRuntime host = new OrtRuntime(threads);
        return switch (backend) {
            case CPU -> host;
            case OPENCL -> new OpenClRuntime(OpenClDevices.select(device), deviceMemoryMiB, host);
            case AUTO -> OpenClDevices.firstGpu().<ComputeRuntime>map(d -> new OpenClRuntime(d, deviceMemoryMiB, host))
                    .orElse(host);
        };
    }
}
