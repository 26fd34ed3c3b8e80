package org.scrim.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.usecase.FileProtector;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scrim protect}: the main job. Mask the style and/or poison the concept, tag the file, report. */
@Command(name = "protect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Protect images against AI training: adds a small perturbation that moves what AI encoders "
                + "see toward a decoy style (mask) and/or another concept (poison), writes 'no AI training' "
                + "metadata, and reports how well the protection holds.",
                "",
                "Your original is never changed: the result goes to NAME.protected.EXT beside it unless you say "
                        + "otherwise."},
        footer = {"", "Examples:",
                "  scrim protect painting.png",
                "  scrim protect --preset high --decoy mosaic painting.png -o painting-safe.png",
                "  scrim protect --mode poison --anchor cats/ dog.jpg",
                "  scrim protect --out-dir protected/ portfolio/"})
public final class ProtectCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE|FOLDER", description = "Images to protect (PNG, JPEG, TIFF); "
            + "a folder means every image in it.")
    List<Path> inputs;

    @ArgGroup(exclusive = true)
    OutputChoice output = new OutputChoice();

    static final class OutputChoice {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Output file (one input only).")
        Path file;

        @Option(names = "--out-dir", paramLabel = "DIR", description = "Write results into this folder.")
        Path dir;

        @Option(names = "--in-place", description = "Replace the input files (a copy is kept as NAME.orig, or "
                + "NAME.orig.1, .2, ... beside earlier ones, unless --no-backup).")
        boolean inPlace;
    }

    @Option(names = "--no-backup", description = "With --in-place: keep no .orig copy.")
    boolean noBackup;

    @Option(names = "--mode", defaultValue = "mask", paramLabel = "mask|poison|both",
            description = "mask: disguise the style; poison: pull toward another concept (needs --anchor); both. "
                    + "Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Mixin
    StrengthOptions strength;

    @Option(names = "--decoy", defaultValue = "auto", paramLabel = "NAME|auto",
            description = "Decoy style for mask: auto (the one that works best on this image), or one of "
                    + "posterize, mosaic, woodcut, sketch, pattern, hueshift. Default: ${DEFAULT-VALUE}.")
    String decoy;

    @Option(names = "--decoy-image", paramLabel = "FILE", description = "Use this image's style as the decoy.")
    Path decoyImage;

    @Option(names = "--anchor", paramLabel = "FILE|FOLDER",
            description = "Image(s) of another concept for poison; a folder is averaged. Repeatable.")
    List<Path> anchors = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "Same seed, same result. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--work-size", defaultValue = "" + ProtectRequest.DEFAULT_WORK_SIZE, paramLabel = "PX",
            description = "The largest long side the perturbation is computed at: it lives at the image's own "
                    + "size, or its largest trainer view's (area 1024x1024) where smaller, up to this, and is "
                    + "upsampled above. Default: ${DEFAULT-VALUE}.")
    int workSize;

    @Option(names = "--force", description = "Protect files that Scrim protected already (their metadata says so); "
            + "the changes add up and become more visible.")
    boolean force;

    @Option(names = "--no-verify", description = "Skip the quick verification after protecting.")
    boolean noVerify;

    @Option(names = "--no-tags", description = "Do not write the 'no AI training' metadata.")
    boolean noTags;

    @Mixin
    TagOptions tagOptions;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ReportOptions report;

    @Override
    public Integer call() throws IOException {
        if (noBackup && !output.inPlace) {
            throw new ScrimCommand.UsageException("--no-backup only applies with --in-place (other outputs never "
                    + "replace an input)");
        }
        List<Path> files = ImageInputs.expand(inputs);
        if (output.file != null && files.size() != 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "-o names one output file, but " + files.size() + " inputs were given: use --out-dir");
        }
        if (output.dir != null && Files.exists(output.dir) && !Files.isDirectory(output.dir)) {
            throw new ScrimCommand.UsageException("--out-dir " + output.dir + " is a file, not a folder");
        }
        if (!noTags) {
            tagOptions.validate();
        }
        List<WriteGuard.Write> writes = new ArrayList<>();
        for (Path in : files) {
            writes.add(new WriteGuard.Write(in, outputFor(in)));
        }
        List<Path> otherInputs = new ArrayList<>();
        for (Path anchor : anchors) {
            otherInputs.addAll(ImageFiles.imagesIn(anchor));
        }
        if (decoyImage != null) {
            otherInputs.add(decoyImage);
        }
        WriteGuard.check(writes, otherInputs, output.inPlace);
        ProtectRequest request;
        try {
            request = request();
        } catch (IllegalArgumentException e) {
            throw new ScrimCommand.UsageException(e.getMessage());
        }
        ReportingProtector protector = new ReportingProtector(modelOptions);
        report.announce(strength.strength().inWords());
        int failures = 0;
        for (WriteGuard.Write write : writes) {
            Path in = write.source();
            Path out = write.output();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("input", in.toString());
            entry.put("output", out.toString());
            Path backup = null;
            try (Progress progress = report.progress(in.getFileName().toString())) {
                refuseProtectingTwice(in);
                if (output.inPlace && !noBackup) {
                    backup = keepBackup(in);
                    entry.put("backup", backup.toString());
                }
                entry.put("ok", true);
                entry.putAll(protector.protect(in, out, request, noTags ? null : tagOptions, !noVerify, progress));
            } catch (IOException | RuntimeException e) {
                failures++;
                entry.put("ok", false);
                entry.put("error", e.getMessage());
                if (dropUnneededBackup(in, backup)) {
                    entry.remove("backup");
                }
            }
            report.fileDone(entry);
        }
        report.finish();
        return failures == 0 ? 0 : ScrimCommand.EXIT_FAILED;
    }

    /** The engine request for these options (the service's query parses into them too). */
    ProtectRequest request() throws IOException {
        ProtectRequest.Builder request = ProtectRequest.builder(mode, strength.strength()).decoy(decoy)
                .anchors(ImageInputs.readRgb(anchors)).seed(seed).workSize(workSize);
        if (decoyImage != null) {
            request.decoyImage(ImageFiles.read(decoyImage).toRgb());
        }
        return request.build();
    }

    private Path outputFor(Path in) {
        if (output.file != null) {
            return output.file;
        }
        if (output.inPlace) {
            return in;
        }
        String name = in.getFileName().toString();
        if (output.dir != null) {
            return output.dir.resolve(name);
        }
        int dot = name.lastIndexOf('.');
        return in.resolveSibling(dot <= 0 ? name + ".protected" : name.substring(0, dot) + ".protected"
                + name.substring(dot));
    }

    /** Protection on protection adds up and shows: a file whose provenance says it is protected needs --force. */
    private void refuseProtectingTwice(Path in) throws IOException {
        String earlier = force ? null : FileProtector.protectedAlready(in);
        if (earlier != null) {
            throw new IOException(in + ": " + earlier + ", or use --force");
        }
    }

    /**
     * After a failed in-place protection: the backup this run made, deleted when the original is still there as it
     * was (nothing replaced it), so a refusal leaves no stray copy. Returns whether it was deleted.
     */
    static boolean dropUnneededBackup(Path in, Path backup) {
        try {
            if (backup != null && Files.mismatch(in, backup) == -1) {
                Files.delete(backup);
                return true;
            }
        } catch (IOException e) {
            // the backup stays: it may be the only copy of the original
        }
        return false;
    }

    /**
     * Copies the original to NAME.orig before it is replaced, or to NAME.orig.1, .2, ... when earlier backups are
     * there: every original an artist had stays somewhere, and no backup is ever overwritten.
     */
    static Path keepBackup(Path in) throws IOException {
        String name = in.getFileName() + ".orig";
        for (int n = 0; ; n++) {
            Path backup = in.resolveSibling(n == 0 ? name : name + "." + n);
            try {
                Files.copy(in, backup);
                return backup;
            } catch (FileAlreadyExistsException e) {
                // an earlier run's backup: kept, the next number is tried
            }
        }
    }
}
