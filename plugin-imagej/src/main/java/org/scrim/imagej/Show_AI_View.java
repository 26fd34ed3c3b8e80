package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import java.awt.Rectangle;
import java.io.IOException;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.tensor.RgbImage;

/**
 * Plugins > Scrim > Show AI View: what the model "sees", the decoder's rendering of the image's latent at the
 * analysis size, optionally beside the same rendering of another image (the clean original on the left). Display
 * only: protections never optimise through the decoder.
 */
public class Show_AI_View implements PlugIn {
    static final String NONE = "none";

    @Override
    public void run(String arg) {
        ImagePlus current = WindowManager.getCurrentImage();
        if (current == null) {
            Failures.report("There is no image open: open the image to work on first.");
            return;
        }
        String[] titles = WindowManager.getImageTitles();
        String[] others = new String[titles.length + 1];
        others[0] = NONE;
        System.arraycopy(titles, 0, others, 1, titles.length);
        GenericDialog gd = new GenericDialog("Scrim: AI view");
        gd.addChoice("Image", titles, current.getTitle());
        gd.addChoice("Compare with (shown left)", others, NONE);
        gd.addNumericField("Analysis size (long side, px)", ProtectRequest.DEFAULT_WORK_SIZE, 0);
        gd.addHelp(Help.AI_VIEW);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        ImagePlus image = WindowManager.getImage(gd.getNextChoice());
        String compare = gd.getNextChoice();
        int size = (int) gd.getNextNumber();
        try {
            IJ.showStatus("Scrim: decoding");
            aiView(image, NONE.equals(compare) ? null : WindowManager.getImage(compare), size).show();
            IJ.showStatus("");
        } catch (IOException | RuntimeException e) {
            Failures.report("AI view failed", e);
        }
    }

    /** The decoder's rendering of {@code image} (current slice, or a colour composite's picture), beside that of {@code left} when given. */
    static ImagePlus aiView(ImagePlus image, ImagePlus left, int analysisSize) throws IOException {
        if (analysisSize < 8) {
            throw new IllegalArgumentException("analysis size " + analysisSize + " is below the model's 8 px");
        }
        try (TaeCodec codec = EngineSettings.codec()) {
            RgbImage right = render(codec, image, analysisSize);
            if (left == null) {
                return new ImagePlus("AI view of " + image.getTitle(), ImageTensors.toImage(right));
            }
            RgbImage l = render(codec, left, analysisSize);
            if (l.height() != right.height()) {
                throw new IllegalArgumentException(left.getTitle() + " and " + image.getTitle()
                        + " render at different heights; compare images of the same size");
            }
            return new ImagePlus("AI view: " + left.getTitle() + " | " + image.getTitle(),
                    ImageTensors.toImage(ImageTensors.sideBySide(l, right)));
        }
    }

    private static RgbImage render(TaeCodec codec, ImagePlus imp, int analysisSize) {
        RgbImage x = ProcessorTensors.toRgb(ProcessorTensors.shown(imp),
                new Rectangle(imp.getWidth(), imp.getHeight()));
        return RgbImage.of(codec.decode(codec.encode(Transforms.downscale(x, analysisSize).tensor())), "rendering");
    }
}
