package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one check every command that writes makes before any work: no output may replace one of the command's inputs
 * (unless it rewrites that very input in place, as asked), another output of the same run, or a folder. Files are
 * compared by where they really are, symbolic links followed, so {@code od/x.png} and a link to it are one file.
 */
final class WriteGuard {
    /** An output and the input it is made from (null when it is made from several, such as an AI view). */
    record Write(Path source, Path output) {}

    private WriteGuard() {}

    /**
     * Refuses the run, naming both files, when an output is a folder, is one of {@code writes}' sources or
     * {@code otherInputs}, or is another output. With {@code inPlace} an output may be its own source.
     */
    static void check(List<Write> writes, List<Path> otherInputs, boolean inPlace) {
        check(writes, otherInputs, inPlace, true);
    }

    /** As {@link #check(List, List, boolean)} for a command that has no --in-place to suggest. */
    static void check(List<Write> writes, List<Path> otherInputs) {
        check(writes, otherInputs, false, false);
    }

    private static void check(List<Write> writes, List<Path> otherInputs, boolean inPlace, boolean inPlaceOffered) {
        Map<Path, Path> inputs = new HashMap<>();
        for (Write w : writes) {
            if (w.source() != null) {
                Path earlier = inputs.putIfAbsent(realLocation(w.source()), w.source());
                if (earlier != null) {
                    throw new ScrimCommand.UsageException(earlier + " and " + w.source() + " are the same file (a "
                            + "link to it, or given twice); give it once; nothing was written");
                }
            }
        }
        for (Path p : otherInputs) {
            inputs.putIfAbsent(realLocation(p), p);
        }
        Map<Path, Write> outputs = new HashMap<>();
        for (Write w : writes) {
            if (Files.isDirectory(w.output())) {
                throw new ScrimCommand.UsageException(w.output() + " is a folder; name an output file");
            }
            Path real = realLocation(w.output());
            Write earlier = outputs.put(real, w);
            if (earlier != null) {
                throw new ScrimCommand.UsageException(describe(earlier) + " and " + describe(w)
                        + ": the same file, so one result would overwrite the other (inputs with the same name "
                        + "into one folder?); nothing was written");
            }
            Path input = inputs.get(real);
            boolean ownSource = w.source() != null && real.equals(realLocation(w.source()));
            if (input != null && !(inPlace && ownSource)) {
                throw new ScrimCommand.UsageException(describe(w) + " would replace the input " + input
                        + (ownSource && inPlaceOffered ? "; use --in-place to replace originals" : "")
                        + "; nothing was written");
            }
        }
    }

    private static String describe(Write w) {
        return w.source() == null ? w.output().toString() : w.source() + " -> " + w.output();
    }

    /**
     * Where {@code p} really is: links followed through to the file, or for a file not there yet, its real folder
     * and name (a dangling link stays as it is: writing through it is refused later).
     */
    static Path realLocation(Path p) {
        Path absolute = p.toAbsolutePath().normalize();
        try {
            if (Files.exists(absolute)) {
                return absolute.toRealPath();
            }
            Path parent = absolute.getParent();
            if (parent != null && Files.exists(parent)) {
                return parent.toRealPath().resolve(Objects.requireNonNull(absolute.getFileName()));
            }
        } catch (IOException e) {
            // unreadable folders are compared by name; the write itself reports what is wrong
        }
        return absolute;
    }
}
