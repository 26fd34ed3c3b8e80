package org.scrim.engine.runtime.opencl;

/** The OpenCL backend cannot run: no runtime, no such device, out of device memory, or a kernel failed. */
public final class OpenClException extends IllegalStateException {
    static final String NO_RUNTIME = "no OpenCL runtime found: install your GPU driver's OpenCL ICD, or "
            + "pocl-opencl-icd for the CPU";

    OpenClException(String message, Throwable cause) {
        super(message, cause);
    }

    OpenClException(String message) {
        super(message);
    }
}
