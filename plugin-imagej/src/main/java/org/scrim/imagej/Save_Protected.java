package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.io.FileSaver;
import ij.plugin.PlugIn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.imageio.ImageFormat;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

/**
 * Plugins > Scrim > Save Protected As...: saves the image as PNG, JPEG or TIFF with the "no AI training" statement
 * (IPTC data-mining, plus what Scrim did to the image) in its XMP. An image Scrim never protected is refused.
 */
public class Save_Protected implements PlugIn {
    @Override
    public void run(String arg) {
        ImagePlus imp = IJ.getImage();
        Provenance protection = Recorded.protection(imp);
        if (protection == null) {
            // Saving the original pixels under a ".protected" name would mislead the artist into sharing them.
            Failures.report(imp.getTitle() + " has not been protected, so Save Protected As... would save the "
                    + "original pixels. Protect it first with Plugins > Scrim > Mask Style... (or Poison Concept...), "
                    + "then save. To add only the \"no AI training\" statement to a file, use Add NoAI Tags...");
            return;
        }
        String dir = imp.getOriginalFileInfo() != null && imp.getOriginalFileInfo().directory != null
                ? imp.getOriginalFileInfo().directory : IJ.getDirectory("current");
        String base = imp.getTitle().replaceFirst("\\.[^.]*$", "");
        GenericDialog gd = new GenericDialog("Scrim: save protected");
        gd.addFileField("Path (.png, .jpg or .tif)", Path.of(dir == null ? "" : dir, base + ".protected.png")
                .toString(), 40);
        gd.addStringField("Creator (optional)", "", 30);
        gd.addStringField("Rights (optional copyright notice)", "", 30);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        // a bare name is saved beside the image, where the dialog proposed, not in ImageJ's working folder
        Path out = Path.of(dir == null ? "" : dir).resolve(gd.getNextString()).toAbsolutePath();
        String creator = gd.getNextString();
        try {
            save(imp, out, new NoAiTags(DataMining.PROHIBITED_AI_ML_TRAINING, null,
                    Requests.blank(creator) ? List.of() : List.of(creator), gd.getNextString(), null, protection));
            IJ.log("Scrim: saved the protected image to " + out);
            IJ.showStatus("Scrim: saved " + out);
        } catch (IOException | RuntimeException e) {
            Failures.report("Could not save " + out, e);
        }
    }

    /** Writes with ImageJ's own saver beside {@code out}, in a format Scrim writes, then tags into place. */
    static void save(ImagePlus imp, Path out, NoAiTags tags) throws IOException {
        ImageFormat format = ImageFormat.forPath(out).filter(ImageFormat::writable).orElseThrow(() -> new IOException(
                "cannot save '" + out.getFileName() + "': use one of ." + String.join(", .",
                        ImageFormat.writableExtensions())));
        MetadataWriter.writeTagged(out, staged -> {
            FileSaver saver = new FileSaver(imp);
            boolean ok = switch (format) {
                case PNG -> saver.saveAsPng(staged.toString());
                case JPEG -> saver.saveAsJpeg(staged.toString());
                case TIFF -> saver.saveAsTiff(staged.toString());
                default -> throw new IOException("ImageJ has no saver for " + format);
            };
            if (!ok) {
                throw new IOException("ImageJ could not write " + staged);
            }
        }, tags);
    }
}
