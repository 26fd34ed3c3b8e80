package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import ij.text.TextWindow;
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
            ResultsTable table = show(report, verdict, protectedImage.getTitle());
            table.show(TABLE);
            fitWidth(table);
            logLines(protectedImage.getTitle(), verdict).forEach(IJ::log);
            IJ.showStatus("Scrim: " + verdict.level().word() + " (weakest closeness " + IJ.d2s(verdict.weakest(), 2)
                    + "); more in the Log");
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

    /**
     * Widens the table's window to its widest row: ImageJ sizes a new table's window by the first row alone, by its
     * own rule (10 px a character, plus 100), and cuts off the cells past it.
     */
    private static void fitWidth(ResultsTable table) {
        if (WindowManager.getWindow(TABLE) instanceof TextWindow window) {
            int widest = 0;
            for (int row = 0; row < table.size(); row++) {
                widest = Math.max(widest, table.getRowAsString(row).length());
            }
            int width = Math.min(widest * 10 + 100, IJ.getScreenSize().width);
            if (width > window.getWidth()) {
                window.setSize(width, window.getHeight());
            }
        }
    }

    /** The verdict in words and what it means, in lines the Log window shows whole. */
    static List<String> logLines(String image, Verdict verdict) {
        return Stream.of(Failures.wrap(image + " is " + verdict.headline() + ". " + verdict.meaning()).split("\n"))
                .map(line -> "Scrim: " + line).toList();
    }

    /**
     * The verdict (its level, the models, the weakest view, the encoder and the closeness there, a row each: as one
     * sentence it was cut off at the window's edge; the Log has it whole with its meaning), then one row per figure:
     * closeness per manipulation (mask, then poison), quality.
     */
    static ResultsTable show(Verifier.Report r, Verdict verdict, String image) {
        ResultsTable table = new ResultsTable();
        row(table, image, "verdict", verdict.level().word());
        row(table, image, "models checked", verdict.models());
        row(table, image, "weakest view", verdict.view());
        row(table, image, "weakest on", verdict.encoder() != null ? verdict.encoder() : "the models' mean");
        add(table, image, Map.of("weakest closeness", verdict.weakest()), "");
        add(table, image, r.closeness(), "closeness ");
        add(table, image, r.poisonCloseness(), "poison closeness ");
        add(table, image, Map.of("shift vs noise", r.shiftVsNoise()), "");
        add(table, image, Map.of("psnr", r.psnr()), "");
        add(table, image, Map.of("ssim", r.ssim()), "");
        add(table, image, Map.of("visibility", r.visibility()), "");
        add(table, image, Map.of("butteraugli", r.butteraugli().max()), "");
        add(table, image, Map.of("butteraugli 3-norm", r.butteraugli().pnorm3()), "");
        row(table, image, "seen at 100%", r.butteraugli().seen().words());
        return table;
    }

    private static void row(ResultsTable table, String image, String figure, String words) {
        table.incrementCounter();
        table.addValue("Image", image);
        table.addValue("Figure", figure);
        table.addValue("Value", words);
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
