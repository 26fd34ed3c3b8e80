package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

/** glibc's mmap threshold stays fixed: large blocks keep coming from mmap after one is freed. */
class NativeMemoryTest {
    /** glibc marks a chunk it mmapped with bit 2 of the size word just before the block. */
    private static boolean mmapped(long block) {
        return (new Pointer(block).getLong(-8) & 2) != 0;
    }

    private static boolean glibc() {
        try {
            return Platform.isLinux()
                    && NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("gnu_get_libc_version") != null;
        } catch (LinkageError e) {
            return false;
        }
    }

    @Test
    void blocksFromTheThresholdUpComeFromMmapAfterALargerOneIsFreed() {
        assumeTrue(glibc(), "glibc only");
        NativeMemory.fixMmapThreshold();
        // with glibc's own rule, freeing this raises the threshold above it
        long larger = Native.malloc(NativeMemory.MMAP_THRESHOLD + (4 << 20));
        assertTrue(mmapped(larger));
        Native.free(larger);
        long block = Native.malloc(NativeMemory.MMAP_THRESHOLD + (1 << 20));
        try {
            assertTrue(mmapped(block), "a block over the threshold is mmapped, so freeing it returns it");
        } finally {
            Native.free(block);
        }
    }
}
