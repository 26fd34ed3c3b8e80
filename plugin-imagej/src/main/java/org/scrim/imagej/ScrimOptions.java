package org.scrim.imagej;

import ij.Prefs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.runtime.RuntimeOptions;

/**
 * The model, backend and threads every command uses, kept in ImageJ's preferences (set with Plugins > Scrim > Scrim
 * Options...). The encoder is built once per model and kept, since rebuilding it costs more than a small protection.
 */
final class ScrimOptions {
    static final String MODEL = "scrim.model";
    static final String MODEL_DIR = "scrim.modelDir";
    static final String THREADS = "scrim.threads";
    static final String BACKEND = "scrim.backend";
    static final String DEVICE = "scrim.device";
    static final String DEVICE_MEMORY = "scrim.deviceMemory";

    private static SurrogateEncoder cached;
    private static String cachedKey;

    private ScrimOptions() {}

    static String model() {
        return Prefs.get(MODEL, ModelStore.DEFAULT_MODEL);
    }

    /** Extra folder searched for weights before $SCRIM_MODELS and the cache; empty for none. */
    static String modelDir() {
        return Prefs.get(MODEL_DIR, "");
    }

    static int threads() {
        return (int) Prefs.get(THREADS, 0);
    }

    /** auto (a GPU through OpenCL when there is one, else the CPU), cpu or opencl. */
    static String backend() {
        return Prefs.get(BACKEND, "auto");
    }

    /** The OpenCL device's index or part of its name; empty for the first GPU. */
    static String device() {
        return Prefs.get(DEVICE, "");
    }

    /** MiB of the OpenCL device a graph may take, leaving the rest to other programs; 0 for all of it. */
    static int deviceMemory() {
        return (int) Prefs.get(DEVICE_MEMORY, 0);
    }

    /** The runtime the options choose, resolved once for the command that asks. */
    static Runtime runtime() {
        return new RuntimeOptions(threads()).withBackend(Backend.parse(backend()),
                device().isBlank() ? null : device()).withDeviceMemory(deviceMemory()).resolve();
    }

    static Engine engine() throws IOException {
        return engine(model(), modelDir(), runtime());
    }

    private static synchronized Engine engine(String model, String modelDir, Runtime runtime) throws IOException {
        String key = model + "|" + modelDir;
        if (!key.equals(cachedKey)) {
            cached = store(modelDir).surrogate(model);
            cachedKey = key;
        }
        return new Engine(model, List.of(cached), runtime);
    }

    /** The model's encoder and decoder for the AI view; opened per use, as a display action is rare. */
    static TaeCodec codec() throws IOException {
        ModelStore store = store(modelDir());
        return new TaeCodec(store.encoderWeights(model()), store.decoderWeights(model()), runtime());
    }

    private static ModelStore store(String modelDir) {
        return ModelStore.standard(modelDir.isBlank() ? null : Path.of(modelDir));
    }

    /** The encoders and runtime, ready to protect or verify. */
    record Engine(String model, List<SurrogateEncoder> encoders, Runtime runtime) {
        Protector protector() {
            return new Protector(encoders, runtime);
        }

        Verifier verifier(int analysisSize) {
            return new Verifier(encoders, runtime, analysisSize);
        }
    }
}
