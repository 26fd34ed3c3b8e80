package org.scrim.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a folder nobody can create files in, for tests of failing writes, and restores it on close. Permissions
 * do not stop root (as in containers and CI), so there the folder is made immutable with chattr; where neither
 * works the test is skipped, never passed.
 */
public final class ReadOnlyFolder implements AutoCloseable {
    private final Path dir;
    private boolean immutable;

    private ReadOnlyFolder(Path dir) {
        this.dir = dir;
    }

    public static ReadOnlyFolder of(Path dir) throws IOException, InterruptedException {
        ReadOnlyFolder folder = new ReadOnlyFolder(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(dir)) {
            folder.immutable = chattr("+i", dir);
        }
        if (Files.isWritable(dir)) {
            folder.close();
            Assumptions.abort("cannot make " + dir + " read-only here (root without chattr support)");
        }
        return folder;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (immutable) {
            chattr("-i", dir);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static boolean chattr(String flag, Path dir) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false; // no chattr on this system
        }
    }
}
