package org.scrim.imagej;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

/**
 * Writes the "no AI training" statement into image files without touching their pixels: the SciJava form of Add NoAI
 * Tags..., for Fiji scripts and headless runs. A file that fails is logged and the rest go on.
 */
@Plugin(type = Command.class, headless = true, menuPath = "Plugins>Scrim>Add NoAI Tags to Files...",
        iconPath = "/icons/scrim-shield-16.png")
public class TagImageFilesCommand implements Command {
    @Parameter(label = "Image file or folder", style = "both")
    private File files;

    @Parameter(label = "Output folder (empty: rewrite the files in place)", style = "directory", required = false)
    private File outputFolder;

    @Parameter(label = "Statement", choices = {"DMI-PROHIBITED-AIMLTRAINING", "DMI-PROHIBITED-GENAIMLTRAINING",
            "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", "DMI-PROHIBITED", "DMI-UNSPECIFIED", "DMI-ALLOWED"})
    private String statement = DataMining.PROHIBITED_AI_ML_TRAINING.code();

    @Parameter(label = "Creator", required = false)
    private String creator;

    @Parameter(label = "Rights (copyright notice)", required = false)
    private String rights;

    @Parameter(type = ItemIO.OUTPUT, label = "Files tagged")
    private int tagged;

    @Parameter(type = ItemIO.OUTPUT, label = "Files that failed")
    private int failed;

    @Parameter
    private LogService log;

    @Override
    public void run() {
        try {
            NoAiTags tags = new NoAiTags(DataMining.parse(statement), null,
                    Requests.blank(creator) ? List.of() : List.of(creator), rights, null, Provenance.metadataOnly());
            failed = MetadataWriter.tagEach(ImageFiles.imagesIn(files.toPath()),
                    outputFolder == null ? null : outputFolder.toPath(), tags, new MetadataWriter.BatchListener() {
                        @Override
                        public void tagged(Path out) {
                            tagged++;
                        }

                        @Override
                        public void replacedCredentials(Path in, String note) {
                            log.warn("Scrim: " + note);
                        }

                        @Override
                        public void failed(Path in, IOException e) {
                            log.error("Scrim: " + e.getMessage());
                        }
                    });
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot tag " + files + ": " + e.getMessage(), e);
        }
    }
}
