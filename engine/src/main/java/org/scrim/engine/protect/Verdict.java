package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A verification in words for an artist: strong, moderate or weak against the models checked, with one line on
 * what that means. Judged on the weakest closeness among the trainers' views and JPEG 75 and a 0.5x downscale
 * ({@link Verifier#JUDGED}), of every target the protection has and every encoder on its own, since a scraper or
 * trainer may do any of these before the model sees the image; it names that view.
 *
 * @param level   the judgement
 * @param models  the models the verification used, e.g. "taef2"
 * @param weakest the closeness it rests on
 * @param view    what the weakest figure's view is, e.g. "1024x1024 mirrored"
 * @param encoder the encoder it was measured on, or null for the mean over them
 */
public record Verdict(Level level, String models, double weakest, String view, String encoder) {
    /** Closeness is the fraction of the way from the original's latent to the target's. */
    public enum Level {
        /** A third of the way or more, whatever of the judged views the image is seen at. */
        STRONG(0.30, "The model's view of this image moved well toward the protection's decoy or anchor, at the "
                + "sizes, crops and mirrorings trainers use and after JPEG: training on it learns a good part of "
                + "that instead."),
        /** Between a sixth and a third of the way. */
        MODERATE(0.15, "The model's view moved toward the decoy or anchor, but at some size, crop or after JPEG "
                + "much of it is lost: a stronger preset protects more."),
        WEAK(Double.NEGATIVE_INFINITY, "The model barely sees the change at some size or crop a trainer uses: "
                + "against these models the image is close to unprotected there; try a stronger preset.");

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

    /** One judged figure: its value, its manipulation's name and the encoder (null for the mean). */
    private record Figure(double value, String name, String encoder) {}

    public static Verdict of(Verifier.Report report, String models) {
        // with several encoders each is judged on its own: a mean would hide a model the change does not reach
        List<Figure> figures = new ArrayList<>();
        report.byEncoder().forEach((encoder, f) -> addJudged(figures, f, encoder));
        report.poisonByEncoder().forEach((encoder, f) -> addJudged(figures, f, encoder));
        addJudged(figures, report.closeness(), null);
        addJudged(figures, report.poisonCloseness(), null);
        Figure weakest = figures.stream().min(Comparator.comparingDouble(Figure::value))
                .orElseThrow(() -> new IllegalArgumentException("the report has no closeness to judge"));
        Level level = Stream.of(Level.values()).filter(l -> weakest.value >= l.from).findFirst().orElseThrow();
        return new Verdict(level, models, weakest.value, report.views().getOrDefault(weakest.name, weakest.name),
                weakest.encoder);
    }

    private static void addJudged(List<Figure> figures, Map<String, Double> byName, String encoder) {
        byName.forEach((name, value) -> {
            if (Verifier.JUDGED.contains(name)) {
                figures.add(new Figure(value, name, encoder));
            }
        });
    }

    /** "moderate against the models checked (taef2); weakest at 1024x1024 mirrored on taef2: 0.21". */
    public String headline() {
        return level.word() + " against the models checked (" + models + "); weakest at " + view
                + (encoder != null ? " on " + encoder : "") + String.format(Locale.ROOT, ": %.2f", weakest);
    }

    /** The one line on what the level means. */
    public String meaning() {
        return level.meaning;
    }
}
