package org.scrim.engine.imageio;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes files so that readers see either the old content or the complete new content, never a half-written file:
 * the body writes a temporary file in the target's folder, which is synced and then renamed over the target. A target
 * that is a symbolic link is written through: its target file is replaced, the link stays.
 *
 * <p>Temporary files still there when the JVM shuts down (Ctrl-C, SIGTERM) are deleted by a shutdown hook, so an
 * interrupted run leaves no half-made or untagged copy beside the artist's files.
 */
public final class AtomicFiles {
    private static final Set<Path> LIVE_TEMPS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::deleteLiveTemps, "scrim-temp-cleanup"));
    }

    private AtomicFiles() {}

    /** Writes {@code content} to {@code target} atomically. */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    /**
     * Writes {@code target} through {@code body}. If the body throws, the temporary file is deleted and an existing
     * target is left as it was. An existing target's POSIX permissions are kept.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        write(target, body, written -> { });
    }

    /**
     * As {@link #write(Path, IOConsumer)}, with {@code check} run on the complete temporary file before it replaces
     * the target: a check that throws leaves an existing target as it was.
     */
    public static void write(Path target, IOConsumer<OutputStream> body, IOConsumer<Path> check) throws IOException {
        Path absolute = followLinks(target);
        Path dir = absolute.getParent();
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + ": is a directory, cannot write a file there");
        }
        if (dir == null) {
            throw new IOException(target + ": has no parent folder to write into");
        }
        // an output folder the user named is created, as the site kit's .well-known/ is
        Files.createDirectories(dir);
        Path temp = createTemp(dir, "." + absolute.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            copyPermissions(absolute, temp);
            try (FileOutputStream file = new FileOutputStream(temp.toFile());
                    OutputStream out = new BufferedOutputStream(new TargetNamingStream(file, target))) {
                body.accept(out);
                out.flush();
                // The rename is only atomic for readers if the data is on disk before the rename is.
                try {
                    file.getFD().sync();
                } catch (IOException e) {
                    throw TargetNamingStream.naming(target, e);
                }
            }
            check.accept(temp);
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            LIVE_TEMPS.remove(temp);
        } finally {
            if (!moved) {
                discard(temp);
            }
        }
    }

    /**
     * The file a write to {@code target} must replace: the target itself, or for a symbolic link the file it points
     * to (renaming over the link would replace the link with a file, and the linked artwork would stay unchanged).
     * A link to nothing is refused.
     */
    public static Path followLinks(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (!Files.isSymbolicLink(absolute)) {
            return absolute;
        }
        if (!Files.exists(absolute)) {
            throw new IOException(target + ": is a symbolic link to " + Files.readSymbolicLink(absolute)
                    + ", which does not exist; remove the link or create its target first");
        }
        return absolute.toRealPath();
    }

    /** Deletes a temporary file from {@link #createTemp} that is no longer needed. */
    public static void discard(Path temp) throws IOException {
        try {
            Files.deleteIfExists(temp);
        } finally {
            LIVE_TEMPS.remove(temp);
        }
    }

    private static void deleteLiveTemps() {
        for (Path temp : LIVE_TEMPS) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                System.err.println("scrim: could not delete the temporary file " + temp + ": " + e.getMessage());
            }
        }
    }

    /**
     * A new empty file {@code prefix + random + suffix} in {@code dir}, created with default permissions
     * (Files.createTempFile would make it owner-only). A folder that refuses it is named in the error. The file is
     * deleted at shutdown unless it was moved into place or {@link #discard}ed first.
     */
    public static Path createTemp(Path dir, String prefix, String suffix) throws IOException {
        sweepStaleTemps(dir);
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                Path created = Files.createFile(temp).toAbsolutePath();
                LIVE_TEMPS.add(created);
                return created;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            } catch (FileSystemException e) {
                // the exception names the hidden temporary file; the user needs to know which folder refused
                String reason = e.getReason() != null ? e.getReason()
                        : e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
                throw new IOException("cannot create a file in folder " + dir + " (" + reason + ")", e);
            }
        }
    }

    /**
     * The temporary files {@link #write} and {@link #createTemp}'s callers make: {@code .NAME.RANDOM.tmp} and
     * {@code .scrim-RANDOM.EXT}, RANDOM being {@link #createTemp}'s base-36 number (11 to 13 digits but for one
     * draw in a thousand billion), so an artist's own hidden files do not match.
     */
    private static final Pattern OWN_TEMP = Pattern.compile(
            "\\.(.+\\.[0-9a-z]{11,13}\\.tmp|scrim-[0-9a-z]{11,13}(\\.[^.]*)?)");
    /** Older than this, a temporary file is no live write's: writing one takes seconds, not an hour. */
    static final Duration STALE_AFTER = Duration.ofHours(1);
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

    /**
     * Deletes, once per folder and run, Scrim's temporary files there that a killed run (SIGKILL, power loss) left:
     * the shutdown hook only covers a JVM that ends. A file still being written is minutes old at most.
     */
    static void sweepStaleTemps(Path dir) {
        if (!SWEPT.add(dir.toAbsolutePath())) {
            return;
        }
        Instant staleBefore = Instant.now().minus(STALE_AFTER);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir,
                f -> OWN_TEMP.matcher(f.getFileName().toString()).matches())) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(staleBefore)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // a folder that cannot be listed keeps its leftovers; the write itself says what is wrong with it
        }
    }

    /**
     * Names the target in the file system's errors ("No space left on device" alone does not say which output
     * failed); errors of the body's own making pass through unchanged.
     */
    private static final class TargetNamingStream extends FilterOutputStream {
        private final Path target;

        TargetNamingStream(OutputStream out, Path target) {
            super(out);
            this.target = target;
        }

        static IOException naming(Path target, IOException e) {
            return new IOException("cannot write " + target + ": " + e.getMessage(), e);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw naming(target, e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw naming(target, e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw naming(target, e);
            }
        }
    }

    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView fromView = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView toView = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (fromView != null && toView != null && Files.exists(from)) {
            toView.setPermissions(fromView.readAttributes().permissions());
        }
    }
}
