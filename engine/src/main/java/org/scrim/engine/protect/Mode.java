package org.scrim.engine.protect;

/** What a protection pulls the image's latent toward. */
public enum Mode {
    /** Style cloak: toward the latent of a procedural restyling (decoy) of the same image. */
    MASK,
    /** Concept poison: toward the latent of anchor images of another concept. */
    POISON,
    /** Both terms in one optimisation. */
    BOTH;

    public boolean masks() {
        return this != POISON;
    }

    public boolean poisons() {
        return this != MASK;
    }
}
