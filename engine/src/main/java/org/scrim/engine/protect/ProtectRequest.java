package org.scrim.engine.protect;

import java.util.List;
import org.scrim.engine.tensor.RgbImage;

/**
 * What to protect against and how hard.
 *
 * @param mode          mask (style), poison (concept) or both
 * @param preset        strength: visibility bound, L-inf cap and number of steps
 * @param maxVisibility overrides the preset's visibility bound when not null
 * @param decoy         the decoy style for mask; null picks the best one for the image
 * @param decoyImage    a decoy image given by the user instead of a procedural style (any size); may be null
 * @param anchors       anchor images of another concept for poison (any sizes); averaged in latent space
 * @param seed          makes the decoy, the transformation schedule and therefore the result repeatable
 * @param workSize      long side at which the perturbation is optimised (the scale trainers see); larger images get
 *                      the perturbation upsampled
 * @param steps         optimisation steps; null takes the preset's
 */
public record ProtectRequest(Mode mode, Preset preset, Double maxVisibility, Decoy decoy, RgbImage decoyImage,
        List<RgbImage> anchors, long seed, int workSize, Integer steps) {
    public static final int DEFAULT_WORK_SIZE = 512;
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
        if (maxVisibility != null && !(maxVisibility > 0 && maxVisibility <= MAX_VISIBILITY)) {
            throw new IllegalArgumentException("max visibility must be above 0 and at most " + MAX_VISIBILITY
                    + " (SSIMULACRA: 0.09 is the default, 0.14 high), got " + maxVisibility);
        }
        if (workSize < 64 || workSize > MAX_WORK_SIZE) {
            throw new IllegalArgumentException("work size must be at least 64 and at most " + MAX_WORK_SIZE
                    + " pixels, got " + workSize);
        }
        if (steps != null && steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
    }

    /** A request for {@code mode} at {@code preset}; what the builder is not told stays the preset's or the default. */
    public static Builder builder(Mode mode, Preset preset) {
        return new Builder(mode, preset);
    }

    /**
     * Builds a request from the choices a front end has: each setter is called for a choice that was made, and what
     * is never set keeps its default (the preset's bound and steps, the engine's decoy, seed 1, 512 px).
     */
    public static final class Builder {
        /** The decoy name that lets the engine choose, as the CLI, the service and the editors spell it. */
        public static final String AUTO_DECOY = "auto";

        private final Mode mode;
        private final Preset preset;
        private Double maxVisibility;
        private Decoy decoy;
        private RgbImage decoyImage;
        private List<RgbImage> anchors = List.of();
        private long seed = 1;
        private int workSize = DEFAULT_WORK_SIZE;
        private Integer steps;

        private Builder(Mode mode, Preset preset) {
            this.mode = mode;
            this.preset = preset;
        }

        public Builder maxVisibility(double bound) {
            this.maxVisibility = bound;
            return this;
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

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** The request, checked: see {@link ProtectRequest}'s constructor for what is refused. */
        public ProtectRequest build() {
            return new ProtectRequest(mode, preset, maxVisibility, decoy, decoyImage, anchors, seed, workSize, steps);
        }
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
