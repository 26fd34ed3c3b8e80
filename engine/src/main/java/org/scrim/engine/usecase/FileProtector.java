package org.scrim.engine.usecase;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

/**
 * Protects one image file into another: read, refuse an output Scrim cannot write, protect, write atomically (tagged
 * with what was done, unless asked not to), and check the written file. {@code scrim protect}, {@code scrim serve}
 * and ImageJ's Protect Image File all do it through here, so they write the same file. It sits above
 * {@code protect} because it joins the file formats and the metadata, which the protection itself never needs.
 */
public final class FileProtector {
    private final Ensemble models;
    private final ComputeRuntime runtime;

    /** @param models the encoders to attack, which the file's provenance names with their sha256 */
    public FileProtector(Ensemble models, ComputeRuntime runtime) {
        this.models = models;
        this.runtime = runtime;
    }

    public Ensemble models() {
        return models;
    }

    /** How the written file is tagged: the statement made for a provenance, and the C2PA signer (null: the user's). */
    public record Tagging(Function<Provenance, NoAiTags> statement, C2paSigner signer) {
        /** The default statement: data mining for AI training prohibited, signed with the user's own key. */
        public static Tagging prohibitAiTraining() {
            return new Tagging(NoAiTags::prohibitAiTraining, null);
        }
    }

    /**
     * What came of a protection: the decoy's name (null without one), seconds, the target and, when verification
     * was asked, its report (else null). The protected image is not kept: the written file is what counts.
     */
    public record Outcome(String decoy, double seconds, ProtectionTarget target, Verifier.Report report) {}

    /**
     * Reads {@code in}, protects it as {@code request} asks, writes {@code out} atomically, tagged unless
     * {@code tagging} is null, and with {@code verify} measures the written file against the original.
     */
    public Outcome protect(Path in, Path out, ProtectRequest request, Tagging tagging, boolean verify,
            ProgressListener progress) throws IOException {
        // what the protection will need is known from the header: refused before decoding, not after
        ImageFiles.Size size = ImageFiles.size(in);
        Protector.checkMemory(size.width(), size.height());
        PlanarImage image = ImageFiles.read(in);
        // refused now rather than after minutes of work
        ImageFiles.writableFormat(out, image);
        Outcome written = protectInto(image, out, request, tagging, progress);
        if (!verify) {
            return written;
        }
        progress.phase("verifying");
        Verifier.Report report = new Verifier(models.encoders(), runtime, TrainerViews.LARGEST)
                .verify(image.rgbView(), ImageFiles.read(out).rgbView(), written.target(), true);
        return new Outcome(written.decoy(), written.seconds(), written.target(), report);
    }

    /**
     * Why {@code image} should not be protected again, or null when its provenance does not say Scrim protected it:
     * protection on protection adds up and shows. The caller names the file and the way to go on anyway ({@code
     * --force}, the service's {@code force=true}).
     */
    public static String protectedAlready(Path image) throws IOException {
        Provenance earlier = MetadataReader.read(image).provenance();
        if (earlier == null || "none".equals(earlier.protection())) {
            return null;
        }
        return "Scrim protected this file already (" + earlier.protection()
                + (earlier.preset() == null ? "" : ", preset " + earlier.preset()) + "); protecting it again "
                + "stacks a second change on the first and makes it more visible. Protect the original instead";
    }

    /** Protects {@code image} into {@code out}; the protected planes are gone when it returns, before verification. */
    private Outcome protectInto(PlanarImage image, Path out, ProtectRequest request, Tagging tagging,
            ProgressListener progress) throws IOException {
        Protector.Protection p = new Protector(models.encoders(), runtime).protect(image.rgbView(), request, progress);
        // the protected planes are this method's alone: the image takes them as they are, without a copy
        PlanarImage result = image.withRgb(p.image());
        String decoy = p.decoy() == null ? null : p.decoy().cliName();
        // the finishing's garbage (its bands, SSIMULACRA's scales) is as large as the image: collected now, the heap
        // hands it back (as the launchers' -XX:MaxHeapFreeRatio allows) before encoding adds the file's copies
        System.gc();
        if (tagging == null) {
            ImageFiles.write(result, out);
        } else {
            Provenance provenance = new Provenance(request.mode().name().toLowerCase(Locale.ROOT),
                    request.preset().name().toLowerCase(Locale.ROOT), models.identity(), Provenance.scrimVersion(),
                    decoy, request.seed());
            MetadataWriter.writeTagged(out, staged -> ImageFiles.write(result, staged),
                    tagging.statement().apply(provenance), tagging.signer());
        }
        return new Outcome(decoy, p.seconds(), p.target(), null);
    }
}
