package org.scrim.engine.runtime.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * Gives the C allocator's free memory back to the system (glibc's {@code malloc_trim}) when an ONNX Runtime session
 * closes. ONNX Runtime frees its working memory after each run (its arena is off), but glibc keeps what was freed
 * for later allocations: after the optimisation, hundreds of megabytes that the full-size finishing, in Java, never
 * uses. Not done after each run: the next run would fault those pages in again. Without glibc (macOS, Windows,
 * musl) this does nothing.
 */
final class NativeMemory {
    private static final Function MALLOC_TRIM = mallocTrim();

    private NativeMemory() {}

    static void release() {
        if (MALLOC_TRIM != null) {
            MALLOC_TRIM.invokeInt(new Object[] {new NativeLong(0)});
        }
    }

    /** glibc's malloc_trim, or null without it (or without JNA's native part, which a host may lack). */
    private static Function mallocTrim() {
        try {
            return Platform.isLinux()
                    ? NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("malloc_trim") : null;
        } catch (LinkageError e) {
            return null;
        }
    }
}
