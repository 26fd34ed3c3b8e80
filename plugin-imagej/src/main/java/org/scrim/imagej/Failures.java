package org.scrim.imagej;

import ij.IJ;
import ij.macro.Interpreter;
import java.awt.GraphicsEnvironment;
import org.scrim.engine.models.ModelUnavailableException;

/**
 * How a command says it failed. With someone at the screen: a short message box, wrapped, with the real reason.
 * In a batch or headless run nobody can answer a dialog (under {@code -batch} an invisible one waits forever): the
 * message goes to the Log and the macro that ran the command ends there, as after a macro error.
 */
final class Failures {
    private static final int LINE = 72;
    private static final int MAX_LINES = 8;

    private Failures() {}

    static void report(String message) {
        if (unattended()) {
            IJ.log("Scrim: " + message);
            Interpreter.abort();
            return;
        }
        String shown = wrap(message);
        if (shown.split("\n").length > MAX_LINES) {
            IJ.log("Scrim: " + message);
            shown = String.join("\n", java.util.Arrays.copyOf(shown.split("\n"), MAX_LINES))
                    + " ...\n(the whole message is in the Log window)";
        }
        IJ.error("Scrim", shown);
    }

    /** {@code what} failed, with the exception's reason in the user's words. */
    static void report(String what, Throwable e) {
        report(what + ": " + reason(e));
    }

    /** No one to answer a dialog: headless, a batch-mode macro, or ImageJ run with -batch (no main window). */
    static boolean unattended() {
        return GraphicsEnvironment.isHeadless() || Interpreter.isBatchMode() || IJ.getInstance() == null;
    }

    /** The exception's own words, or its cause's; a missing model gets what to do about it in ImageJ. */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelUnavailableException m) {
                return "Scrim needs its AI model file " + m.fileName() + " and could not download it ("
                        + m.reason() + "). Connect to the internet and try again (it is downloaded once), or copy "
                        + "the file into a folder and choose that folder as the Weights folder in Plugins > Scrim "
                        + "> Scrim Options...";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return "an unexpected " + e.getClass().getSimpleName();
    }

    /** Breaks the text into lines of at most about {@value #LINE} characters, at spaces. */
    static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            if (out.length() - lineStart + word.length() > LINE && out.length() > lineStart) {
                out.setCharAt(out.length() - 1, '\n');
                lineStart = out.length();
            }
            out.append(word).append(' ');
        }
        return out.toString().strip();
    }
}
