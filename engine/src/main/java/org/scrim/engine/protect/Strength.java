package org.scrim.engine.protect;

import java.util.Locale;

/**
 * How hard to protect, as every front end states it: a preset, a visibility bound on the continuous scale between
 * the presets (the editors' strength slider, the CLI's {@code --max-visibility}), an effort, and steps for who
 * wants to name them. This is the one rule that turns those choices into the request's preset, bound and steps, so
 * the CLI, the service, ImageJ and Krita make the same request from the same strength:
 * <ul>
 * <li>a bound picks the preset nearest it ({@link Preset#nearest}), whose per-pixel cap and steps it takes; a named
 *     preset must be that one (a bound and a preset that disagree are refused, not silently reconciled);</li>
 * <li>a bound that is its preset's own is that preset (no override, as the provenance records it);</li>
 * <li>without a bound, the preset (default: {@link Preset#DEFAULT}) gives the bound;</li>
 * <li>the steps are those named, else the effort's at that preset ({@link Effort#steps}).</li>
 * </ul>
 *
 * @param preset        the preset: per-pixel cap, and the bound and steps unless overridden
 * @param maxVisibility a bound other than the preset's, or null for the preset's own
 * @param effort        how much work the optimisation may take
 * @param steps         optimisation steps
 */
public record Strength(Preset preset, Double maxVisibility, Effort effort, int steps) {
    /** Two bounds this close are one: the editors and the service pass a bound with four decimals. */
    private static final double SAME_BOUND = 1e-6;

    public Strength {
        checkBound(maxVisibility);
        checkSteps(steps);
    }

    /** Refuses a bound that is not a visibility (SSIMULACRA above 0, at most 1); null is no bound. */
    static void checkBound(Double maxVisibility) {
        if (maxVisibility != null && !(maxVisibility > 0 && maxVisibility <= ProtectRequest.MAX_VISIBILITY)) {
            throw new IllegalArgumentException("max visibility must be above 0 and at most "
                    + ProtectRequest.MAX_VISIBILITY + " (SSIMULACRA: " + boundsInWords() + "), got " + maxVisibility);
        }
    }

    static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
    }

    /** A preset at its own bound and default effort. */
    public static Strength of(Preset preset) {
        return of(preset, null, null, null);
    }

    /**
     * The strength for a front end's choices; each may be null for "not chosen".
     *
     * @param preset        a named preset; null takes the one nearest {@code maxVisibility}, or the default
     * @param maxVisibility a visibility bound (SSIMULACRA) on the continuous scale
     * @param effort        null for {@link Effort#DEFAULT}
     * @param steps         null for the effort's steps at the preset
     */
    public static Strength of(Preset preset, Double maxVisibility, Effort effort, Integer steps) {
        Preset p = preset;
        Double bound = maxVisibility;
        if (bound != null) {
            Preset nearest = Preset.nearest(bound);
            if (p != null && p != nearest) {
                throw new IllegalArgumentException("preset " + name(p) + " and a visibility bound of " + bound
                        + " disagree: a bound takes the preset nearest it (" + name(nearest) + "; "
                        + boundsInWords() + "). Give the bound alone, or the preset alone");
            }
            p = nearest;
            if (Math.abs(bound - p.maxVisibility) < SAME_BOUND) {
                bound = null;
            }
        }
        if (p == null) {
            p = Preset.DEFAULT;
        }
        Effort e = effort == null ? Effort.DEFAULT : effort;
        return new Strength(p, bound, e, steps == null ? e.steps(p) : steps);
    }

    /** The visibility bound the result keeps to. */
    public double visibilityBound() {
        return maxVisibility != null ? maxVisibility : preset.maxVisibility;
    }

    /**
     * How long this strength takes against its preset at the default effort, e.g. 2.0 for twice as long: the steps
     * are nearly all of a protection's time, and the time a step takes depends on the machine and the image, which
     * the front ends measure as the steps go.
     */
    public double timeAgainstDefault() {
        return steps / (double) preset.steps;
    }

    /**
     * What this strength does, said before a protection starts: "preset high, butteraugli within 4.00, 60 steps
     * (effort max, about 2.0x the default's time)", the time being the only estimate the engine can make before
     * the first step is timed.
     */
    public String inWords() {
        String words = String.format(Locale.ROOT, "preset %s, butteraugli within %.2f, %d steps", name(preset),
                Preset.butteraugliFor(visibilityBound()), steps);
        if (steps == preset.steps) {
            return words;
        }
        return words + String.format(Locale.ROOT, " (%s, about %.1fx the default's time)",
                steps == effort.steps(preset) ? "effort " + effort.cliName() : "steps named", timeAgainstDefault());
    }

    /**
     * The largest bound that takes {@code preset} ({@link Preset#nearest}: halfway to the next preset's, a tie going
     * to the weaker), so an editor's slider names the preset a position takes without restating the rule.
     */
    public static double largestBoundTaking(Preset preset) {
        Preset[] presets = Preset.values();
        int next = preset.ordinal() + 1;
        return next == presets.length ? ProtectRequest.MAX_VISIBILITY
                : (preset.maxVisibility + presets[next].maxVisibility) / 2;
    }

    /** "low 0.05, default 0.09, high 0.14": each preset's bound, for messages. */
    public static String boundsInWords() {
        StringBuilder words = new StringBuilder();
        for (Preset p : Preset.values()) {
            words.append(words.length() == 0 ? "" : ", ").append(name(p)).append(' ').append(p.maxVisibility);
        }
        return words.toString();
    }

    private static String name(Preset p) {
        return p.name().toLowerCase(Locale.ROOT);
    }
}
