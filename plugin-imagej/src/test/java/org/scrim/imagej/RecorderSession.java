package org.scrim.imagej;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;
import java.awt.Button;
import java.awt.Choice;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A user's session in the real ImageJ, run by {@link ImageJRecorderTest} in its own JVM under Xvfb: with the Macro
 * Recorder open, the user picks Plugins > Scrim > Mask Style... from the menu, sets the dialog (preset high, decoy
 * pattern, seed 7, 3 steps) and clicks OK; the result is saved. Then the recorded macro text is replayed on a fresh
 * copy of the image and that result saved too. Uses only ImageJ's API, as the plugin lives in the plugins folder.
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
        GenericDialog gd = await(RecorderSession::openDialog, "the Mask Style dialog");
        ((Choice) gd.getChoices().get(0)).select("high");
        ((Choice) gd.getChoices().get(1)).select("pattern");
        ((TextField) gd.getNumericFields().get(0)).setText("7");
        ((TextField) gd.getNumericFields().get(1)).setText("3");
        Button ok = gd.getButtons()[0];
        java.awt.EventQueue.invokeAndWait(() -> gd.actionPerformed(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED,
                ok.getLabel())));
        String recorded = await(() -> recorder.getText().contains("Mask Style") ? recorder.getText() : null,
                "the Recorder to record the command");
        await(() -> imp.getProp("Scrim.mode"), "the protection to finish");
        IJ.saveAs(imp, "PNG", out.resolve("interactive.png").toString());
        Files.writeString(out.resolve("recorded.ijm"), recorded);

        ImagePlus fresh = IJ.openImage(input.toString());
        fresh.show();
        await(() -> IJ.getImage() == fresh, "the fresh copy's window to open");
        IJ.runMacro(recorded);
        IJ.saveAs(fresh, "PNG", out.resolve("replayed.png").toString());
        System.exit(0);
    }

    private static GenericDialog openDialog() {
        for (Window w : Window.getWindows()) {
            if (w instanceof GenericDialog gd && gd.isShowing() && gd.getTitle().startsWith("Scrim: protect")) {
                return gd;
            }
        }
        return null;
    }

    /** Polls until {@code condition} gives a non-null, non-false value; exits the JVM with 3 on timeout. */
    private static <T> T await(Supplier<T> condition, String what) throws InterruptedException {
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
