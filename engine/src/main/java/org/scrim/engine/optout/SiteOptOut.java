package org.scrim.engine.optout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.imageio.AtomicFiles;

/** Writes the opt-out files into the root folder of a static site, merging with what is already there. */
public final class SiteOptOut {
    private SiteOptOut() {}

    /** A merge from a file's current text (empty when it does not exist) to its new text. */
    @FunctionalInterface
    private interface Merge {
        String apply(String current) throws IOException;
    }

    /** Updates robots.txt, ai.txt and .well-known/tdmrep.json under {@code siteRoot}; returns the files changed. */
    public static List<Path> apply(Path siteRoot, OptOutKit kit) throws IOException {
        if (!Files.isDirectory(siteRoot)) {
            throw new IOException(siteRoot + ": site folder does not exist");
        }
        List<Path> changed = new ArrayList<>();
        update(siteRoot.resolve("robots.txt"), kit::mergeRobotsTxt, changed);
        update(siteRoot.resolve("ai.txt"), kit::mergeAiTxt, changed);
        update(siteRoot.resolve(".well-known").resolve("tdmrep.json"), kit::mergeTdmRep, changed);
        return changed;
    }

    private static void update(Path file, Merge merge, List<Path> changed) throws IOException {
        String current = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        String next;
        try {
            next = merge.apply(current);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (!next.equals(current)) {
            AtomicFiles.write(file, next.getBytes(StandardCharsets.UTF_8));
            changed.add(file);
        }
    }
}
