package org.scrim.spark;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * A task's local scratch folder: inputs copied from their file system (the engine reads and writes local files, and
 * needs the whole file anyway), protected files before they are committed to the output. Deleted when the task ends.
 */
final class Staging implements Closeable {
    /** A local copy of an input, and the sha256 of its bytes. */
    record Copy(Path file, String sha256) {}

    private final Configuration conf;
    private final Path dir;
    private int count;

    Staging(Configuration conf) throws IOException {
        this.conf = conf;
        this.dir = Files.createTempDirectory("scrim-task-");
    }

    /**
     * Copies {@code source} (any Hadoop path) into the scratch folder under its own name, hashing it on the way; a
     * file larger than {@code maxBytes} is refused before a byte is copied.
     */
    Copy copyIn(String source, long maxBytes) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(source);
        FileSystem fs = path.getFileSystem(conf);
        long length = fs.getFileStatus(path).getLen();
        if (length > maxBytes) {
            throw new IOException(source + ": " + length + " bytes, more than --max-input-bytes " + maxBytes
                    + "; not read");
        }
        Path local = fresh(path.getName());
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(fs.open(path), sha)) {
            Files.copy(in, local);
        }
        return new Copy(local, HexFormat.of().formatHex(sha.digest()));
    }

    /** A local copy of a file, or of the files directly in a folder (anchors and decoy images). */
    Path localCopyOfTree(String source) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(source);
        FileSystem fs = path.getFileSystem(conf);
        if (!fs.getFileStatus(path).isDirectory()) {
            return copyIn(source, Long.MAX_VALUE).file();
        }
        Path folder = fresh(path.getName());
        Files.createDirectory(folder);
        for (FileStatus child : fs.listStatus(path)) {
            if (child.isFile()) {
                fs.copyToLocalFile(false, child.getPath(),
                        new org.apache.hadoop.fs.Path(folder.resolve(child.getPath().getName()).toUri()), true);
            }
        }
        return folder;
    }

    /** A path in the scratch folder for a file named {@code name} (its extension chooses the format written). */
    Path fresh(String name) throws IOException {
        Path sub = Files.createDirectory(dir.resolve(Integer.toString(count++)));
        return sub.resolve(name);
    }

    /** The sha256 of a file on any Hadoop file system. */
    static String sha256(org.apache.hadoop.fs.Path file, Configuration conf) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(file.getFileSystem(conf).open(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
