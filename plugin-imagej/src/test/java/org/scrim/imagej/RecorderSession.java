package org.scrim.imagej;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;
import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A user's session in the real ImageJ, run by {@link ImageJRecorderTest} in its own JVM under Xvfb: with the Macro
 * Recorder open, the user picks Plugins > Scrim > Mask Style... from the menu, sets the dialog (strength 0.14, decoy
 * pattern, More options ticked) and clicks OK, then sets seed 7 and 3 steps in the More options dialog and clicks OK;
 * the new "NAME (protected)" image is saved. Then the recorded macro text is replayed on a fresh copy of the image and
 * that result saved too. Uses only ImageJ's API, as the plugin lives in the plugins folder.
 *
 * <p>Arguments: ImageJ folder, input image, output folder (gets interactive.png, replayed.png, recorded.ijm).
 */
public final class RecorderSession {
    private static final long WAIT_MS = 90_000;

    private RecorderSession() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("plugins.dir", args[0]);
        Path input = Path.of(args[1]);
        Path out = Path.of(args[2]);
        new ImageJ(ImageJ.NO_SHOW);
        Recorder recorder = new Recorder();

        ImagePlus imp = IJ.openImage(input.toString());
        imp.show();
        await(() -> IJ.getImage() == imp, "the image window to open");
        IJ.doCommand("Mask Style...");
        GenericDialog gd = await(() -> openDialog("Scrim: protect"), "the Mask Style dialog");
        ((TextField) gd.getNumericFields().get(0)).setText("0.14");
        ((Choice) gd.getChoices().get(1)).select("pattern"); // after Effort
        ((Checkbox) gd.getCheckboxes().get(1)).setState(true); // More options
        click(gd, 0);
        GenericDialog more = await(() -> openDialog("Scrim: more options"), "the More options dialog");
        ((TextField) more.getNumericFields().get(0)).setText("7");
        ((TextField) more.getNumericFields().get(1)).setText("3");
        click(more, 0);
        String recorded = await(() -> recorder.getText().contains("Mask Style") ? recorder.getText() : null,
                "the Recorder to record the command");
        String title = imp.getTitle() + Protect_Image.COPY_SUFFIX;
        ImagePlus result = await(() -> WindowManager.getImage(title), "the protected image to open");
        IJ.saveAs(result, "PNG", out.resolve("interactive.png").toString());
        Files.writeString(out.resolve("recorded.ijm"), recorded);

        // Only the fresh copy stays open for the replay: a late activation of an earlier window would otherwise make
        // that window the current image, and the replayed result would share the interactive one's title.
        for (ImagePlus done : new ImagePlus[] {result, imp}) {
            done.changes = false;
            done.close();
        }
        ImagePlus fresh = IJ.openImage(input.toString());
        fresh.show();
        await(() -> fresh.getWindow() != null && fresh.getWindow().isShowing(), "the fresh copy's window to open");
        IJ.runMacro("selectImage(" + fresh.getID() + ");\n" + recorded);
        ImagePlus replayed = await(() -> WindowManager.getImage(title), "the replayed protected image to open");
        IJ.saveAs(replayed, "PNG", out.resolve("replayed.png").toString());
        System.exit(0);
    }

    /** Clicks the dialog's button {@code index} (0 is OK) as a user would. */
    static void click(GenericDialog gd, int index) throws Exception {
        Button b = gd.getButtons()[index];
        java.awt.EventQueue.invokeAndWait(() -> gd.actionPerformed(new ActionEvent(b, ActionEvent.ACTION_PERFORMED,
                b.getLabel())));
    }

    static GenericDialog openDialog(String titleStart) {
        for (Window w : Window.getWindows()) {
            if (w instanceof GenericDialog gd && gd.isShowing() && gd.getTitle().startsWith(titleStart)) {
                return gd;
            }
        }
        return null;
    }

    /** Polls until {@code condition} gives a non-null, non-false value; exits the JVM with 3 on timeout. */
    static <T> T await(Supplier<T> condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < end) {
            T value = condition.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            Thread.sleep(100);
        }
        System.err.println("RecorderSession: timed out waiting for " + what);
        System.exit(3);
        return null;
    }
}
