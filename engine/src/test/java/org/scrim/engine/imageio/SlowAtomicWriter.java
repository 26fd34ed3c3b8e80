package org.scrim.engine.imageio;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Run in a child JVM by {@link AtomicFilesTest}: writes its target through AtomicFiles slowly, saying on stdout when
 * bytes are on their way, so that the test can kill it mid-write.
 */
public final class SlowAtomicWriter {
    private SlowAtomicWriter() {}

    public static void main(String[] args) throws Exception {
        AtomicFiles.write(Path.of(args[0]), out -> {
            for (int i = 0; i < 600; i++) {
                out.write(new byte[4096]);
                out.flush();
                if (i == 0) {
                    System.out.println("writing");
                    System.out.flush();
                }
                LockSupport.parkNanos(100_000_000L);
            }
        });
    }
}
