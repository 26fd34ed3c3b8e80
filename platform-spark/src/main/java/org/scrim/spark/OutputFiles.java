package org.scrim.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.scrim.engine.imageio.AtomicFiles;

/**
 * Puts a finished local file at its place in the output, so that readers (and a retried or speculative task) see
 * the complete file or none: on a local or mounted file system through the engine's {@link AtomicFiles} (temporary
 * file in the target's folder, synced, renamed over the target); elsewhere through the file system's own create and
 * rename of a hidden temporary name (object stores publish an object only when its upload completes). Hidden names
 * start with a dot, which Spark's file sources skip, so a watched output never picks them up.
 */
final class OutputFiles {
    /**
     * Spark setting (or job-local property) that makes each task's first attempt fail halfway through writing its
     * first output: a fault hook to check, on a test or a real cluster, that a failed write leaves nothing behind and
     * the retry completes it.
     */
    static final String FAIL_FIRST_ATTEMPT_MID_WRITE = "spark.scrim.faults.failFirstAttemptMidWrite";

    private OutputFiles() {}

    /** Copies {@code local} to {@code target} atomically; an existing target is replaced. */
    static void commit(Path local, org.apache.hadoop.fs.Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        long length = Files.size(local);
        if ("file".equals(fs.getScheme())) {
            AtomicFiles.write(Path.of(fs.makeQualified(target).toUri()), out -> copy(local, out, length));
            return;
        }
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(target.getParent(),
                "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream out = fs.create(temp, false)) {
                copy(local, out, length);
            }
            // HDFS and object stores refuse to rename over an existing file
            fs.delete(target, false);
            if (!fs.rename(temp, target)) {
                throw new IOException("cannot rename " + temp + " to " + target);
            }
        } finally {
            fs.delete(temp, false);
        }
    }

    private static void copy(Path local, OutputStream out, long length) throws IOException {
        try (InputStream in = Files.newInputStream(local)) {
            byte[] buffer = new byte[1 << 16];
            long half = length / 2;
            for (long done = 0; done < half; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, half - done));
                out.write(buffer, 0, n);
                done += n;
            }
            failFirstAttemptIfAsked(local);
            in.transferTo(out);
        }
    }

    private static void failFirstAttemptIfAsked(Path local) throws IOException {
        TaskContext task = TaskContext.get();
        if (task == null || task.attemptNumber() > 0) {
            return;
        }
        String asked = task.getLocalProperty(FAIL_FIRST_ATTEMPT_MID_WRITE);
        if (Boolean.parseBoolean(asked != null ? asked : SparkEnv.get().conf().get(FAIL_FIRST_ATTEMPT_MID_WRITE,
                "false"))) {
            throw new IOException("fault hook " + FAIL_FIRST_ATTEMPT_MID_WRITE + ": first attempt fails halfway "
                    + "through writing " + local.getFileName());
        }
    }
}
