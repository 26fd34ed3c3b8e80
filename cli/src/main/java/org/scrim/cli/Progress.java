package org.scrim.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.scrim.engine.protect.ProgressListener;

/**
 * Shows a protection's progress: a bar with ETA for people, or {@code progress STEP TOTAL} / {@code phase NAME}
 * lines for programs (the Krita bridge reads them), or nothing.
 */
final class Progress implements ProgressListener, AutoCloseable {
    enum Style { BAR, LINES, NONE }

    private final Style style;
    private final String label;
    private final PrintStream err;
    private ProgressBar bar;

    Progress(Style style, String label, PrintStream err) {
        this.style = style;
        this.label = label;
        this.err = err;
    }

    @Override
    public void phase(String name) {
        if (style == Style.LINES) {
            err.println("phase " + name);
        } else if (style == Style.BAR && bar == null) {
            err.println(label + ": " + name);
        }
    }

    @Override
    public void step(int done, int total) {
        switch (style) {
            case LINES -> err.println("progress " + done + " " + total);
            case BAR -> {
                if (bar == null) {
                    bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII).setConsumer(
                                    new me.tongfei.progressbar.ConsoleProgressBarConsumer(err)).build();
                }
                bar.stepTo(done);
            }
            case NONE -> { }
        }
        err.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
