package org.scrim.engine.protect;

/** Hears how a protection advances, and may stop it. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {};

    /** A new phase starts (e.g. "choosing decoy", "optimising", "verifying"). */
    default void phase(String name) {}

    /** {@code done} of {@code total} optimisation steps are complete. */
    default void step(int done, int total) {}

    /** True when the user asked to stop; the engine then throws {@link java.util.concurrent.CancellationException}. */
    default boolean cancelled() {
        return false;
    }
}
