package org.scrim.imagej;

import ij.Prefs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.usecase.FileProtector;

/**
 * The model, backend and threads every command uses, kept in ImageJ's preferences (the dialog that sets them is
 * {@link Scrim_Options}, Plugins > Scrim > Scrim Options...), and the engine they make. The encoder is built once per
 * model and kept, since rebuilding it costs more than a small protection.
 */
final class EngineSettings {
    static final String MODEL = "scrim.model";
    static final String MODEL_DIR = "scrim.modelDir";
    static final String THREADS = "scrim.threads";
    static final String BACKEND = "scrim.backend";
    static final String DEVICE = "scrim.device";
    static final String DEVICE_MEMORY = "scrim.deviceMemory";

    private static Ensemble cached;
    private static String cachedKey;

    private EngineSettings() {}

    /**
     * The models as one name, joined by '+' (as reports name them): known names or encoder files; by default one
     * encoder of each family, as the command line protects.
     */
    static String model() {
        return Prefs.get(MODEL, String.join("+", ModelStore.DEFAULT_ENCODERS));
    }

    /** The models one by one ({@link #model()} split at '+' or ','). */
    static List<String> models() {
        return models(model());
    }

    /** The models of {@code model}, names joined by '+' or ','; the default ensemble when it names none. */
    static List<String> models(String model) {
        List<String> models = Arrays.stream(model.split("[+,]")).map(String::trim).filter(m -> !m.isEmpty())
                .toList();
        return models.isEmpty() ? ModelStore.DEFAULT_ENCODERS : models;
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
    static ComputeRuntime runtime() {
        return new RuntimeOptions(threads()).withBackend(Backend.parse(backend()),
                device().isBlank() ? null : device()).withDeviceMemory(deviceMemory()).resolve();
    }

    static Engine engine() throws IOException {
        return engine(model());
    }

    /** The engine for {@code model} (names joined by '+') rather than the options' model, for one command. */
    static Engine engine(String model) throws IOException {
        return engine(model, modelDir(), runtime());
    }

    private static synchronized Engine engine(String model, String modelDir, ComputeRuntime runtime)
            throws IOException {
        String key = model + "|" + modelDir;
        if (!key.equals(cachedKey)) {
            cached = Ensemble.load(store(modelDir), models(model));
            cachedKey = key;
        }
        return new Engine(cached, runtime);
    }

    /**
     * The encoder and decoder for the AI view ({@link ModelStore#aiViewModel}); opened per use, as a display action
     * is rare.
     */
    static TaeCodec codec() throws IOException {
        ModelStore store = store(modelDir());
        String m = store.aiViewModel(models());
        return new TaeCodec(store.encoderWeights(m), store.decoderWeights(m), runtime());
    }

    private static ModelStore store(String modelDir) {
        return ModelStore.standard(modelDir.isBlank() ? null : Path.of(modelDir));
    }

    /** The encoders (with their files' sha256) and runtime, ready to protect or verify. */
    record Engine(Ensemble models, ComputeRuntime runtime) {
        Protector protector() {
            return new Protector(models.encoders(), runtime);
        }

        Verifier verifier(int analysisSize) {
            return new Verifier(models.encoders(), runtime, analysisSize);
        }

        /**
         * Reads {@code input}, protects it and writes {@code output} through the engine's file use case, as
         * {@code scrim protect} and {@code scrim serve} do, tagged "no AI training" with what was done unless
         * {@code tags} is false; returns the decoy used, or null. Protect Folder... and the SciJava command both call
         * it, so the folder command runs in plain ImageJ 1.x, where SciJava's classes are missing.
         */
        String protectFile(Path input, Path output, ProtectRequest request, boolean tags, ProgressListener progress)
                throws IOException {
            return new FileProtector(models, runtime).protect(input, output, request,
                    tags ? FileProtector.Tagging.prohibitAiTraining() : null, false, progress).decoy();
        }
    }
}
