package org.scrim.imagej;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Macro;
import ij.WindowManager;
import ij.gui.DialogListener;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.filter.ExtendedPlugInFilter;
import ij.plugin.filter.PlugInFilterRunner;
import ij.plugin.frame.Recorder;
import ij.process.ImageProcessor;
import java.awt.AWTEvent;
import java.awt.Checkbox;
import java.awt.Rectangle;
import java.io.IOException;
import java.lang.reflect.Array;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.Preview;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.tensor.RgbImage;

/**
 * Plugins > Scrim > Mask Style... / Poison Concept... / Protect (Mask + Poison)...: protects the image, or the
 * selection, slice by slice, into a new image titled "NAME (protected)" (or the image itself, "in place"). The
 * argument (from plugins.config) is the mode: mask, poison or both. The dialog's Preview shows a fast protection
 * (few steps, on a crop of a large image) that follows the strength slider; ImageJ's filter runner restores the
 * image when the preview ends. Records what it did as image properties, which Verify Protection and Save
 * Protected As read.
 */
public class Protect_Image implements ExtendedPlugInFilter, DialogListener {
    static final String PROP_MODE = "Scrim.mode";
    static final String PROP_PRESET = "Scrim.preset";
    static final String PROP_DECOY = "Scrim.decoy";
    static final String PROP_SEED = "Scrim.seed";
    static final String PROP_MODEL = "Scrim.model";

    /** The strength slider's ends, as visibility bounds (SSIMULACRA): below low's 0.05 to above high's 0.14. */
    static final double WEAKEST = 0.02;
    static final double STRONGEST = 0.20;
    static final String COPY_SUFFIX = " (protected)";

    private static final int TYPES = DOES_8G | DOES_16 | DOES_32 | DOES_RGB;

    /** What the main dialog says; replaced whole, as the preview thread reads it while the user changes it. */
    private record Choices(double strength, String effort, String decoy, String style, String anchors,
            boolean wholeStack, boolean inPlace, boolean moreOptions) {}

    private ImagePlus imp;
    /** Whether the image is one colour picture in three channels, protected as RGB (ProcessorTensors). */
    private boolean colourComposite;
    private Mode mode;
    /** The thread that shows the dialog and runs the protection; the preview runs on a thread of its own. */
    private Thread commandThread;
    private volatile Choices choices;
    private boolean choicesRead;
    private long seed = 1;
    private int steps;
    private int workSize = ProtectRequest.DEFAULT_WORK_SIZE;
    private String model;
    private ProtectRequest request;
    private ImagePlus result;

    /** The preview's request for the last choices (built from files only when they change), and its decoy. */
    private String previewKey;
    private ProtectRequest previewRequest;
    private Decoy previewDecoy;

    /**
     * A colour composite's channels as they were before the first preview: the filter runner restores only the
     * channel it handed over, so the preview restores all three itself, before each preview and when the dialog
     * closes. The lock keeps a preview and that last restoring apart.
     */
    private Object[] pixelsBeforePreview;
    private final Object previewLock = new Object();
    private boolean dialogClosed;
    /** A colour composite's Preview box (ImageJ adds none, see showDialog) and the thread of its last preview. */
    private Checkbox compositePreview;
    private volatile Thread compositePreviewThread;

    @Override
    public int setup(String arg, ImagePlus imp) {
        if (imp == null) {
            Failures.report("There is no image open: open the image to work on first.");
            return DONE;
        }
        String refusal = ProcessorTensors.refusal(imp);
        if (refusal != null) {
            Failures.report("Cannot protect " + refusal + ".");
            return DONE;
        }
        this.imp = imp;
        colourComposite = ProcessorTensors.isColourComposite(imp);
        mode = Requests.mode(arg == null || arg.isBlank() ? "mask" : arg);
        model = EngineSettings.model();
        return TYPES;
    }

    @Override
    public int showDialog(ImagePlus imp, String command, PlugInFilterRunner pfr) {
        commandThread = Thread.currentThread();
        double strength;
        try {
            strength = strengthOf(Macro.getOptions());
        } catch (IllegalArgumentException e) {
            Failures.report("Cannot protect " + imp.getTitle() + ": " + e.getMessage());
            return DONE;
        }
        GenericDialog gd = new GenericDialog("Scrim: protect (" + mode.name().toLowerCase(Locale.ROOT) + ")");
        addStrength(gd, strength);
        gd.addChoice("Effort", Requests.EFFORTS, Effort.DEFAULT.cliName());
        if (mode.masks()) {
            gd.addChoice("Decoy style", Requests.decoyChoices(), Requests.AUTO);
            gd.addStringField("Style image (optional file)", "", 30);
        }
        if (mode.poisons()) {
            gd.addStringField("Anchors (image file or folder)", "", 30);
        }
        if (offersStack()) {
            gd.addCheckbox("Stack (protect all " + imp.getStackSize() + " slices)", true);
        }
        gd.addCheckbox("In_place (change this image; else the result opens as NAME" + COPY_SUFFIX + ")", false);
        gd.addCheckbox("More_options (seed, steps, work size, models)", false);
        if (pfr != null) {
            gd.addMessage(previewNote(imp));
            if (colourComposite) {
                // ImageJ's dialog has no Preview for a composite shown in composite mode; this box runs the same
                // preview on a thread of its own. It is read off the box, never through getNextBoolean, so it is
                // not recorded, as ImageJ's own Preview is not.
                gd.addCheckbox("Preview", false);
                compositePreview = gd.getCheckboxes() == null ? null
                        : (Checkbox) gd.getCheckboxes().lastElement();
            } else {
                gd.addPreviewCheckbox(pfr);
            }
        }
        gd.addDialogListener(this);
        gd.addHelp(Help.PROTECT);
        choicesRead = false;
        gd.showDialog();
        endPreview();
        if (gd.wasCanceled()) {
            return notRecorded();
        }
        // ImageJ hands the fields to the first listener once more after OK (and when a macro runs the command);
        // a dialog that did not read them so reads them here.
        if (!choicesRead) {
            dialogItemChanged(gd, null);
        }
        if (choices == null) {
            Failures.report(STRENGTH_RANGE);
            return notRecorded();
        }
        Choices c = choices;
        // A macro's options name the expert fields without ticking "More options".
        if ((c.moreOptions() || Macro.getOptions() != null) && !showMoreOptions()) {
            return notRecorded();
        }
        try {
            request = request(c);
        } catch (IOException | IllegalArgumentException e) {
            Failures.report("Cannot protect " + imp.getTitle(), e);
            return notRecorded();
        }
        // A protected copy leaves this image as it was; a whole stack in place has no undo in ImageJ 1.x, nor has a
        // colour composite, whose undo would restore one of its three channels.
        return TYPES | (!c.inPlace() ? NO_CHANGES : c.wholeStack() || colourComposite ? NO_UNDO : 0);
    }

    /** Slices to protect one by one: a stack, unless its slices are a colour composite's channels. */
    private boolean offersStack() {
        return imp.getStackSize() > 1 && !colourComposite;
    }

    /**
     * Ends a command that will do nothing (cancelled, or refused) without a line in the Macro Recorder: ImageJ
     * records the command as it ends, and after a Preview it would record a bare {@code run("Mask Style...");}.
     */
    private static int notRecorded() {
        Recorder.setCommand(null);
        return DONE;
    }

    /**
     * The strength slider (macro key {@code strength}) and what it means; Protect Folder... has the same, so a
     * recorded macro means the same in both.
     */
    static void addStrength(GenericDialog gd, double strength) {
        gd.addSlider("Strength", WEAKEST, STRONGEST, strength, 0.01);
        gd.addMessage("The most visible the change may be (SSIMULACRA):\n" + Strength.boundsInWords());
    }

    static final String STRENGTH_RANGE = "The strength must be a number above 0 and at most "
            + ProtectRequest.MAX_VISIBILITY + ".";

    /** Whether a strength read from the slider is one the engine takes. */
    static boolean validStrength(GenericDialog gd, double strength) {
        return !gd.invalidNumber() && strength > 0 && strength <= ProtectRequest.MAX_VISIBILITY;
    }

    /**
     * The strength a macro asks for before "strength" existed: {@code max} (a visibility bound) or {@code preset};
     * the default preset's bound otherwise. A macro's {@code strength} key takes precedence in the dialog itself.
     */
    static double strengthOf(String macroOptions) {
        if (macroOptions != null) {
            String max = Macro.getValue(macroOptions, "max", null);
            if (max != null && Double.parseDouble(max) > 0) {
                return Double.parseDouble(max);
            }
            String preset = Macro.getValue(macroOptions, "preset", null);
            if (preset != null) {
                return Preset.valueOf(preset.trim().toUpperCase(Locale.ROOT)).maxVisibility;
            }
        }
        return Preset.DEFAULT.maxVisibility;
    }

    /** The dialog line that says what Preview shows. */
    static String previewNote(ImagePlus imp) {
        Rectangle box = imp.getRoi() != null && imp.getRoi().isArea() ? imp.getRoi().getBounds()
                : new Rectangle(imp.getWidth(), imp.getHeight());
        Rectangle area = previewArea(box, ProtectRequest.DEFAULT_WORK_SIZE);
        return "Preview is a fast one (" + Preview.STEPS + " steps) on "
                + (area.equals(box) ? "the whole " + (imp.getRoi() != null ? "selection" : "image")
                        : "the centre " + area.width + "x" + area.height + " at 1:1") + ";\nOK protects in full.";
    }

    @Override
    public boolean dialogItemChanged(GenericDialog gd, AWTEvent e) {
        double strength = gd.getNextNumber();
        String effort = gd.getNextChoice();
        String decoy = mode.masks() ? gd.getNextChoice() : Requests.AUTO;
        String style = mode.masks() ? gd.getNextString() : "";
        String anchors = mode.poisons() ? gd.getNextString() : "";
        boolean wholeStack = offersStack() && gd.getNextBoolean();
        boolean inPlace = gd.getNextBoolean();
        boolean more = gd.getNextBoolean();
        choicesRead = true;
        boolean valid = validStrength(gd, strength);
        choices = valid ? new Choices(strength, effort, decoy, style, anchors, wholeStack, inPlace, more) : null;
        if (compositePreview != null && e != null) {
            previewComposite(valid && compositePreview.getState());
        }
        return valid;
    }

    /** The expert fields, in a second dialog (recorded with the first: one command, one line). */
    private boolean showMoreOptions() {
        GenericDialog gd = new GenericDialog("Scrim: more options");
        gd.addNumericField("Seed", seed, 0);
        gd.addNumericField("Steps (0 = the strength's at this effort)", steps, 0);
        gd.addNumericField("Work size (long side, px)", workSize, 0);
        gd.addStringField("Models (joined by +)", model, 30);
        gd.addHelp(Help.PROTECT);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        seed = (long) gd.getNextNumber();
        steps = (int) gd.getNextNumber();
        workSize = (int) gd.getNextNumber();
        String models = gd.getNextString();
        if (gd.invalidNumber()) {
            Failures.report("A number field holds no valid number.");
            return false;
        }
        model = Requests.blank(models) ? EngineSettings.model() : models.trim();
        return true;
    }

    /** The strength the dialog states, by the engine's rule for every front end. */
    private Strength strength(Choices c) {
        return Strength.of(null, c.strength(), Requests.effort(c.effort()), Requests.steps(steps));
    }

    private ProtectRequest request(Choices c) throws IOException {
        return Requests.request(mode, strength(c), c.decoy(), c.style(), c.anchors(), seed, workSize);
    }

    @Override
    public void setNPasses(int nPasses) {
        // one pass: run() does the slices itself, into a copy when asked
    }

    @Override
    public void run(ImageProcessor ip) {
        if (Thread.currentThread() != commandThread) {
            preview(ip);
        } else {
            protectImage(ip);
        }
    }

    /** The request the dialog made, for OK. */
    ProtectRequest request() {
        return request;
    }

    /** The image the last protection made: the new "NAME (protected)" image, or the image itself in place. */
    ImagePlus result() {
        return result;
    }

    private void protectImage(ImageProcessor ip) {
        IJ.resetEscape();
        Choices c = choices;
        ImagePlus target = c.inPlace() ? imp : protectedCopy();
        try {
            IJ.log("Scrim: protecting " + imp.getTitle() + ": " + strength(c).inWords());
            EngineSettings.Engine engine = EngineSettings.engine(model);
            Protector protector = engine.protector();
            Roi roi = imp.getRoi();
            if (colourComposite) {
                protect(protector, ProcessorTensors.planes(imp, target.getStack()), roi, null, request, target,
                        new IjProgress("Scrim: ", "slice", 1, 1));
            } else if (!c.wholeStack()) {
                protect(protector, new ImageProcessor[] {c.inPlace() ? ip : target.getProcessor()}, roi, null,
                        request, target, new IjProgress("Scrim: ", "slice", 1, 1));
            } else {
                ImageStack stack = target.getStack();
                for (int s = 1; s <= stack.getSize(); s++) {
                    protect(protector, new ImageProcessor[] {stack.getProcessor(s)}, roi, null, request, target,
                            new IjProgress("Scrim: ", "slice", s, stack.getSize()));
                }
            }
            target.setProp(PROP_MODE, mode.name().toLowerCase(Locale.ROOT));
            target.setProp(PROP_PRESET, request.preset().name().toLowerCase(Locale.ROOT));
            target.setProp(PROP_SEED, Long.toString(request.seed()));
            // the models with their files' sha256, as a file protected by scrim protect records them
            target.setProp(PROP_MODEL, engine.models().identity());
            if (c.inPlace()) {
                redraw(imp);
            } else {
                target.show();
            }
            result = target;
            IJ.showStatus("Scrim: protected " + target.getTitle());
        } catch (CancellationException e) {
            redraw(imp);
            IJ.showStatus("Scrim: cancelled");
            IJ.log("Scrim: cancelled on " + imp.getTitle() + (!c.inPlace() ? "; the image is as it was"
                    : c.wholeStack() ? "; slices done before stay protected" : ""));
        } catch (IOException | RuntimeException e) {
            Failures.report("Protection of " + imp.getTitle() + " failed", e);
        } finally {
            IJ.showProgress(1.0);
        }
    }

    /** A protected copy's title: "NAME (protected)", or "NAME (protected 2)", ... beside copies already open. */
    static String copyTitle(String name, List<String> open) {
        String title = name + COPY_SUFFIX;
        for (int n = 2; open.contains(title); n++) {
            title = name + " (protected " + n + ")";
        }
        return title;
    }

    /** A protected copy's title split: the original's title, or null when it is not such a title. */
    static String originalTitle(String copyTitle) {
        Matcher m = COPY_TITLE.matcher(copyTitle);
        return m.matches() ? m.group(1) : null;
    }

    private static final Pattern COPY_TITLE = Pattern.compile("(.*) \\(protected(?: [0-9]+)?\\)");

    /** Shows changed pixels: a composite draws its channels anew only when told that all of them changed. */
    private static void redraw(ImagePlus imp) {
        if (imp instanceof CompositeImage composite) {
            composite.updateAllChannelsAndDraw();
        } else {
            imp.updateAndDraw();
        }
    }

    /**
     * A copy of the image (every slice, calibration, display range; a composite stays one, with its colours and
     * display ranges) under a {@link #copyTitle}.
     */
    private ImagePlus protectedCopy() {
        ImagePlus copy = imp.createImagePlus();
        copy.setStack(copyTitle(imp.getTitle(), List.of(WindowManager.getImageTitles())),
                imp.getStack().duplicate());
        copy.setDimensions(imp.getNChannels(), imp.getNSlices(), imp.getNFrames());
        copy.setOpenAsHyperStack(imp.isHyperStack());
        copy.setSlice(imp.getCurrentSlice());
        if (imp.isComposite()) {
            CompositeImage composite = new CompositeImage(copy, imp.getCompositeMode());
            composite.setLuts(imp.getLuts());
            return composite;
        }
        if (imp.getType() != ImagePlus.COLOR_RGB) {
            copy.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
        }
        return copy;
    }

    /**
     * Shows a fast protection on the image (the runner restores it), by the engine's preview rule ({@link Preview}):
     * a few steps on a centre crop worked at the scale the protection works at, so it looks at 1:1 as the result
     * will. The decoy "auto" picks is kept while only the strength changes. An error shows in the status line: the
     * dialog stays open to fix it.
     */
    private void preview(ImageProcessor ip) {
        synchronized (previewLock) {
            if (!dialogClosed) {
                previewShown(ip);
            }
        }
    }

    private void previewShown(ImageProcessor ip) {
        try {
            Choices c = choices;
            if (c == null) {
                return;
            }
            ImageProcessor[] planes = new ImageProcessor[] {ip};
            if (colourComposite) {
                planes = ProcessorTensors.planes(imp, imp.getStack());
                restoreOrKeepPixels(planes);
            }
            String key = c.decoy() + "|" + c.style() + "|" + c.anchors();
            if (!key.equals(previewKey)) {
                previewRequest = request(c);
                previewDecoy = previewRequest.decoy();
                previewKey = key;
            }
            Roi roi = imp.getRoi();
            ip.setRoi(roi);
            Rectangle box = ip.getRoi();
            Preview.Crop crop = Preview.crop(box.width, box.height, workSize);
            Rectangle area = previewArea(box, workSize);
            ProtectRequest fast = Preview.request(previewRequest.withStrength(strength(c)), previewDecoy, crop);
            Protector.Protection p = protect(EngineSettings.engine(model).protector(), planes, roi, area, fast, null,
                    new IjProgress("Scrim preview: ", "slice", 1, 1));
            if (p.decoy() != null) {
                previewDecoy = p.decoy();
            }
            if (colourComposite) {
                redraw(imp);
            }
            IJ.showStatus("Scrim: fast preview done" + (p.decoy() != null ? " (decoy " + p.decoy().cliName() + ")"
                    : ""));
        } catch (CancellationException e) {
            // the runner interrupted the preview to start it again with new settings: let it see that
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            IJ.showStatus("Scrim preview: " + Failures.reason(e));
        }
    }

    /**
     * The composite's own Preview (see showDialog): as ImageJ's filter runner does, a change stops the running
     * preview and starts another with the new settings; unticked, the image is given back as it was.
     */
    private void previewComposite(boolean on) {
        Thread running = compositePreviewThread;
        if (running != null) {
            running.interrupt();
        }
        compositePreviewThread = new Thread(on ? () -> preview(imp.getProcessor()) : this::undoPreview,
                "Mask Style... Preview");
        compositePreviewThread.start();
    }

    /** Puts back the composite's channels as they were before the first preview, if one ran. */
    private void undoPreview() {
        synchronized (previewLock) {
            if (pixelsBeforePreview != null) {
                restoreOrKeepPixels(ProcessorTensors.planes(imp, imp.getStack()));
                redraw(imp);
            }
        }
    }

    /** Keeps the composite's pixels before the first preview; puts them back before a later one. */
    private void restoreOrKeepPixels(ImageProcessor[] planes) {
        if (pixelsBeforePreview == null) {
            pixelsBeforePreview = new Object[planes.length];
            for (int c = 0; c < planes.length; c++) {
                pixelsBeforePreview[c] = planes[c].duplicate().getPixels();
            }
        } else {
            for (int c = 0; c < planes.length; c++) {
                System.arraycopy(pixelsBeforePreview[c], 0, planes[c].getPixels(), 0,
                        Array.getLength(pixelsBeforePreview[c]));
            }
        }
    }

    /**
     * For a colour composite, ends previews once the dialog closes (a running one is stopped and finishes first) and
     * undoes the last one; other images the filter runner restores itself.
     */
    private void endPreview() {
        if (!colourComposite) {
            return;
        }
        Thread running = compositePreviewThread;
        if (running != null) {
            running.interrupt();
        }
        synchronized (previewLock) {
            dialogClosed = true;
            undoPreview();
            pixelsBeforePreview = null;
        }
    }

    /**
     * Protects {@code area} (null: the selection's bounding box) of one picture (one slice, or a colour composite's
     * three channels) and keeps the change inside the selection's mask. Records the decoy on {@code target} when
     * there is one.
     */
    private Protector.Protection protect(Protector protector, ImageProcessor[] planes, Roi roi, Rectangle area,
            ProtectRequest r, ImagePlus target, ProgressListener progress) {
        // ImageProcessor.setRoi clips the selection to the image and crops its mask to match; null or a line: all.
        ImageProcessor ip = planes[0];
        ip.setRoi(roi);
        Rectangle box = ip.getRoi();
        ImageProcessor mask = ip.getMask();
        if (area == null) {
            area = box;
        } else if (mask != null) {
            mask = mask.duplicate();
            mask.setRoi(area.x - box.x, area.y - box.y, area.width, area.height);
            mask = mask.crop();
        }
        RgbImage original = ProcessorTensors.toRgb(planes, area);
        Protector.Protection p = protector.protect(original, r, progress);
        ProcessorTensors.applyChange(planes, area, mask, original, p.image());
        if (target != null && p.decoy() != null) {
            target.setProp(PROP_DECOY, p.decoy().cliName());
        }
        return p;
    }

    /** What the preview covers of {@code box}, protected at {@code workSize}: {@link Preview#crop}, placed in it. */
    static Rectangle previewArea(Rectangle box, int workSize) {
        Preview.Crop crop = Preview.crop(box.width, box.height, workSize);
        return new Rectangle(box.x + crop.x(), box.y + crop.y(), crop.width(), crop.height());
    }

    /** ImageJ's progress bar and status line (steps and time left) over all slices; Esc cancels. */
    static final class IjProgress implements ProgressListener {
        private final String prefix;
        private final String unit;
        private final int part;
        private final int parts;
        private long firstNanos;
        private int firstStep = -1;

        /** Part {@code part} of {@code parts} (slices, files) of one job; the status line starts with prefix. */
        IjProgress(String prefix, String unit, int part, int parts) {
            this.prefix = prefix;
            this.unit = unit;
            this.part = part;
            this.parts = parts;
        }

        @Override
        public void phase(String name) {
            IJ.showStatus(prefix + name + partNote());
        }

        @Override
        public void step(int done, int total) {
            IJ.showProgress(((part - 1) * (double) total + done) / ((double) parts * total));
            long now = System.nanoTime();
            if (firstStep < 0 || done < firstStep) {
                firstStep = done;
                firstNanos = now;
            }
            IJ.showStatus(prefix + stepText(done, total, done - firstStep, (now - firstNanos) / 1e9) + partNote());
        }

        private String partNote() {
            return parts > 1 ? " (" + unit + " " + part + "/" + parts + ")" : "";
        }

        /** "step 3 of 11, about 40 s left", paced on the steps timed so far (the model load is not a step). */
        static String stepText(int done, int total, int stepsTimed, double seconds) {
            String text = "step " + done + " of " + total;
            if (stepsTimed > 0 && total > done) {
                double left = seconds / stepsTimed * (total - done);
                text += ", about " + (left < 90 ? Math.round(left) + " s" : Math.round(left / 60) + " min") + " left";
            }
            return text;
        }

        /** Esc, or (for the preview) the filter runner's interrupt when a setting changes. */
        @Override
        public boolean cancelled() {
            return IJ.escapePressed() || Thread.currentThread().isInterrupted();
        }
    }
}
