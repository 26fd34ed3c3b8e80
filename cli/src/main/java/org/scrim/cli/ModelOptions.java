package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.RuntimeOptions;
import picocli.CommandLine.Option;

/**
 * Options every model-using command shares: which models, where weights are, where they run, how many threads.
 */
public final class ModelOptions {
    /**
     * A model that could not be loaded, whatever the reason (an unknown name, a file that is not a model, a download
     * that failed: the engine's {@link org.scrim.engine.models.ModelUnavailableException}), which the CLI reports
     * with its own exit code.
     */
    public static final class ModelLoadException extends RuntimeException {
        ModelLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Option(names = "--model", paramLabel = "NAME|FILE",
            description = "Surrogate encoder: a known name (taef2, taesana) or an encoder weight file "
                    + "(.pth/.safetensors) or an ONNX encoder (.onnx, opset 17). Repeat it to protect against several "
                    + "at once (an ensemble); encode and decode use the first. Default: taef2 and taesana.")
    List<String> models;

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

    private ComputeRuntime runtime;

    /**
     * The runtime the options choose, resolved on first use and kept for the command; an OpenCL device that is not
     * there is reported then, naming the devices there are, and a bad number as a usage error.
     */
    public ComputeRuntime runtime() {
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

    /** The models given, in order, else the default ensemble (one encoder of each family). */
    public List<String> models() {
        return models == null || models.isEmpty() ? ModelStore.DEFAULT_ENCODERS : List.copyOf(models);
    }

    /** The models as one name for reports, e.g. {@code taef2+taesana}. */
    public String modelName() {
        return String.join("+", models());
    }

    /** The surrogate encoders to attack, each named after its model and with its encoder file's sha256. */
    public Ensemble ensemble() {
        return load(store -> Ensemble.load(store, models()));
    }

    /** The first model's encoder weights (what encode and decode use). */
    public StateDict encoderWeights() {
        return load(store -> store.encoderWeights(models().get(0)));
    }

    /** The decoder matching the first model, or null when there is none (TAESana, a user's file without a twin). */
    public StateDict decoderWeights() {
        return load(store -> store.decoderWeights(models().get(0)));
    }

    /** The model that renders the AI view ({@link ModelStore#aiViewModel}): its encoder and decoder. */
    public Verifier.AiViewModel aiViewModel() {
        return load(store -> {
            String m = store.aiViewModel(models());
            return new Verifier.AiViewModel(store.encoderWeights(m), store.decoderWeights(m));
        });
    }

    private interface Loader<T> {
        T load(ModelStore store) throws IOException;
    }

    private <T> T load(Loader<T> loader) {
        try {
            return loader.load(store());
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
    }
}
