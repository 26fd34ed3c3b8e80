package org.scrim.spark;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine;
import scala.Tuple2;

/**
 * {@code spark-submit --class org.scrim.spark.ScrimSparkJob scrim-spark.jar --input IN --output OUT --report REPORT
 * [scrim protect options]}: protects every image under IN into OUT, one image per task by default, and writes the
 * report table. With {@code --watch} it keeps protecting uploads as they arrive. Ends by printing {@code protected N,
 * skipped N, failed N}.
 */
public final class ScrimSparkJob {
    /** The columns Spark's binaryFile source has; a stream needs them given. */
    private static final StructType BINARY_FILE = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("modificationTime", DataTypes.TimestampType, false)
            .add("length", DataTypes.LongType, false)
            .add("content", DataTypes.BinaryType, true);

    /** How many inputs each run protected, skipped (done before) and could not protect. */
    public record Summary(long protectedCount, long skipped, long failed) {
        Summary plus(Summary other) {
            return new Summary(protectedCount + other.protectedCount, skipped + other.skipped,
                    failed + other.failed);
        }

        @Override
        public String toString() {
            return "protected " + protectedCount + ", skipped " + skipped + ", failed " + failed;
        }
    }

    private static final int FAILURES_SHOWN = 20;

    private ScrimSparkJob() {}

    public static void main(String[] args) throws Exception {
        JobOptions options = new JobOptions();
        CommandLine cl = new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
        try {
            cl.parseArgs(args);
            if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested()) {
                cl.usage(System.out);
                return;
            }
            options.validate();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            System.err.println("scrim-spark: " + e.getMessage());
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("scrim protect " + options.input).getOrCreate();
        try {
            System.out.println(run(spark, options));
        } finally {
            spark.stop();
        }
    }

    /** Runs the job as the options say, on {@code spark}; a watch returns when its query stops. */
    public static Summary run(SparkSession spark, JobOptions options)
            throws IOException, TimeoutException, StreamingQueryException {
        options.validate();
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        InputFolder input = InputFolder.of(options.input, conf);
        input.refuseWritingInto("--output", options.output, conf);
        input.refuseWritingInto("--report", options.report, conf);
        if (options.checkpoint != null) {
            input.refuseWritingInto("--checkpoint", options.checkpoint, conf);
        }
        // the executors' file systems are set up as the driver's (spark.hadoop.* settings, credentials providers)
        HashMap<String, String> hadoopSettings = new HashMap<>();
        for (Map.Entry<String, String> e : conf) {
            hadoopSettings.put(e.getKey(), e.getValue());
        }
        Broadcast<HashMap<String, String>> hadoopConf = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(hadoopSettings);
        return options.watch ? watch(spark, options, input, hadoopConf)
                : protect(spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                        .load(options.input).select("path"), options, input, hadoopConf,
                        spark.sparkContext().applicationId() + " " + java.util.UUID.randomUUID(), options.report,
                        spark);
    }

    /**
     * Protects the files {@code paths} lists, one task per {@code --images-per-task} images so a slow image does
     * not hold others back, writes the report rows to {@code report} (replacing what a replay of the same work wrote
     * there) and counts them.
     */
    private static Summary protect(Dataset<Row> paths, JobOptions options, InputFolder input,
            Broadcast<HashMap<String, String>> hadoopConf, String run, String report, SparkSession spark) {
        long count = paths.count();
        int tasks = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (count + options.imagesPerTask - 1)
                / options.imagesPerTask));
        // numbered, then dealt out by number: as even as it gets (a round-robin repartition of a few rows from
        // several partitions can put two heavy images in one task and none in another)
        JavaRDD<Row> rows = paths.javaRDD().map(r -> r.getString(0)).zipWithIndex()
                .mapToPair(numbered -> new Tuple2<>(numbered._2(), numbered._1()))
                .partitionBy(new HashPartitioner(tasks)).values()
                .mapPartitions(new ImageProtection(options, input, run, hadoopConf));
        spark.createDataFrame(rows, ReportRow.SCHEMA).write().mode(SaveMode.Overwrite).parquet(report);
        Dataset<Row> written = spark.read().parquet(report);
        // the first failures on the console: the report has them all
        for (Row r : written.filter(functions.col("status").equalTo(ReportRow.FAILED)).select("error")
                .limit(FAILURES_SHOWN).collectAsList()) {
            System.err.println("scrim-spark: failed: " + r.getString(0));
        }
        long protectedCount = 0;
        long skipped = 0;
        long failed = 0;
        for (Row r : written.groupBy("status").count().collectAsList()) {
            switch (r.getString(0)) {
                case ReportRow.PROTECTED -> protectedCount = r.getLong(1);
                case ReportRow.SKIPPED -> skipped = r.getLong(1);
                default -> failed = r.getLong(1);
            }
        }
        return new Summary(protectedCount, skipped, failed);
    }

    /**
     * Structured Streaming over the input folder: each micro-batch protects the files new to the query. The
     * checkpoint records which files each batch held; a batch replayed after a restart has the same id, so its run
     * name, ledger entries and report partition ({@code batch=ID}) are the same and nothing is protected twice.
     */
    private static Summary watch(SparkSession spark, JobOptions options, InputFolder input,
            Broadcast<HashMap<String, String>> hadoopConf) throws TimeoutException, StreamingQueryException {
        Summary[] total = {new Summary(0, 0, 0)};
        VoidFunction2<Dataset<Row>, Long> perBatch = (batch, id) -> {
            Summary s = protect(batch.select("path"), options, input, hadoopConf,
                    "stream " + options.checkpoint + " batch " + id, options.report + "/batch=" + id, spark);
            total[0] = total[0].plus(s);
            System.err.println("scrim-spark: batch " + id + ": " + s);
        };
        StreamingQuery query = spark.readStream().format("binaryFile").schema(BINARY_FILE)
                .option("recursiveFileLookup", "true").load(options.input).select("path")
                .writeStream().queryName("scrim-protect")
                .option("checkpointLocation", options.checkpoint)
                .trigger(options.untilCaughtUp ? Trigger.AvailableNow()
                        : Trigger.ProcessingTime(options.watchIntervalSeconds * 1000L))
                .foreachBatch(perBatch)
                .start();
        query.awaitTermination();
        return total[0];
    }
}
