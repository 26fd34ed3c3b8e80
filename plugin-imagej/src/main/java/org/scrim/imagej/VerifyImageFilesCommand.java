package org.scrim.imagej;

import java.io.File;
import java.io.IOException;
import java.util.List;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verifier;

/**
 * Measures a protected file against its original: the SciJava form of Verify Protection..., for Fiji scripts and
 * headless runs. The target is rebuilt from the decoy and seed the file records unless given; the figures are the
 * command's outputs.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>Scrim>Verify Image Files...",
        iconPath = "/icons/scrim-shield-16.png")
public class VerifyImageFilesCommand implements Command {
    @Parameter(label = "Original image")
    private File original;

    @Parameter(label = "Protected image")
    private File protectedImage;

    @Parameter(label = "Decoy style (blank: as recorded in the file)", required = false)
    private String decoy = "";

    @Parameter(label = "Anchors (poison)", required = false, style = "both")
    private File anchors;

    @Parameter(label = "Seed (blank: as recorded in the file)", required = false)
    private Long seed;

    @Parameter(label = "Largest trainer resolution (px)", min = "8")
    private int analysisSize = org.scrim.engine.protect.TrainerViews.LARGEST;

    @Parameter(type = ItemIO.OUTPUT, label = "Target")
    private String target;

    @Parameter(type = ItemIO.OUTPUT, label = "Closeness")
    private double closeness;

    @Parameter(type = ItemIO.OUTPUT, label = "Closeness after JPEG 75")
    private double closenessJpeg75;

    @Parameter(type = ItemIO.OUTPUT, label = "Closeness after 0.5x downscale")
    private double closenessDownscale;

    @Parameter(type = ItemIO.OUTPUT, label = "PSNR (dB)")
    private double psnr;

    @Parameter(type = ItemIO.OUTPUT, label = "SSIM")
    private double ssim;

    @Parameter(type = ItemIO.OUTPUT, label = "Visibility")
    private double visibility;

    @Parameter(type = ItemIO.OUTPUT, label = "Butteraugli")
    private double butteraugli;

    @Parameter(type = ItemIO.OUTPUT, label = "Seen at 100%")
    private String seen;

    @Parameter
    private LogService log;

    @Override
    public void run() {
        try {
            ProtectionTarget t = ProtectionTarget.rebuild(protectedImage.toString(),
                    MetadataReader.read(protectedImage.toPath()).provenance(),
                    Requests.blank(decoy) ? null : Decoy.parse(decoy), null,
                    Requests.anchorImages(anchors == null ? "" : anchors.getPath()), seed);
            Verifier.Report r = EngineSettings.engine().verifier(analysisSize).verify(
                    ImageFiles.read(original.toPath()).toRgb(),
                    ImageFiles.read(protectedImage.toPath()).toRgb(), t, true);
            var figures = r.closeness().isEmpty() ? r.poisonCloseness() : r.closeness();
            target = r.target();
            closeness = figures.get(Verifier.PLAIN);
            closenessJpeg75 = figures.get("jpeg75");
            closenessDownscale = figures.get("downscale");
            psnr = r.psnr();
            ssim = r.ssim();
            visibility = r.visibility();
            butteraugli = r.butteraugli().max();
            seen = r.butteraugli().seen().words();
        } catch (IOException | RuntimeException e) {
            log.error("Scrim: cannot verify " + protectedImage + ": " + e.getMessage(), e);
            throw new IllegalStateException("cannot verify " + protectedImage + ": " + e.getMessage(), e);
        }
    }
}
