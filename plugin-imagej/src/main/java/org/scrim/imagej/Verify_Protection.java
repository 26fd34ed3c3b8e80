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
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.tensor.RgbImage;

/**
 * Plugins > Scrim > Verify Protection...: how far the protected image's latent moved toward its target, plainly and
 * after JPEG, downscaling, noise and blur, and how visible the change is, in the "Scrim Verification" table. The
 * target is rebuilt from the decoy and seed the protection recorded on the image or in its file's XMP (or that the
 * user gives).
 */
public class Verify_Protection implements PlugIn {
    static final String TABLE = "Scrim Verification";

    static final String AS_RECORDED = "as recorded";

    @Override
    public void run(String arg) {
        int[] ids = WindowManager.getIDList();
        if (ids == null || ids.length < 2) {
            Failures.report("Open the original and the protected image first.");
            return;
        }
        String[] titles = WindowManager.getImageTitles();
        ImagePlus likelyProtected = likelyProtected(ids);
        Provenance recorded = Recorded.protection(likelyProtected);
        String protectedTitle = likelyProtected.getTitle();
        GenericDialog gd = new GenericDialog("Scrim: verify protection");
        gd.addChoice("Original", titles, likelyOriginal(protectedTitle, titles));
        gd.addChoice("Protected", titles, protectedTitle);
        gd.addChoice("Mode", Requests.MODES, recorded != null && List.of(Requests.MODES).contains(
                recorded.protection()) ? recorded.protection() : "mask");
        String[] decoys = Stream.concat(Stream.of(AS_RECORDED), Stream.of(Requests.decoyNames()))
                .toArray(String[]::new);
        gd.addChoice("Decoy style", decoys, AS_RECORDED);
        gd.addStringField("Style image (optional file)", "", 30);
        gd.addStringField("Anchors (image file or folder)", "", 30);
        gd.addStringField("Seed (empty = as recorded)", "", 10);
        gd.addNumericField("Largest trainer resolution (px)", org.scrim.engine.protect.TrainerViews.LARGEST, 0);
        gd.addHelp(Help.VERIFY);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        ImagePlus original = WindowManager.getImage(gd.getNextChoice());
        ImagePlus protectedImage = WindowManager.getImage(gd.getNextChoice());
        try {
            Mode m = Requests.mode(gd.getNextChoice());
            String decoy = gd.getNextChoice();
            String style = gd.getNextString();
            String anchors = gd.getNextString();
            String seed = gd.getNextString();
            ProtectionTarget target = target(protectedImage, m, AS_RECORDED.equals(decoy) ? null : Decoy.parse(decoy),
                    Requests.blank(style) ? null : ImageFiles.read(Path.of(style)).toRgb(),
                    m.poisons() ? Requests.anchorImages(anchors) : List.of(),
                    Requests.blank(seed) ? null : Long.valueOf(seed.trim()));
            IJ.showStatus("Scrim: verifying");
            Verifier.Report report = verify(original, protectedImage, target, (int) gd.getNextNumber());
            Verdict verdict = Verdict.of(report, EngineSettings.model());
            show(report, verdict, protectedImage.getTitle()).show(TABLE);
            IJ.log("Scrim: " + protectedImage.getTitle() + " is " + verdict.headline() + ". " + verdict.meaning());
            IJ.showStatus("Scrim: " + verdict.headline() + ", closeness " + IJ.d2s(report.primaryCloseness(), 3));
        } catch (IOException | RuntimeException e) {
            Failures.report("Verification failed", e);
        }
    }

    /** The image "NAME (protected)" was made from when it is open, else the first other image. */
    static String likelyOriginal(String protectedTitle, String[] titles) {
        List<String> open = List.of(titles);
        String source = Protect_Image.originalTitle(protectedTitle);
        if (source != null && open.contains(source)) {
            return source;
        }
        return titles[0].equals(protectedTitle) ? titles[1] : titles[0];
    }

    /** The current image if Scrim protected it, else the first open image that says it was, else the current one. */
    private static ImagePlus likelyProtected(int[] ids) {
        ImagePlus current = WindowManager.getCurrentImage();
        if (current != null && Recorded.protection(current) != null) {
            return current;
        }
        for (int id : ids) {
            ImagePlus imp = WindowManager.getImage(id);
            if (imp != null && Recorded.protection(imp) != null) {
                return imp;
            }
        }
        return current != null ? current : WindowManager.getImage(ids[0]);
    }

    /**
     * The target {@code protectedImage} was protected toward: the decoy and seed given, else those recorded on the
     * image or in its file's XMP (as {@code scrim verify} reads them), the seed defaulting to 1.
     */
    static ProtectionTarget target(ImagePlus protectedImage, Mode mode, Decoy decoy, RgbImage styleImage,
            List<RgbImage> anchors, Long seed) {
        Provenance recorded = Recorded.protection(protectedImage);
        Decoy d = decoy != null || styleImage != null || !mode.masks() ? decoy
                : recorded != null && recorded.decoy() != null ? Decoy.parse(recorded.decoy()) : null;
        if (mode.masks() && d == null && styleImage == null) {
            throw new IllegalArgumentException(protectedImage.getTitle() + " does not record its decoy (it was "
                    + "neither protected in this session nor saved by Scrim): choose the decoy style it was "
                    + "protected with");
        }
        long s = seed != null ? seed : recorded != null && recorded.seed() != null ? recorded.seed() : 1;
        return new ProtectionTarget(mode, d, styleImage, anchors, s);
    }

    /** Verifies what two images of the same size show: their current slices, or colour composites' pictures. */
    static Verifier.Report verify(ImagePlus original, ImagePlus protectedImage, ProtectionTarget target,
            int analysisSize) throws IOException {
        if (original.getWidth() != protectedImage.getWidth() || original.getHeight() != protectedImage.getHeight()) {
            throw new IllegalArgumentException(original.getTitle() + " and " + protectedImage.getTitle()
                    + " differ in size");
        }
        Rectangle all = new Rectangle(original.getWidth(), original.getHeight());
        RgbImage o = ProcessorTensors.toRgb(ProcessorTensors.shown(original), all);
        RgbImage p = ProcessorTensors.toRgb(ProcessorTensors.shown(protectedImage), all);
        return EngineSettings.engine().verifier(analysisSize).verify(o, p, target);
    }

    /** The verdict in words, then one row per figure: closeness per manipulation (mask, then poison), quality. */
    static ResultsTable show(Verifier.Report r, Verdict verdict, String image) {
        ResultsTable table = new ResultsTable();
        table.incrementCounter();
        table.addValue("Image", image);
        table.addValue("Figure", "verdict");
        table.addValue("Value", verdict.headline());
        add(table, image, r.closeness(), "closeness ");
        add(table, image, r.poisonCloseness(), "poison closeness ");
        add(table, image, Map.of("shift vs noise", r.shiftVsNoise()), "");
        add(table, image, Map.of("psnr", r.psnr()), "");
        add(table, image, Map.of("ssim", r.ssim()), "");
        add(table, image, Map.of("visibility", r.visibility()), "");
        add(table, image, Map.of("butteraugli", r.butteraugli().max()), "");
        add(table, image, Map.of("butteraugli 3-norm", r.butteraugli().pnorm3()), "");
        table.incrementCounter();
        table.addValue("Image", image);
        table.addValue("Figure", "seen at 100%");
        table.addValue("Value", r.butteraugli().seen().words());
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
}
