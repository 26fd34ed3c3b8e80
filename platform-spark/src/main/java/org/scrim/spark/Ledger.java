package org.scrim.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * What the job has written, one small JSON file per output under the output's {@code _scrim/done/} folder: the
 * report row, which holds the input's and the output's sha256. It is written after the output is committed, so an
 * entry whose output is there with that sha256 proves the work done: a rerun, a retried task or a replayed
 * micro-batch skips that input instead of protecting it twice. Kept beside the output rather than inside the image's
 * metadata so the image is exactly what {@code scrim protect} writes (also with {@code --no-tags}), and rather than
 * only in the report, which a crashed job never writes. Spark's file sources skip {@code _} folders.
 */
final class Ledger {
    static final String FOLDER = "_scrim/done";
    private static final Gson GSON = new Gson();

    private final org.apache.hadoop.fs.Path root;
    private final Configuration conf;

    Ledger(String output, Configuration conf) {
        this.root = new org.apache.hadoop.fs.Path(output, FOLDER);
        this.conf = conf;
    }

    /**
     * The row recorded for the output at {@code relative} when it is still valid: recorded for an input with
     * {@code inputSha256}, and the output there now has the sha256 recorded. Null otherwise (never done, input
     * changed, output missing or altered since).
     */
    ReportRow done(String relative, String inputSha256, org.apache.hadoop.fs.Path output) throws IOException {
        org.apache.hadoop.fs.Path entry = entry(relative);
        FileSystem fs = entry.getFileSystem(conf);
        if (!fs.exists(entry) || !output.getFileSystem(conf).exists(output)) {
            return null;
        }
        ReportRow row;
        try (InputStream in = fs.open(entry)) {
            row = GSON.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), ReportRow.class);
        }
        boolean valid = row != null && inputSha256.equals(row.inputSha256)
                && Staging.sha256(output, conf).equals(row.outputSha256);
        return valid ? row : null;
    }

    /** Records {@code row} as the output at {@code relative}, atomically. */
    void record(String relative, ReportRow row, Staging staging) throws IOException {
        Path local = staging.fresh("entry.json");
        Files.writeString(local, GSON.toJson(row));
        OutputFiles.commit(local, entry(relative), conf);
    }

    private org.apache.hadoop.fs.Path entry(String relative) {
        return new org.apache.hadoop.fs.Path(root, relative + ".json");
    }
}
