package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.io.FileSaver;
import ij.plugin.PlugIn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.metadata.DataMining;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.metadata.NoAiTags;
import org.scrim.engine.metadata.Provenance;

/**
 * Plugins > Scrim > Save Protected As...: saves the image as PNG, JPEG or TIFF with the "no AI training" statement
 * (IPTC data-mining, plus what Scrim did when the image was protected in this session) in its XMP.
 */
public class Save_Protected implements PlugIn {
    @Override
    public void run(String arg) {
        ImagePlus imp = IJ.getImage();
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
        Path out = Path.of(gd.getNextString());
        String creator = gd.getNextString();
        try {
            save(imp, out, new NoAiTags(DataMining.PROHIBITED_AI_ML_TRAINING, null,
                    Requests.blank(creator) ? List.of() : List.of(creator), gd.getNextString(), null,
                    provenance(imp)));
            IJ.showStatus("Scrim: saved " + out);
        } catch (IOException | RuntimeException e) {
            IJ.error("Scrim", "Could not save " + out + ": " + e.getMessage());
        }
    }

    /** Writes with ImageJ's own saver beside {@code out}, then tags into place. */
    static void save(ImagePlus imp, Path out, NoAiTags tags) throws IOException {
        String name = out.getFileName().toString();
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase();
        MetadataWriter.writeTagged(out, staged -> {
            FileSaver saver = new FileSaver(imp);
            boolean ok = switch (ext) {
                case "png" -> saver.saveAsPng(staged.toString());
                case "jpg", "jpeg" -> saver.saveAsJpeg(staged.toString());
                case "tif", "tiff" -> saver.saveAsTiff(staged.toString());
                default -> throw new IOException("cannot save '" + name + "': use .png, .jpg or .tif");
            };
            if (!ok) {
                throw new IOException("ImageJ could not write " + staged);
            }
        }, tags);
    }

    /** What Protect recorded on the image, or "metadata only" when it was not protected in this session. */
    static Provenance provenance(ImagePlus imp) {
        String mode = imp.getProp(Protect_Image.PROP_MODE);
        if (mode == null) {
            return Provenance.metadataOnly();
        }
        String seed = imp.getProp(Protect_Image.PROP_SEED);
        return new Provenance(mode, imp.getProp(Protect_Image.PROP_PRESET), imp.getProp(Protect_Image.PROP_MODEL),
                Provenance.scrimVersion(), imp.getProp(Protect_Image.PROP_DECOY),
                seed == null ? null : Long.valueOf(seed));
    }
}
