package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
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

        @Option(names = "--in-place", description = "Replace the input files (a .orig copy is kept unless "
                + "--no-backup).")
        boolean inPlace;
    }

    @Option(names = "--no-backup", description = "With --in-place: keep no .orig copy.")
    boolean noBackup;

    @Option(names = "--mode", defaultValue = "mask", paramLabel = "mask|poison|both",
            description = "mask: disguise the style; poison: pull toward another concept (needs --anchor); both. "
                    + "Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--preset", defaultValue = "default", paramLabel = "low|default|high",
            description = "Strength: higher protects more and is more visible. Default: ${DEFAULT-VALUE}.")
    Preset preset;

    @Option(names = "--max-visibility", paramLabel = "V",
            description = "Override the preset's visibility bound, in SSIMULACRA (0.05 barely visible, 0.09 default, "
                    + "0.14 high).")
    Double maxVisibility;

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

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default: the preset's).")
    Integer steps;

    @Option(names = "--work-size", defaultValue = "" + ProtectRequest.DEFAULT_WORK_SIZE, paramLabel = "PX",
            description = "Long side at which protection is computed (the size trainers see). Default: "
                    + "${DEFAULT-VALUE}.")
    int workSize;

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
        List<Path> files = ImageInputs.expand(inputs);
        if (output.file != null && files.size() != 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "-o names one output file, but " + files.size() + " inputs were given: use --out-dir");
        }
        ProtectRequest request = FileProtection.request(mode, preset, maxVisibility, decoy, decoyImage, anchors, seed,
                workSize, steps);
        FileProtection protection = new FileProtection(modelOptions);
        int failures = 0;
        for (Path in : files) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("input", in.toString());
            try (Progress progress = report.progress(in.getFileName().toString())) {
                Path out = outputFor(in);
                entry.put("output", out.toString());
                keepOriginal(in, out);
                entry.put("ok", true);
                entry.putAll(protection.protect(in, out, request, noTags ? null : tagOptions, !noVerify, progress));
            } catch (IOException | RuntimeException e) {
                failures++;
                entry.put("ok", false);
                entry.put("error", e.getMessage());
            }
            report.fileDone(entry);
        }
        report.finish();
        return failures == 0 ? 0 : ScrimCommand.EXIT_FAILED;
    }

    private Path outputFor(Path in) throws IOException {
        if (output.file != null) {
            return output.file;
        }
        if (output.inPlace) {
            return in;
        }
        String name = in.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (output.dir != null) {
            Files.createDirectories(output.dir);
            return output.dir.resolve(name);
        }
        return in.resolveSibling(name.substring(0, dot) + ".protected" + name.substring(dot));
    }

    /** Refuses to replace an input unless --in-place, and then keeps a backup first (unless --no-backup). */
    private void keepOriginal(Path in, Path out) throws IOException {
        boolean replacesInput = Files.exists(out) && Files.isSameFile(in, out);
        if (replacesInput && !output.inPlace) {
            throw new IOException(out + " is the input itself; use --in-place to replace originals");
        }
        if (replacesInput && !noBackup) {
            Path backup = in.resolveSibling(in.getFileName() + ".orig");
            if (!Files.exists(backup)) {
                Files.copy(in, backup);
            }
        }
    }
}
