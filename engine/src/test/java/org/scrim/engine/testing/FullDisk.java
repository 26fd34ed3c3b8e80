package org.scrim.engine.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a folder, for tests of writes that run out of space; files are put on it first, then
 * {@link #fill()} takes the rest. Unmounted on close. Mounting needs root (as in containers and CI); where it is
 * refused the test is skipped, never passed.
 */
public final class FullDisk implements AutoCloseable {
    private final Path dir;

    private FullDisk(Path dir) {
        this.dir = dir;
    }

    public static FullDisk mount(Path dir, int kibibytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kibibytes + "k", "tmpfs",
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("cannot mount a small tmpfs on " + dir + " here (needs root): " + out.strip());
        }
        return new FullDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a filler file until the file system refuses more; returns its path. */
    public Path fill() throws IOException {
        Path filler = dir.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return filler;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("could not unmount the test tmpfs " + dir + ": " + out.strip());
        }
    }
}
