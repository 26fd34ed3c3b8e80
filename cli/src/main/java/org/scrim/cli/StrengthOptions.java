package org.scrim.cli;

import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.Strength;
import picocli.CommandLine.Option;

/**
 * How hard to protect, as {@code scrim protect}, the service's query and {@code scrim info} take it: the choices the
 * engine's one rule ({@link Strength#of}) turns into a request's preset, bound and steps.
 */
final class StrengthOptions {
    @Option(names = "--preset", paramLabel = "low|default|high",
            description = "Strength: higher protects more and is more visible (`scrim info` lists each preset's "
                    + "visibility bound and steps). Default: default, or the one nearest --max-visibility.")
    Preset preset;

    @Option(names = "--max-visibility", paramLabel = "V",
            description = "Strength on the continuous scale between the presets, as the editors' strength slider "
                    + "(SSIMULACRA's scale: 0.05 low, 0.09 default, 0.14 high): it takes the nearest preset's "
                    + "per-pixel cap and steps, and the result is held to the butteraugli bound between the "
                    + "presets' (1.5, 2.5, 4).")
    Double maxVisibility;

    @Option(names = "--effort", paramLabel = "fast|default|max",
            description = "More effort spends more steps for more protection at the same visibility, and takes "
                    + "longer (max: about twice the time). Default: default.")
    Effort effort;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default: the preset's, as the "
            + "effort scales them).")
    Integer steps;

    /** The strength these options state. */
    Strength strength() {
        return Strength.of(preset, maxVisibility, effort, steps);
    }
}
