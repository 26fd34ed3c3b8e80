package org.scrim.engine.protect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A verification in words for an artist: strong, moderate or weak against the models checked, with one line on
 * what that means. Judged on the weakest closeness among the plain image, JPEG 75 and a 0.5x downscale (of every
 * target the protection has), since a scraper or trainer may do any of these before the model sees the image.
 *
 * @param level   the judgement
 * @param models  the models the verification used, e.g. "taef2"
 * @param weakest the closeness it rests on
 */
public record Verdict(Level level, String models, double weakest) {
    /** Closeness is the fraction of the way from the original's latent to the target's. */
    public enum Level {
        /** A third of the way or more, whatever of the three happens to the image. */
        STRONG(0.30, "The model's view of this image moved well toward the protection's decoy or anchor and stays "
                + "moved after JPEG and resizing: training on it learns a good part of that instead."),
        /** Between a sixth and a third of the way. */
        MODERATE(0.15, "The model's view moved toward the decoy or anchor, but JPEG or resizing take back much "
                + "of it: a stronger preset protects more."),
        WEAK(Double.NEGATIVE_INFINITY, "The model barely sees the change: against these models the image is "
                + "close to unprotected; try a stronger preset.");

        final double from;
        final String meaning;

        Level(double from, String meaning) {
            this.from = from;
            this.meaning = meaning;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final List<String> JUDGED = List.of(Verifier.PLAIN, "jpeg75", "downscale");

    public static Verdict of(Verifier.Report report, String models) {
        // with several encoders each is judged on its own: a mean would hide a model the change does not reach
        Stream<Map<String, Double>> figures = Stream.concat(
                Stream.of(report.closeness(), report.poisonCloseness()),
                Stream.concat(report.byEncoder().values().stream(), report.poisonByEncoder().values().stream()));
        double weakest = figures
                .flatMap(m -> m.entrySet().stream())
                .filter(e -> JUDGED.contains(e.getKey()))
                .mapToDouble(Map.Entry::getValue).min()
                .orElseThrow(() -> new IllegalArgumentException("the report has no closeness to judge"));
        Level level = Stream.of(Level.values()).filter(l -> weakest >= l.from).findFirst().orElseThrow();
        return new Verdict(level, models, weakest);
    }

    /** "moderate against the models checked (taef2)". */
    public String headline() {
        return level.word() + " against the models checked (" + models + ")";
    }

    /** The one line on what the level means. */
    public String meaning() {
        return level.meaning;
    }
}
