package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.usecase.FileProtector;

/**
 * The command line's way to protect a file: the engine's {@link FileProtector} with the models loaded once, and the
 * report entry that {@code scrim protect} (per file) and {@code scrim serve} (per request) both print, so both write
 * the same file and report the same figures.
 */
final class ReportingProtector {
    private final FileProtector protector;

    ReportingProtector(ModelOptions models) {
        this.protector = new FileProtector(models.ensemble(), models.runtime());
    }

    /** The models as one name, e.g. {@code taef2+taesana}. */
    String model() {
        return protector.models().name();
    }

    /**
     * Protects {@code in} into {@code out} (tagged with {@code tags} unless null) and, with {@code verify}, checks the
     * written file. Returns the report entry: models, decoy, seconds and the verification figures.
     */
    Map<String, Object> protect(Path in, Path out, ProtectRequest request, TagOptions tags, boolean verify,
            ProgressListener progress) throws IOException {
        if (tags != null) {
            tags.validate();
        }
        FileProtector.Outcome done = protector.protect(in, out, request,
                tags == null ? null : new FileProtector.Tagging(tags::tags, tags.signer()), verify, progress);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("model", model());
        // each encoder file's sha256, so a report says exactly which weights the protection was made against
        entry.put("model_sha256", protector.models().sha256ByName());
        entry.put("preset", request.preset().name().toLowerCase(Locale.ROOT));
        entry.put("steps", request.stepCount());
        entry.put("decoy", done.decoy());
        entry.put("seconds", done.seconds());
        if (done.report() != null) {
            entry.putAll(ReportOptions.figures(done.report(), model()));
        }
        return entry;
    }
}
