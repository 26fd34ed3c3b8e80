package org.scrim.engine.imageio;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers see either the old content or the complete new content, never a half-written file:
 * the body writes a temporary file in the target's folder, which is synced and then renamed over the target.
 */
public final class AtomicFiles {
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
        Path absolute = target.toAbsolutePath();
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
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * A new empty file {@code prefix + random + suffix} in {@code dir}, created with default permissions
     * (Files.createTempFile would make it owner-only). A folder that refuses it is named in the error.
     */
    public static Path createTemp(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                return Files.createFile(temp);
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
