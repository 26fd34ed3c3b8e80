package org.scrim.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.io.FileInfo;
import ij.plugin.PlugIn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

/**
 * Plugins > Scrim > Add NoAI Tags...: writes the IPTC "Data Mining" statement and rights into image files on disk
 * (one file or every image in a folder) without touching their pixels, like {@code scrim tag}. Copies go to an
 * output folder unless the user asks to rewrite the files in place. A file that fails is logged and the rest go on.
 */
public class Add_NoAI_Tags implements PlugIn {
    @Override
    public void run(String arg) {
        GenericDialog gd = new GenericDialog("Scrim: add NoAI tags");
        Path suggested = currentFile();
        gd.addFileField("Files (image file or folder)", suggested == null ? "" : suggested.toString(), 40);
        gd.addChoice("Statement", Stream.of(DataMining.values()).map(DataMining::code).toArray(String[]::new),
                DataMining.PROHIBITED_AI_ML_TRAINING.code());
        gd.addStringField("Creator (optional)", "", 30);
        gd.addStringField("Rights (optional copyright notice)", "", 30);
        gd.addDirectoryField("Output folder", suggested == null ? "" : suggested.resolveSibling("noai").toString(),
                40);
        gd.addCheckbox("Rewrite the files in place instead", false);
        gd.addHelp(Help.TAGS);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String files = gd.getNextString();
        String statement = gd.getNextChoice();
        String creator = gd.getNextString();
        String rights = gd.getNextString();
        String output = gd.getNextString();
        boolean inPlace = gd.getNextBoolean();
        try {
            NoAiTags tags = new NoAiTags(DataMining.parse(statement), null,
                    Requests.blank(creator) ? List.of() : List.of(creator), rights, null, Provenance.metadataOnly());
            if (Requests.blank(files)) {
                throw new IllegalArgumentException("give an image file or a folder of images");
            }
            if (!inPlace && Requests.blank(output)) {
                throw new IllegalArgumentException("give an output folder, or tick \"Rewrite the files in place\"");
            }
            int failures = tag(ImageFiles.imagesIn(Path.of(files)), inPlace ? null : Path.of(output), tags);
            if (failures > 0) {
                Failures.report(failures + " file(s) could not be tagged; the Log window says why.");
            }
        } catch (IOException | RuntimeException e) {
            Failures.report("Could not tag " + files, e);
        }
    }

    /** Tags each file into {@code outputDir} (null: in place); logs each outcome and returns the failures. */
    static int tag(List<Path> files, Path outputDir, NoAiTags tags) {
        int[] done = {0};
        int failures = MetadataWriter.tagEach(files, outputDir, tags, new MetadataWriter.BatchListener() {
            @Override
            public void tagged(Path out) {
                IJ.log("Scrim: tagged " + out);
                IJ.showProgress(++done[0], files.size());
            }

            @Override
            public void replacedCredentials(Path in, String note) {
                IJ.log("Scrim: note: " + note);
            }

            @Override
            public void failed(Path in, IOException e) {
                IJ.log("Scrim: " + e.getMessage());
                IJ.showProgress(++done[0], files.size());
            }
        });
        IJ.showProgress(1.0);
        return failures;
    }

    /** The file the current image was opened from, if any, as the default. */
    private static Path currentFile() {
        ImagePlus imp = WindowManager.getCurrentImage();
        FileInfo fi = imp == null ? null : imp.getOriginalFileInfo();
        return fi == null || fi.directory == null || fi.fileName == null ? null : Path.of(fi.directory, fi.fileName);
    }
}
