package org.scrim.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.usecase.FileProtector;

/**
 * The work of one task: each input (its path) becomes a report row, after the image is protected into the output
 * through the executor's {@link ExecutorEngine}, or skipped because the {@link Ledger} shows it done, or refused
 * with the reason. A problem with the image (unreadable, corrupt, too large, protected already, more than the
 * executor's memory holds) is that image's row and the task goes on; a problem writing the output fails the task,
 * which Spark retries (the outputs already committed are then skipped, not redone).
 */
final class ImageProtection implements FlatMapFunction<Iterator<String>, Row> {
    private static final long serialVersionUID = 1L;

    private final JobOptions options;
    private final InputFolder input;
    private final String run;
    private final Broadcast<HashMap<String, String>> hadoopConf;

    ImageProtection(JobOptions options, InputFolder input, String run, Broadcast<HashMap<String, String>> hadoopConf) {
        this.options = options;
        this.input = input;
        this.run = run;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<Row> call(Iterator<String> inputs) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.value().forEach(conf::set);
        Staging staging = new Staging(conf);
        TaskContext.get().addTaskCompletionListener(context -> {
            try {
                staging.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Ledger ledger = new Ledger(options.output, conf);
        ExecutorEngine.Key key = ExecutorEngine.Key.of(options, TaskContext.get().cpus());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return inputs.hasNext();
            }

            @Override
            public Row next() {
                try {
                    return protect(inputs.next(), conf, staging, ledger, key).toRow();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private ReportRow protect(String path, Configuration conf, Staging staging, Ledger ledger,
            ExecutorEngine.Key key) throws IOException {
        long start = System.nanoTime();
        ReportRow row = new ReportRow();
        row.path = path;
        row.mode = options.mode.name().toLowerCase(Locale.ROOT);
        row.preset = options.strength().preset().name().toLowerCase(Locale.ROOT);
        row.executor = executor();
        row.run = run;
        String relative = input.relative(path);
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(options.output, relative);
        row.output = target.toString();
        Path protectedFile = null;
        Staging.Copy in = null;
        try {
            in = staging.copyIn(path, options.maxInputBytes);
            row.inputSha256 = in.sha256();
            row.size = java.nio.file.Files.size(in.file());
            ReportRow done = ledger.done(relative, in.sha256(), target);
            if (done != null) {
                // an earlier attempt of this run made it (its row stands), or an earlier run did (skipped now)
                if (!run.equals(done.run)) {
                    done.status = ReportRow.SKIPPED;
                    done.seconds = 0.0;
                    done.executor = row.executor;
                    done.run = run;
                }
                return done;
            }
            String earlier = options.force ? null : FileProtector.protectedAlready(in.file());
            if (earlier != null) {
                throw new IOException(path + ": " + earlier + ", or use --force");
            }
            row.seed = options.seed != null ? options.seed : seedOf(in.sha256());
            ExecutorEngine engine = ExecutorEngine.get(key, staging);
            protectedFile = staging.fresh(target.getName());
            FileProtector.Outcome outcome = engine.protector.protect(in.file(), protectedFile,
                    engine.request(options, row.seed), options.noTags ? null : engine.tagging, !options.noVerify,
                    ProgressListener.NONE);
            row.recordOutcome(engine.models, outcome);
            row.outputSha256 = org.scrim.engine.models.ModelStore.sha256(protectedFile);
        } catch (IOException | RuntimeException e) {
            row.status = ReportRow.FAILED;
            row.error = naming(path, in, protectedFile, target, e);
            row.seconds = seconds(start);
            return row;
        }
        // not the image's fault: a failure from here on fails the task, and Spark retries it
        OutputFiles.commit(protectedFile, target, conf);
        row.status = ReportRow.PROTECTED;
        row.seconds = seconds(start);
        ledger.record(relative, row, staging);
        return row;
    }

    /** The seed an input's sha256 gives: a rerun or a retried task protects the same bytes the same way. */
    static long seedOf(String sha256) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(sha256.substring(0, 16))).getLong() & Long.MAX_VALUE;
    }

    /** The error as the report gives it: naming the input as the job was given it, never the local copy. */
    private static String naming(String path, Staging.Copy in, Path protectedFile, org.apache.hadoop.fs.Path target,
            Exception e) {
        String message = String.valueOf(e.getMessage());
        if (in != null) {
            message = message.replace(in.file().toString(), path);
        }
        if (protectedFile != null) {
            message = message.replace(protectedFile.toString(), target.toString());
        }
        return message.contains(path) ? message : path + ": " + message;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String executor() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return SparkEnv.get().executorId() + "@" + host;
    }
}
