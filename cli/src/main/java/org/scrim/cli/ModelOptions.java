package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.runtime.RuntimeOptions;
import picocli.CommandLine.Option;

/** Options every model-using command shares: which model, where weights are, where it runs, how many threads. */
public final class ModelOptions {
    /** A model that could not be found, fetched or verified. */
    public static final class ModelUnavailableException extends RuntimeException {
        ModelUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Option(names = "--model", paramLabel = "NAME|FILE", defaultValue = ModelStore.DEFAULT_MODEL,
            description = "Surrogate model: a known name (${DEFAULT-VALUE}) or an encoder weight file "
                    + "(.pth/.safetensors) or an ONNX encoder (.onnx, opset 17). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder to look in for weights before $SCRIM_MODELS and ~/.cache/scrim/models.")
    Path modelDir;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads for the model (0 = all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--backend", paramLabel = "auto|cpu|opencl", defaultValue = "auto",
            description = "Where the model runs: auto (a GPU through OpenCL when there is one, else the CPU), cpu "
                    + "(ONNX Runtime) or opencl (any OpenCL device, see --device). Default: ${DEFAULT-VALUE}.")
    Backend backend;

    @Option(names = "--device", paramLabel = "INDEX|NAME",
            description = "OpenCL device for --backend opencl: its index or part of its name. Default: the first "
                    + "GPU, else the first device.")
    String device;

    @Option(names = "--device-memory", paramLabel = "MIB", defaultValue = "0",
            description = "Use at most this much of the OpenCL device's memory per graph, to leave room for other "
                    + "programs on the GPU; a protection that does not fit works at a smaller size (0 = all of it). "
                    + "Default: ${DEFAULT-VALUE}.")
    int deviceMemory;

    private Runtime runtime;

    /**
     * The runtime the options choose, resolved on first use and kept for the command; an OpenCL device that is not
     * there is reported then, naming the devices there are, and a bad number as a usage error.
     */
    public Runtime runtime() {
        if (runtime == null) {
            RuntimeOptions options;
            try {
                options = new RuntimeOptions(threads).withBackend(backend, device).withDeviceMemory(deviceMemory);
            } catch (IllegalArgumentException e) {
                throw new ScrimCommand.UsageException(e.getMessage()); // --threads or --device-memory out of range
            }
            runtime = options.resolve();
        }
        return runtime;
    }

    public ModelStore store() {
        return ModelStore.standard(modelDir);
    }

    /** The surrogate encoder to attack, named after the model. */
    public SurrogateEncoder surrogate() {
        return load(store -> store.surrogate(model));
    }

    /** The sha256 of the encoder file the model name or path stands for (pinned for a known name). */
    public String encoderSha256() {
        return load(store -> ModelStore.sha256(store.encoderFile(model)));
    }

    public StateDict encoderWeights() {
        return load(store -> store.encoderWeights(model));
    }

    /** The decoder matching the encoder, or null when there is none (a user's encoder file without a twin). */
    public StateDict decoderWeights() {
        return load(store -> store.decoderWeights(model));
    }

    private interface Loader<T> {
        T load(ModelStore store) throws IOException;
    }

    private <T> T load(Loader<T> loader) {
        try {
            return loader.load(store());
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelUnavailableException(e.getMessage(), e);
        }
    }
}
