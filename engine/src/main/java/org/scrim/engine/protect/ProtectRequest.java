package org.scrim.engine.protect;

import java.util.List;
import org.scrim.engine.tensor.RgbImage;

/**
 * What to protect against and how hard.
 *
 * @param mode          mask (style), poison (concept) or both
 * @param preset        strength: visibility bound, L-inf cap and number of steps
 * @param maxVisibility overrides the preset's visibility bound when not null (a front end states both through
 *                      {@link Strength}, the one rule that makes them from its choices)
 * @param decoy         the decoy style for mask; null picks the best one for the image
 * @param decoyImage    a decoy image given by the user instead of a procedural style (any size); may be null
 * @param anchors       anchor images of another concept for poison (any sizes); averaged in latent space
 * @param seed          makes the decoy, the transformation schedule and therefore the result repeatable
 * @param workSize      the largest long side of the perturbation: it lives at the image's own size, or at its
 *                      largest trainer view's (area 1024 px squared) where smaller, up to this; larger images get it
 *                      upsampled
 * @param steps         optimisation steps; null takes the preset's
 */
public record ProtectRequest(Mode mode, Preset preset, Double maxVisibility, Decoy decoy, RgbImage decoyImage,
        List<RgbImage> anchors, long seed, int workSize, Integer steps) {
    public static final int DEFAULT_WORK_SIZE = 2048;
    /** Smallest working size: the encoders downsample by 8 and their latents need a few cells to mean anything. */
    public static final int MIN_WORK_SIZE = 64;
    /** SSIMULACRA 1 is a picture unlike the original: a bound above it bounds nothing. */
    public static final double MAX_VISIBILITY = 1.0;
    /**
     * Largest working size: the model's graphs need memory growing with its square (a 2048 px step on the CPU takes
     * over a minute and gigabytes), and trainers work at 512 to 1024 px.
     */
    public static final int MAX_WORK_SIZE = 2048;

    public ProtectRequest {
        anchors = anchors == null ? List.of() : List.copyOf(anchors);
        if (mode.poisons() && anchors.isEmpty()) {
            throw new IllegalArgumentException("poison needs at least one anchor image of another concept "
                    + "(--anchor FILE or FOLDER)");
        }
        Strength.checkBound(maxVisibility);
        if (steps != null) {
            Strength.checkSteps(steps);
        }
        if (workSize < MIN_WORK_SIZE || workSize > MAX_WORK_SIZE) {
            throw new IllegalArgumentException("work size must be at least " + MIN_WORK_SIZE + " and at most "
                    + MAX_WORK_SIZE + " pixels, got " + workSize);
        }
    }

    /** A request for {@code mode} at {@code strength}; what the builder is not told stays the engine's default. */
    public static Builder builder(Mode mode, Strength strength) {
        return new Builder(mode, strength);
    }

    /** A request for {@code mode} at {@code preset}'s own bound and steps. */
    public static Builder builder(Mode mode, Preset preset) {
        return builder(mode, Strength.of(preset));
    }

    /**
     * Builds a request from the choices a front end has: each setter is called for a choice that was made, and what
     * is never set keeps its default (the engine's decoy, seed 1, 2048 px).
     */
    public static final class Builder {
        /** The decoy name that lets the engine choose, as the CLI, the service and the editors spell it. */
        public static final String AUTO_DECOY = "auto";

        private final Mode mode;
        private final Strength strength;
        private Decoy decoy;
        private RgbImage decoyImage;
        private List<RgbImage> anchors = List.of();
        private long seed = 1;
        private int workSize = DEFAULT_WORK_SIZE;

        private Builder(Mode mode, Strength strength) {
            this.mode = mode;
            this.strength = strength;
        }

        public Builder decoy(Decoy decoy) {
            this.decoy = decoy;
            return this;
        }

        /** A decoy by name, or {@link #AUTO_DECOY} (any case) for the engine's choice. */
        public Builder decoy(String name) {
            return decoy(name.trim().equalsIgnoreCase(AUTO_DECOY) ? null : Decoy.parse(name));
        }

        public Builder decoyImage(RgbImage image) {
            this.decoyImage = image;
            return this;
        }

        public Builder anchors(List<RgbImage> images) {
            this.anchors = images;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder workSize(int pixels) {
            this.workSize = pixels;
            return this;
        }

        /** The request, checked: see {@link ProtectRequest}'s constructor for what is refused. */
        public ProtectRequest build() {
            return new ProtectRequest(mode, strength.preset(), strength.maxVisibility(), decoy, decoyImage, anchors,
                    seed, workSize, strength.steps());
        }
    }

    /** This request at another strength (its files are not read again: the editors' preview follows a slider). */
    public ProtectRequest withStrength(Strength strength) {
        return new ProtectRequest(mode, strength.preset(), strength.maxVisibility(), decoy, decoyImage, anchors, seed,
                workSize, strength.steps());
    }

    public double visibilityBound() {
        return maxVisibility != null ? maxVisibility : preset.maxVisibility;
    }

    /**
     * The bound the result meets, in butteraugli's max distance: the preset's, or the one of the strength given on
     * the SSIMULACRA scale ({@link Preset#butteraugliFor}).
     */
    public double butteraugliBound() {
        return maxVisibility != null ? Preset.butteraugliFor(maxVisibility) : preset.maxButteraugli;
    }

    public int stepCount() {
        return steps != null ? steps : preset.steps;
    }
}
