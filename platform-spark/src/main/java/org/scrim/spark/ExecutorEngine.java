package org.scrim.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.usecase.FileProtector;

/**
 * The engine as one executor JVM holds it: the models loaded once (sha256-checked by the model store), the runtime,
 * the anchors and decoy image decoded once, the signer; every task of the JVM protects through it. Built lazily by
 * the first task that needs it (as SynapseML's ONNX model and DJL's Spark predictors hold theirs), and built again
 * only when a task brings other engine options (another job in a long-lived executor).
 */
final class ExecutorEngine {
    /** What the engine depends on; two jobs with equal keys share one engine. */
    record Key(List<String> models, String modelDir, int threads, String backend, String device, int deviceMemory,
            List<String> anchors, String decoyImage, String c2paCert, String c2paKey) {
        static Key of(JobOptions o, int taskCpus) {
            return new Key(o.modelNames(), o.modelDir, o.threads > 0 ? o.threads : taskCpus, o.backend.name(),
                    o.device, o.deviceMemory, List.copyOf(o.anchors), o.decoyImage, o.c2paCert, o.c2paKey);
        }
    }

    private static ExecutorEngine current;

    final Key key;
    final Ensemble models;
    final FileProtector protector;
    final FileProtector.Tagging tagging;
    private final List<RgbImage> anchors;
    private final RgbImage decoyImage;

    private ExecutorEngine(Key key, Staging staging) throws IOException {
        this.key = key;
        // executors never download: the weights come from a shared path or --files, and are checked against their
        // pinned sha256 wherever they are found
        ModelStore store = ModelStore.standard(key.modelDir == null ? null : Path.of(key.modelDir))
                .withoutDownloads();
        this.models = Ensemble.load(store, key.models);
        ComputeRuntime runtime = new RuntimeOptions(key.threads).withBackend(
                org.scrim.engine.runtime.Backend.valueOf(key.backend), key.device)
                .withDeviceMemory(key.deviceMemory).resolve();
        this.protector = new FileProtector(models, runtime);
        C2paSigner signer = key.c2paCert == null ? null
                : C2paSigner.fromFiles(Path.of(key.c2paCert), Path.of(key.c2paKey));
        this.tagging = new FileProtector.Tagging(NoAiTags::prohibitAiTraining, signer);
        this.anchors = new ArrayList<>();
        for (String anchor : key.anchors) {
            for (Path file : ImageFiles.imagesIn(staging.localCopyOfTree(anchor))) {
                anchors.add(ImageFiles.read(file).toRgb());
            }
        }
        this.decoyImage = key.decoyImage == null ? null
                : ImageFiles.read(staging.localCopyOfTree(key.decoyImage)).toRgb();
    }

    /** The JVM's engine for {@code key}, built on first use; tasks running at once share it. */
    static synchronized ExecutorEngine get(Key key, Staging staging) throws IOException {
        if (current == null || !current.key.equals(key)) {
            current = null; // the old engine's models are garbage before the new ones load
            current = new ExecutorEngine(key, staging);
        }
        return current;
    }

    /** The engine request for one image, as {@code scrim protect} builds it from the same options. */
    ProtectRequest request(JobOptions o, long seed) {
        ProtectRequest.Builder request = ProtectRequest.builder(o.mode, o.strength()).decoy(o.decoy)
                .anchors(anchors).seed(seed).workSize(o.workSize);
        if (decoyImage != null) {
            request.decoyImage(decoyImage);
        }
        return request.build();
    }
}
