package org.scrim.imagej;

import ij.IJ;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.ImageFormat;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.statement.Provenance;

/**
 * Plugins > Scrim > Protect Folder...: protects every image of a folder into another folder under the same names,
 * tagged "no AI training", as {@code scrim protect --out-dir} does, one file at a time with the models loaded once.
 * A file that cannot be protected is named in the Log with the reason and the others go on; Esc stops after the
 * step under way. Nothing is written over: not the inputs, not a file already in the output folder.
 */
public class Protect_Folder implements PlugIn {
    @Override
    public void run(String arg) {
        double strength;
        try {
            // macros recorded when this dialog had a preset choice say preset=low|default|high
            strength = Protect_Image.strengthOf(Macro.getOptions());
        } catch (IllegalArgumentException e) {
            Failures.report("Cannot protect the folder: " + e.getMessage());
            return;
        }
        GenericDialog gd = new GenericDialog("Scrim: protect folder");
        gd.addDirectoryField("Input folder", "", 40);
        gd.addDirectoryField("Output folder", "", 40);
        gd.addChoice("Mode", Requests.MODES, "mask");
        Protect_Image.addStrength(gd, strength);
        gd.addChoice("Effort", Requests.EFFORTS, "default");
        gd.addChoice("Decoy style (mask)", Requests.decoyChoices(), Requests.AUTO);
        gd.addStringField("Anchors (poison: image file or folder)", "", 40);
        gd.addHelp(Help.PROTECT_FOLDER);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return;
        }
        String input = gd.getNextString();
        String output = gd.getNextString();
        String mode = gd.getNextChoice();
        strength = gd.getNextNumber();
        String effort = gd.getNextChoice();
        String decoy = gd.getNextChoice();
        String anchors = gd.getNextString();
        if (!Protect_Image.validStrength(gd, strength)) {
            Failures.report(Protect_Image.STRENGTH_RANGE);
            return;
        }
        try {
            if (Requests.blank(input) || !Files.isDirectory(Path.of(input))) {
                throw new IOException("the input folder '" + input + "' is not a folder");
            }
            if (Requests.blank(output)) {
                throw new IOException("choose an output folder for the protected images");
            }
            Path in = Path.of(input).toRealPath();
            Path out = Files.createDirectories(Path.of(output)).toRealPath();
            if (in.equals(out)) {
                throw new IOException("the output folder is the input folder: the protected images would replace "
                        + "the originals. Choose another folder");
            }
            List<Path> files = ImageFiles.imagesIn(in);
            if (files.isEmpty()) {
                throw new IOException("no PNG, JPEG, TIFF or WebP image in " + in);
            }
            Strength asked = Strength.of(null, strength, Requests.effort(effort), null);
            ProtectRequest request = Requests.request(Requests.mode(mode), asked, decoy, "", anchors, 1,
                    ProtectRequest.DEFAULT_WORK_SIZE);
            IJ.log("Scrim: protecting " + files.size() + " images of " + in + ": " + asked.inWords());
            protectAll(EngineSettings.engine(), files, out, request);
        } catch (IOException | RuntimeException e) {
            Failures.report("Cannot protect the folder " + input, e);
        } finally {
            IJ.showProgress(1.0);
        }
    }

    /** Protects each file into {@code out}, saying in the Log what became of each; returns how many were protected. */
    static int protectAll(EngineSettings.Engine engine, List<Path> files, Path out, ProtectRequest request) {
        IJ.resetEscape();
        int done = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Path target = out.resolve(writableName(file));
            try {
                if (Files.exists(target)) {
                    throw new IOException(target + " exists already and is left as it is");
                }
                Provenance earlier = recordedIn(file);
                if (earlier != null) {
                    throw new IOException("Scrim protected it already (" + earlier.protection() + "); protecting "
                            + "it again would add a second change and make it more visible");
                }
                engine.protectFile(file, target, request, true,
                        new Protect_Image.IjProgress("Scrim: " + file.getFileName() + ": ", "file", i + 1,
                                files.size()));
                done++;
                IJ.log("Scrim: protected " + file.getFileName() + " into " + target
                        + (target.getFileName().equals(file.getFileName()) ? ""
                                : " (as PNG: Scrim reads WebP but cannot write it)"));
            } catch (CancellationException e) {
                IJ.log("Scrim: stopped at " + file.getFileName() + " (Esc); " + done + " of " + files.size()
                        + " images were protected into " + out);
                return done;
            } catch (IOException | RuntimeException e) {
                IJ.log("Scrim: " + file.getFileName() + " NOT protected: " + Failures.reason(e));
            }
        }
        int failed = files.size() - done;
        String summary = "protected " + done + " of " + files.size() + " images into " + out
                + (failed > 0 ? "; " + failed + " not (the Log says why)" : "");
        IJ.log("Scrim: " + summary);
        IJ.showStatus("Scrim: " + summary);
        return done;
    }

    /**
     * The output's name: the file's own, or for a format Scrim reads but cannot write (WebP) the same name as PNG,
     * which keeps every pixel and the alpha.
     */
    static String writableName(Path file) {
        String name = file.getFileName().toString();
        boolean writable = ImageFormat.forPath(file).map(ImageFormat::writable).orElse(true);
        int dot = name.lastIndexOf('.');
        return writable || dot < 0 ? name : name.substring(0, dot) + ".png";
    }

    /** The protection a file's XMP records; null also when its metadata cannot be read, as reading it then says why. */
    private static Provenance recordedIn(Path file) {
        try {
            return Recorded.inFile(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
