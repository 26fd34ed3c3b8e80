package org.scrim.engine.runtime.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * Gives the C allocator's free memory back to the system (glibc's {@code malloc_trim}) when an ONNX Runtime session
 * closes. ONNX Runtime frees its working memory after each run (its arena is off), but glibc keeps what was freed
 * for later allocations: after the optimisation, hundreds of megabytes that the full-size finishing, in Java, never
 * uses. Not done after each run: the next run would fault those pages in again.
 *
 * <p>It also fixes glibc's mmap threshold at {@link #MMAP_THRESHOLD}. glibc raises the threshold to the size of each
 * mmapped block it frees (up to 32 MiB), so after the first 16 MiB activation (64 channels at 256 px, TAEF2's
 * commonest) is freed, every later one is carved from the thread's malloc arena, where freed ones leave holes that
 * the next do not fit: during a 512 px step the arena grew by about 0.7 GB over what ONNX Runtime had allocated.
 * Fixed, blocks of 16 MiB and more come from mmap and go back to the system when freed; smaller ones stay in the
 * arena, where mmap's page faults would cost more (a 4 MiB threshold: 7% more CPU for the same peak).
 * Without glibc (macOS, Windows, musl) this class does nothing.
 */
final class NativeMemory {
    /** glibc's mallopt parameter M_MMAP_THRESHOLD. */
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 16 << 20;
    private static final Function MALLOC_TRIM = glibcFunction("malloc_trim");
    private static final Function MALLOPT = glibcFunction("mallopt");

    private NativeMemory() {}

    /** Fixes the mmap threshold; called as each session opens, before its runs allocate. */
    static void fixMmapThreshold() {
        if (MALLOPT != null) {
            MALLOPT.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD});
        }
    }

    static void release() {
        if (MALLOC_TRIM != null) {
            MALLOC_TRIM.invokeInt(new Object[] {new NativeLong(0)});
        }
    }

    /** A glibc function, or null without glibc (or without JNA's native part, which a host may lack). */
    private static Function glibcFunction(String name) {
        try {
            return Platform.isLinux()
                    ? NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction(name) : null;
        } catch (LinkageError e) {
            return null;
        }
    }
}
