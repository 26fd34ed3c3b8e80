package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.metadata.Provenance;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.Runtime;

/**
 * Protects one image file into another with a model loaded once: what {@code scrim protect} does per file and
 * {@code scrim serve} per request, in one place, so both write the same file and report the same figures.
 */
final class FileProtection {
    private final List<SurrogateEncoder> encoders;
    private final Runtime runtime;
    private final String model;
    /** Each encoder file's sha256 by model, so a report says exactly which weights the protection was made against. */
    private final Map<String, String> modelSha256 = new LinkedHashMap<>();
    /** Each model with its encoder's sha256, as the file's provenance records it. */
    private final String modelIdentity;

    FileProtection(ModelOptions models) {
        this.encoders = models.surrogates();
        this.runtime = models.runtime();
        this.model = models.modelName();
        List<String> names = models.models();
        List<String> hashes = models.encoderSha256s();
        List<String> identities = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            modelSha256.put(names.get(i), hashes.get(i));
            identities.add(names.get(i) + " sha256:" + hashes.get(i));
        }
        this.modelIdentity = String.join(", ", identities);
    }

    /** The engine request for the command-line (or query) choices: decoy "auto" lets the engine pick. */
    static ProtectRequest request(Mode mode, Preset preset, Double maxVisibility, String decoy, Path decoyImage,
            List<Path> anchors, long seed, int workSize, Integer steps) throws IOException {
        return new ProtectRequest(mode, preset, maxVisibility,
                decoy.equalsIgnoreCase("auto") ? null : Decoy.parse(decoy),
                decoyImage == null ? null : ImageFiles.read(decoyImage).toRgbTensor(),
                ImageInputs.readRgb(anchors), seed, workSize, steps);
    }

    /**
     * Reads {@code in}, protects it, writes {@code out} atomically (tagged with {@code tags} unless null) and, with
     * {@code verify}, checks the written file. Returns the report entry: decoy, seconds and the verification figures.
     */
    Map<String, Object> protect(Path in, Path out, ProtectRequest request, TagOptions tags, boolean verify,
            ProgressListener progress) throws IOException {
        PlanarImage image = ImageFiles.read(in);
        // refused now rather than after minutes of work
        ImageFiles.writableFormat(out, image);
        if (tags != null) {
            tags.validate();
        }
        Outcome done = protectInto(image, out, request, tags, progress);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("model", model);
        entry.put("model_sha256", modelSha256);
        entry.put("decoy", done.decoy());
        entry.put("seconds", done.seconds());
        if (verify) {
            progress.phase("verifying");
            Verifier.Report r = new Verifier(encoders, runtime, request.workSize())
                    .verify(image.rgbView(), ImageFiles.read(out).rgbView(), done.target(), true);
            entry.putAll(ReportOptions.figures(r, model));
        }
        return entry;
    }

    /** What the report needs of a protection: its image is not kept while the written file is verified. */
    private record Outcome(String decoy, double seconds, ProtectionTarget target) {}

    /** Protects {@code image} and writes it to {@code out} (tagged with {@code tags} unless null). */
    private Outcome protectInto(PlanarImage image, Path out, ProtectRequest request, TagOptions tags,
            ProgressListener progress) throws IOException {
        Protector.Protection p = new Protector(encoders, runtime).protect(image.rgbView(), request, progress);
        // the protected planes are this method's alone: an RGB image takes them as they are, without a copy
        PlanarImage result = image.channels() == 3
                ? image.withColour(p.image().reshape(3, image.height(), image.width())) : image.withRgb(p.image());
        String decoy = p.decoy() == null ? null : p.decoy().cliName();
        if (tags == null) {
            ImageFiles.write(result, out);
        } else {
            Provenance provenance = new Provenance(request.mode().name().toLowerCase(),
                    request.preset().name().toLowerCase(), modelIdentity,
                    Provenance.scrimVersion(), decoy, request.seed());
            MetadataWriter.writeTagged(out, staged -> ImageFiles.write(result, staged), tags.tags(provenance),
                    tags.signer());
        }
        return new Outcome(decoy, p.seconds(), p.target());
    }
}
