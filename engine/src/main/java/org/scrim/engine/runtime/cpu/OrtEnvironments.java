package org.scrim.engine.runtime.cpu;

import ai.onnxruntime.OrtEnvironment;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The process's one ONNX Runtime environment, made with ONNX Runtime's telemetry off. Since 1.29 its Linux and macOS
 * builds record session, model and system events in {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime} beside a
 * persistent device id, and upload them; a tool that keeps artists' work on their machine sends and stores nothing
 * of the kind. The only full opt-out there is the variable {@value #OPT_OUT} in the process's environment when the
 * native library starts, so it is put there first, whichever front door (the command, ImageJ, the service) this JVM
 * came through; Windows builds are told through the API as well.
 */
public final class OrtEnvironments {
    static final String OPT_OUT = "ORT_DISABLE_TELEMETRY";
    private static final OrtEnvironment ENVIRONMENT = create();

    private OrtEnvironments() {}

    public static OrtEnvironment get() {
        return ENVIRONMENT;
    }

    private static OrtEnvironment create() {
        if (!Platform.isWindows() && !"1".equals(System.getenv(OPT_OUT))) {
            int result;
            try {
                result = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("setenv")
                        .invokeInt(new Object[] {OPT_OUT, "1", 1});
            } catch (LinkageError e) {
                result = -1;
            }
            if (result != 0) {
                throw new IllegalStateException("cannot turn ONNX Runtime's telemetry off in this process; set the"
                        + " environment variable " + OPT_OUT + "=1 before starting it");
            }
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try {
            environment.setTelemetry(false);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("cannot turn ONNX Runtime's telemetry off: " + e.getMessage(), e);
        }
        return environment;
    }
}
