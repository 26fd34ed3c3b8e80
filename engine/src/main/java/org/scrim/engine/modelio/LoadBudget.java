package org.scrim.engine.modelio;

import java.nio.file.Path;

/**
 * What loading one model file may take, checked from the sizes the file declares before any tensor is read: a few
 * KB of sparse safetensors or a few MB of zip can declare gigabytes, and running out of heap half-way would take
 * the whole run down (OutOfMemoryError) instead of refusing the one file.
 */
final class LoadBudget {
    /** Parameters as float32; the TAE family takes a few MB, large encoders a few hundred. */
    static final long MAX_PARAMETER_BYTES = 1L << 30;

    private LoadBudget() {}

    /**
     * Refuses a file whose parameters would take more than {@link #MAX_PARAMETER_BYTES} as float32, or more than the
     * heap has free together with {@code transientBytes}, the raw data held while converting.
     */
    static void check(Path file, long parameterBytes, long transientBytes) {
        if (parameterBytes > MAX_PARAMETER_BYTES) {
            throw new CheckpointException(file + ": declares " + mib(parameterBytes) + " MiB of parameters (as"
                    + " float32), more than the " + mib(MAX_PARAMETER_BYTES) + " MiB Scrim loads; a surrogate encoder"
                    + " is far smaller, so the file is damaged, hostile or not an encoder");
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long needed = parameterBytes + transientBytes;
        if (needed > free) {
            throw new CheckpointException(file + ": needs " + mib(needed) + " MiB of memory to load and Java has "
                    + mib(free) + " MiB free; give Java more (SCRIM_JAVA_OPTS=-Xmx" + (mib(needed + rt.maxMemory()
                    - free) / 1024 + 1) + "g)");
        }
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
