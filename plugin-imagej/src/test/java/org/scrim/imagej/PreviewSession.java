package org.scrim.imagej;

import ij.CompositeImage;
import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;
import ij.process.ColorProcessor;
import java.awt.Checkbox;
import java.awt.EventQueue;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.event.ItemEvent;
import java.awt.event.TextEvent;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * A user trying the preview in the real ImageJ, run by {@link ImageJPreviewTest} in its own JVM under Xvfb: opens the
 * image, picks Mask Style..., sets strength 0.05 and decoy pattern, ticks Preview and waits for it, raises the
 * strength to 0.14 and waits for the preview to follow, then clicks Cancel. Saves the picture as shown before
 * (shown.png), each preview (preview-0.05.png, preview-0.14.png), the image after Cancel (cancelled.png) and, with a third argument, a screenshot of the image
 * and the dialog. Prints "protected windows: N" (none should open) and what the Macro Recorder, open all along, holds
 * once the command has ended (nothing: a cancelled command is not recorded). Uses only ImageJ's API. The image may be
 * a colour composite (a 16-bit colour TIFF): its three channels are watched and restored together, and what is saved
 * is the colour picture ImageJ shows.
 *
 * <p>Arguments: ImageJ folder, input image, output folder[, screenshot file].
 */
public final class PreviewSession {
    private PreviewSession() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("plugins.dir", args[0]);
        Path out = Path.of(args[2]);
        new ImageJ();
        ImagePlus imp = IJ.openImage(args[1]);
        imp.show();
        RecorderSession.await(() -> IJ.getImage() == imp && imp.getWindow().isShowing(), "the image window");
        EventQueue.invokeAndWait(() -> {
            IJ.getInstance().setLocation(0, 0);
            imp.getWindow().setLocation(0, IJ.getInstance().getHeight() + 10);
        });
        int[] original = pixels(imp);
        save(imp, out.resolve("shown.png"));
        Recorder recorder = new Recorder();
        IJ.doCommand("Mask Style...");
        GenericDialog gd = RecorderSession.await(() -> RecorderSession.openDialog("Scrim: protect"), "the dialog");
        EventQueue.invokeAndWait(() -> gd.setLocation(imp.getWindow().getX() + imp.getWindow().getWidth() + 10,
                imp.getWindow().getY()));
        TextField strength = (TextField) gd.getNumericFields().get(0);
        EventQueue.invokeAndWait(() -> {
            strength.setText("0.05");
            ((java.awt.Choice) gd.getChoices().get(1)).select("pattern"); // after Effort
            Checkbox preview = previewBox(gd);
            preview.setState(true);
            gd.itemStateChanged(new ItemEvent(preview, ItemEvent.ITEM_STATE_CHANGED, preview, ItemEvent.SELECTED));
        });
        int[] weak = awaitPreview(gd, imp, original, original);
        save(imp, out.resolve("preview-0.05.png"));

        EventQueue.invokeAndWait(() -> {
            strength.setText("0.14");
            gd.textValueChanged(new TextEvent(strength, TextEvent.TEXT_VALUE_CHANGED));
        });
        awaitPreview(gd, imp, original, weak);
        save(imp, out.resolve("preview-0.14.png"));
        if (args.length > 3) {
            Thread.sleep(500); // the repaint after the last preview
            Rectangle shot = imp.getWindow().getBounds().union(gd.getBounds());
            ImageIO.write(new Robot().createScreenCapture(shot), "png", new File(args[3]));
        }

        RecorderSession.click(gd, 1); // Cancel
        RecorderSession.await(() -> Arrays.equals(pixels(imp), original), "Cancel to restore the image");
        save(imp, out.resolve("cancelled.png"));
        long copies = Arrays.stream(WindowManager.getImageTitles()).filter(t -> t.endsWith(Protect_Image.COPY_SUFFIX))
                .count();
        System.out.println("protected windows: " + copies);
        // the command thread records (or not) as it ends, just after the dialog closes
        RecorderSession.await(() -> Arrays.stream(Thread.getAllStackTraces().keySet().toArray(Thread[]::new))
                .noneMatch(t -> t.getName().startsWith("Mask Style")), "the command to end");
        System.out.println("recorded after cancel: [" + recorder.getText().strip() + "]");
        System.exit(0);
    }

    /** ImageJ's Preview box, or (a composite shown in composite mode, where ImageJ adds none) Scrim's own. */
    private static Checkbox previewBox(GenericDialog gd) {
        if (gd.getPreviewCheckbox() != null) {
            return gd.getPreviewCheckbox();
        }
        java.util.List<?> boxes = gd.getCheckboxes();
        return boxes.stream().map(Checkbox.class::cast).filter(b -> b.getLabel().equals("Preview")).findFirst().orElseThrow(() -> new IllegalStateException("the dialog has no Preview"));
    }

    /**
     * Waits for a finished preview: pixels unlike the original (which the runner restores before each preview) and
     * unlike the last preview's, the same on two looks in a row; returns them.
     */
    private static int[] awaitPreview(GenericDialog gd, ImagePlus imp, int[] original, int[] last)
            throws InterruptedException {
        int[][] seen = new int[1][];
        return RecorderSession.await(() -> {
            int[] now = pixels(imp);
            boolean done = !previewBox(gd).getLabel().contains("wait") && !Arrays.equals(now, original)
                    && !Arrays.equals(now, last);
            boolean steady = done && Arrays.equals(now, seen[0]);
            seen[0] = done ? now : null;
            return steady ? now : null;
        }, "the preview");
    }

    /**
     * Writes the picture ImageJ shows as PNG, past ImageJ (its saveAs, run while the command is open, would add to its
     * record): an RGB image's pixels, a composite's channels through their colours and display ranges.
     */
    private static void save(ImagePlus imp, Path file) throws Exception {
        ColorProcessor shown;
        if (imp instanceof CompositeImage composite) {
            ColorProcessor[] drawn = new ColorProcessor[1];
            EventQueue.invokeAndWait(() -> {
                composite.updateImage();
                drawn[0] = new ColorProcessor(composite.getImage());
            });
            shown = drawn[0];
        } else {
            shown = new ColorProcessor(imp.getWidth(), imp.getHeight(), pixels(imp));
        }
        ImageIO.write(shown.getBufferedImage(), "png", file.toFile());
    }

    /** The image's pixels: an RGB image's, or a composite's channels one after the other. */
    private static int[] pixels(ImagePlus imp) {
        if (!(imp instanceof CompositeImage)) {
            return ((int[]) imp.getProcessor().getPixels()).clone();
        }
        ImageStack stack = imp.getStack();
        int n = imp.getWidth() * imp.getHeight();
        int[] all = new int[n * stack.getSize()];
        for (int c = 0; c < stack.getSize(); c++) {
            for (int i = 0; i < n; i++) {
                all[c * n + i] = (int) stack.getProcessor(c + 1).getf(i);
            }
        }
        return all;
    }
}
