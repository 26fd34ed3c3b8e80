package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scrim.engine.imageio.AtomicFiles;

/**
 * Writes the AI view of an image file (the decoder's rendering of its latent, beside that of another file when one is
 * given) as PNG: the SciJava form of Show AI View, for Fiji scripts and headless runs.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>Scrim>AI View of Files...",
        iconPath = "/icons/scrim-shield-16.png")
public class AiViewCommand implements Command {
    @Parameter(label = "Image")
    private File image;

    @Parameter(label = "Compare with (shown left)", required = false)
    private File compare;

    @Parameter(label = "Analysis size (long side, px)", min = "8")
    private int analysisSize = org.scrim.engine.protect.ProtectRequest.DEFAULT_WORK_SIZE;

    @Parameter(label = "AI view (.png)", style = "save")
    private File output;

    @Override
    public void run() {
        try {
            ImagePlus view = Show_AI_View.aiView(open(image), compare == null ? null : open(compare), analysisSize);
            AtomicFiles.write(output.toPath(), out -> ImageIO.write(view.getBufferedImage(), "png", out));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot render the AI view of " + image + ": " + e.getMessage(), e);
        }
    }

    private static ImagePlus open(File f) throws IOException {
        ImagePlus imp = IJ.openImage(f.getPath());
        if (imp == null) {
            throw new IOException(f + ": ImageJ cannot open it");
        }
        return imp;
    }
}
