package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Undo;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.filter.PlugInFilter;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.tensor.RgbImage;

/**
 * Plugins > Scrim > Mask Style... / Poison Concept... / Protect (Mask + Poison)...: protects the image, or the
 * selection, slice by slice. The argument (from plugins.config) is the mode: mask, poison or both. Records what it
 * did as image properties, which Verify Protection and Save Protected As read.
 */
public class Protect_Image implements PlugInFilter {
    static final String PROP_MODE = "Scrim.mode";
    static final String PROP_PRESET = "Scrim.preset";
    static final String PROP_DECOY = "Scrim.decoy";
    static final String PROP_SEED = "Scrim.seed";
    static final String PROP_MODEL = "Scrim.model";

    private ImagePlus imp;
    private Mode mode;
    private String preset;
    private ProtectRequest request;
    private boolean wholeStack;

    @Override
    public int setup(String arg, ImagePlus imp) {
        if (imp == null) {
            Failures.report("There is no image open: open the image to work on first.");
            return DONE;
        }
        this.imp = imp;
        mode = Requests.mode(arg == null || arg.isBlank() ? "mask" : arg);
        return showDialog() ? DOES_8G | DOES_16 | DOES_32 | DOES_RGB : DONE;
    }

    private boolean showDialog() {
        GenericDialog gd = new GenericDialog("Scrim: protect (" + mode.name().toLowerCase() + ")");
        gd.addChoice("Preset", Requests.PRESETS, "default");
        if (mode.masks()) {
            gd.addChoice("Decoy style", Requests.decoyChoices(), Requests.AUTO);
            gd.addStringField("Style image (optional file)", "", 30);
        }
        if (mode.poisons()) {
            gd.addStringField("Anchors (image file or folder)", "", 30);
        }
        gd.addNumericField("Seed", 1, 0);
        gd.addNumericField("Steps (0 = preset's)", 0, 0);
        gd.addNumericField("Max visibility (0 = preset's)", 0, 3);
        gd.addNumericField("Work size (long side, px)", ProtectRequest.DEFAULT_WORK_SIZE, 0);
        if (imp.getStackSize() > 1) {
            gd.addCheckbox("Stack (protect all " + imp.getStackSize() + " slices)", true);
        }
        gd.addHelp(Help.PROTECT);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        preset = gd.getNextChoice();
        String decoy = mode.masks() ? gd.getNextChoice() : Requests.AUTO;
        String style = mode.masks() ? gd.getNextString() : "";
        String anchors = mode.poisons() ? gd.getNextString() : "";
        long seed = (long) gd.getNextNumber();
        int steps = (int) gd.getNextNumber();
        double maxVisibility = gd.getNextNumber();
        int workSize = (int) gd.getNextNumber();
        wholeStack = imp.getStackSize() > 1 && gd.getNextBoolean();
        if (gd.invalidNumber()) {
            Failures.report("A number field holds no valid number.");
            return false;
        }
        try {
            request = Requests.request(mode, preset, decoy, style, anchors, maxVisibility, seed, workSize, steps);
        } catch (IOException | IllegalArgumentException e) {
            Failures.report("Cannot protect " + imp.getTitle(), e);
            return false;
        }
        return true;
    }

    @Override
    public void run(ImageProcessor ip) {
        IJ.resetEscape();
        try {
            ScrimOptions.Engine engine = ScrimOptions.engine();
            Protector protector = engine.protector();
            Roi roi = imp.getRoi();
            if (!wholeStack) {
                protect(protector, ip, roi, new IjProgress(1, 1));
            } else {
                // ImageJ 1.x keeps no undo for stack filters; say so rather than offer a partial one.
                Undo.reset();
                ImageStack stack = imp.getStack();
                for (int s = 1; s <= stack.getSize(); s++) {
                    protect(protector, stack.getProcessor(s), roi, new IjProgress(s, stack.getSize()));
                }
            }
            imp.setProp(PROP_MODE, mode.name().toLowerCase());
            imp.setProp(PROP_PRESET, preset);
            imp.setProp(PROP_SEED, Long.toString(request.seed()));
            imp.setProp(PROP_MODEL, engine.model());
            imp.updateAndDraw();
            IJ.showStatus("Scrim: protected " + imp.getTitle());
        } catch (CancellationException e) {
            imp.updateAndDraw();
            IJ.showStatus("Scrim: cancelled");
            IJ.log("Scrim: cancelled on " + imp.getTitle() + (wholeStack ? "; slices done before stay protected" : ""));
        } catch (IOException | RuntimeException e) {
            Failures.report("Protection of " + imp.getTitle() + " failed", e);
        } finally {
            IJ.showProgress(1.0);
        }
    }

    /** Protects the selection's bounding box of one slice and keeps the change inside the selection's mask. */
    private void protect(Protector protector, ImageProcessor ip, Roi roi, ProgressListener progress) {
        // ImageProcessor.setRoi clips the selection to the image and crops its mask to match; null or a line: all.
        ip.setRoi(roi);
        Rectangle r = ip.getRoi();
        ImageProcessor mask = ip.getMask();
        RgbImage original = ProcessorTensors.toRgb(ip, r);
        Protector.Protection p = protector.protect(original, request, progress);
        ProcessorTensors.applyChange(ip, r, mask, original, p.image());
        if (p.decoy() != null) {
            imp.setProp(PROP_DECOY, p.decoy().cliName());
        }
    }

    /** ImageJ's progress bar and status line (steps and time left) over all slices; Esc cancels. */
    static final class IjProgress implements ProgressListener {
        private final int slice;
        private final int slices;
        private long firstNanos;
        private int firstStep = -1;

        IjProgress(int slice, int slices) {
            this.slice = slice;
            this.slices = slices;
        }

        @Override
        public void phase(String name) {
            IJ.showStatus("Scrim: " + name + sliceNote());
        }

        @Override
        public void step(int done, int total) {
            IJ.showProgress(((slice - 1) * (double) total + done) / ((double) slices * total));
            long now = System.nanoTime();
            if (firstStep < 0 || done < firstStep) {
                firstStep = done;
                firstNanos = now;
            }
            IJ.showStatus("Scrim: " + stepText(done, total, done - firstStep, (now - firstNanos) / 1e9) + sliceNote());
        }

        private String sliceNote() {
            return slices > 1 ? " (slice " + slice + "/" + slices + ")" : "";
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

        @Override
        public boolean cancelled() {
            return IJ.escapePressed();
        }
    }
}
