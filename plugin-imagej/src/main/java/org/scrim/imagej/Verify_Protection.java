package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.tensor.Tensor;

/**
 * Plugins > Scrim > Verify Protection...: how far the protected image's latent moved toward its target, plainly and
 * after JPEG, downscaling, noise and blur, and how visible the change is, in the "Scrim Verification" table. The
 * target is rebuilt from the decoy and seed the protection recorded (or that the user gives).
 */
public class Verify_Protection implements PlugIn {
    static final String TABLE = "Scrim Verification";

    @Override
    public void run(String arg) {
        int[] ids = WindowManager.getIDList();
        if (ids == null || ids.length < 2) {
            IJ.error("Scrim", "Open the original and the protected image first.");
            return;
        }
        String[] titles = WindowManager.getImageTitles();
        ImagePlus current = WindowManager.getCurrentImage();
        String mode = prop(current, Protect_Image.PROP_MODE, "mask");
        GenericDialog gd = new GenericDialog("Scrim: verify protection");
        gd.addChoice("Original", titles, titles[0].equals(current.getTitle()) ? titles[1] : titles[0]);
        gd.addChoice("Protected", titles, current.getTitle());
        gd.addChoice("Mode", Requests.MODES, mode);
        gd.addChoice("Decoy style", Requests.decoyNames(), prop(current, Protect_Image.PROP_DECOY, Decoy.PATTERN.cliName()));
        gd.addStringField("Style image (optional file)", "", 30);
        gd.addStringField("Anchors (image file or folder)", "", 30);
        gd.addNumericField("Seed", Long.parseLong(prop(current, Protect_Image.PROP_SEED, "1")), 0);
        gd.addNumericField("Analysis size (long side, px)", ProtectRequest.DEFAULT_WORK_SIZE, 0);
        gd.addHelp(Help.VERIFY);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        ImagePlus original = WindowManager.getImage(gd.getNextChoice());
        ImagePlus protectedImage = WindowManager.getImage(gd.getNextChoice());
        try {
            Mode m = Requests.mode(gd.getNextChoice());
            Decoy decoy = Decoy.parse(gd.getNextChoice());
            String style = gd.getNextString();
            String anchors = gd.getNextString();
            ProtectionTarget target = new ProtectionTarget(m, decoy,
                    Requests.blank(style) ? null : ImageFiles.read(Path.of(style)).toRgbTensor(),
                    m.poisons() ? Requests.anchorImages(anchors) : List.of(), (long) gd.getNextNumber());
            IJ.showStatus("Scrim: verifying");
            Verifier.Report report = verify(original, protectedImage, target, (int) gd.getNextNumber());
            show(report, protectedImage.getTitle()).show(TABLE);
            IJ.showStatus("Scrim: closeness " + IJ.d2s(report.primaryCloseness(), 3));
        } catch (IOException | RuntimeException e) {
            IJ.error("Scrim", "Verification failed: " + e.getMessage());
        }
    }

    /** Verifies the current slices of two images of the same size. */
    static Verifier.Report verify(ImagePlus original, ImagePlus protectedImage, ProtectionTarget target,
            int analysisSize) throws IOException {
        if (original.getWidth() != protectedImage.getWidth() || original.getHeight() != protectedImage.getHeight()) {
            throw new IllegalArgumentException(original.getTitle() + " and " + protectedImage.getTitle()
                    + " differ in size");
        }
        Rectangle all = new Rectangle(original.getWidth(), original.getHeight());
        Tensor o = ProcessorTensors.toTensor(original.getProcessor(), all);
        Tensor p = ProcessorTensors.toTensor(protectedImage.getProcessor(), all);
        return ScrimOptions.engine().verifier(analysisSize).verify(o, p, target);
    }

    /** One row per figure: closeness per manipulation (mask, then poison), then the quality figures. */
    static ResultsTable show(Verifier.Report r, String image) {
        ResultsTable table = new ResultsTable();
        add(table, image, r.closeness(), "closeness ");
        add(table, image, r.poisonCloseness(), "poison closeness ");
        add(table, image, Map.of("shift vs noise", r.shiftVsNoise()), "");
        add(table, image, Map.of("psnr", r.psnr()), "");
        add(table, image, Map.of("ssim", r.ssim()), "");
        add(table, image, Map.of("visibility", r.visibility()), "");
        return table;
    }

    private static void add(ResultsTable table, String image, Map<String, Double> figures, String prefix) {
        figures.forEach((name, value) -> {
            table.incrementCounter();
            table.addValue("Image", image);
            table.addValue("Figure", prefix + name);
            table.addValue("Value", value);
        });
    }

    private static String prop(ImagePlus imp, String key, String fallback) {
        String v = imp == null ? null : imp.getProp(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
