package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scrim.engine.imageio.AtomicFiles;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.metadata.EmbeddedTags;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.tensor.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scrim verify ORIGINAL PROTECTED}: how much protection a file carries, and whether it survives handling. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a protected image against its original: how far each AI encoder's view moved toward "
                + "the protection's target (closeness: 1 = all the way, 0 = not at all), at the views LoRA trainers "
                + "take (own size up to 1024, the 768 and 512 buckets, mirrored, cropped off-grid) and after JPEG 75 "
                + "and 90, halving the size, noise and blur; how far what the model renders from it moved (AI view, "
                + "through TAEF2's decoder); and how visible the change is (PSNR, SSIM, visibility).",
                "The target is read from the file's Scrim metadata, or given with --decoy/--decoy-image/--anchor."})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ORIGINAL")
    Path original;

    @Parameters(index = "1", paramLabel = "PROTECTED")
    Path protectedFile;

    @Option(names = "--decoy", paramLabel = "NAME", description = "The decoy style the image was masked with.")
    String decoy;

    @Option(names = "--seed", description = "The seed it was protected with (default: from the file, else 1).")
    Long seed;

    @Option(names = "--decoy-image", paramLabel = "FILE", description = "The decoy image it was masked with.")
    Path decoyImage;

    @Option(names = "--anchor", paramLabel = "FILE|FOLDER", description = "Anchor image(s) it was poisoned with.")
    List<Path> anchors = new ArrayList<>();

    @Option(names = "--work-size", defaultValue = "" + TrainerViews.LARGEST, paramLabel = "PX",
            description = "The largest trainer resolution: latents are compared at the image's own size with its "
                    + "area capped at this squared (and at the smaller trainer buckets, mirrored, cropped). "
                    + "Default: ${DEFAULT-VALUE}.")
    int workSize;

    @Option(names = "--ai-view", paramLabel = "FILE",
            description = "Write what the model sees: the decoder's rendering (the first --model with a decoder, "
                    + "else TAEF2) of the original (left) and the protected image (right), as PNG.")
    Path aiView;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ReportOptions report;

    @Override
    public Integer call() throws IOException {
        if (aiView != null) {
            List<Path> inputs = new ArrayList<>(List.of(original, protectedFile));
            inputs.addAll(anchors);
            if (decoyImage != null) {
                inputs.add(decoyImage);
            }
            WriteGuard.check(List.of(new WriteGuard.Write(null, aiView)), inputs);
        }
        RgbImage o = ImageFiles.read(original).toRgb();
        RgbImage p = ImageFiles.read(protectedFile).toRgb();
        EmbeddedTags written = MetadataReader.read(protectedFile);
        ProtectionTarget target = target(written);
        List<SurrogateEncoder> encoders = modelOptions.ensemble().encoders();
        Verifier.AiViewModel aiViewModel = modelOptions.aiViewModel();
        Verifier.Report r = new Verifier(encoders, modelOptions.runtime(), workSize, aiViewModel)
                .verify(o, p, target);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("input", original.toString());
        entry.put("output", protectedFile.toString());
        entry.put("ok", true);
        entry.put("data_mining", written.dataMining() == null ? null : written.dataMining().code());
        entry.putAll(ContentCredentialsReport.entries(protectedFile));
        entry.putAll(ReportOptions.figures(r, modelOptions.modelName()));
        if (aiView != null) {
            writeAiView(aiViewModel, o, p);
            entry.put("ai_view", aiView.toString());
        }
        report.fileDone(entry);
        report.finish();
        return 0;
    }

    private ProtectionTarget target(EmbeddedTags written) throws IOException {
        return ProtectionTarget.rebuild(protectedFile.toString(), written.provenance(),
                decoy == null ? null : Decoy.parse(decoy),
                decoyImage == null ? null : ImageFiles.read(decoyImage).toRgb(), ImageInputs.readRgb(anchors),
                seed);
    }

    /** Decoder renderings of both latents side by side, at the analysis size. */
    private void writeAiView(Verifier.AiViewModel model, RgbImage o, RgbImage p) throws IOException {
        try (TaeCodec codec = new TaeCodec(model.encoder(), model.decoder(), modelOptions.runtime())) {
            RgbImage left = render(codec, o);
            RgbImage right = render(codec, p);
            var view = ImageTensors.toImage(ImageTensors.sideBySide(left, right));
            AtomicFiles.write(aiView, out -> javax.imageio.ImageIO.write(view, "png", out));
        }
    }

    /** What the model renders of {@code image} at the analysis size. */
    private RgbImage render(TaeCodec codec, RgbImage image) {
        return RgbImage.of(codec.decode(codec.encode(Transforms.downscale(image, workSize).tensor())), "rendering");
    }
}
