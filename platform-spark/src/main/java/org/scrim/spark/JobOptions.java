package org.scrim.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.runtime.Backend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job's options: where images come from and go, and the protection's, named as {@code scrim protect} names them.
 * Paths are strings because they are Hadoop paths ({@code file://}, {@code s3a://}, {@code hdfs://}, ...) and the
 * options travel to the executors with each task (java.nio paths do not serialize).
 */
@Command(name = "scrim-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Protects every image under a path on a Hadoop file system with Scrim, on a Spark cluster: "
                + "the output folder gets the same relative paths and formats, tagged as 'scrim protect' tags them, "
                + "and the report a Parquet table with one row per input."})
public final class JobOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    @Option(names = "--input", required = true, paramLabel = "PATH|GLOB",
            description = "Folder (read recursively) or glob of images, on any Hadoop file system.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Folder for the protected images (never inside the input folder).")
    String output;

    @Option(names = "--report", required = true, paramLabel = "DIR", description = "Parquet report table.")
    String report;

    @Option(names = "--watch", description = "Keep protecting images as they arrive in --input (Structured "
            + "Streaming); needs --checkpoint.")
    boolean watch;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "With --watch: the query's checkpoint, which makes a restart neither lose nor redo a file.")
    String checkpoint;

    @Option(names = "--until-caught-up", description = "With --watch: protect what has arrived since the last run, "
            + "then stop (for a job that a scheduler starts now and then).")
    boolean untilCaughtUp;

    @Option(names = "--watch-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "With --watch: how often to look for new files. Default: ${DEFAULT-VALUE}.")
    int watchIntervalSeconds;

    @Option(names = "--mode", defaultValue = "mask", paramLabel = "mask|poison|both",
            description = "As scrim protect. Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--preset", paramLabel = "low|default|high", description = "As scrim protect. Default: "
            + "default, or the preset nearest --max-visibility.")
    Preset preset;

    @Option(names = "--max-visibility", paramLabel = "V", description = "As scrim protect.")
    Double maxVisibility;

    @Option(names = "--effort", paramLabel = "fast|default|max", description = "As scrim protect.")
    Effort effort;

    @Option(names = "--decoy", defaultValue = "auto", paramLabel = "NAME|auto",
            description = "As scrim protect. Default: ${DEFAULT-VALUE}.")
    String decoy;

    @Option(names = "--decoy-image", paramLabel = "PATH", description = "As scrim protect (a Hadoop path).")
    String decoyImage;

    @Option(names = "--anchor", paramLabel = "PATH", description = "As scrim protect (Hadoop paths). Repeatable.")
    List<String> anchors = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N", description = "The same seed for every image. Default: one derived "
            + "from each input's sha256, so a rerun or a retried task gives the same bytes.")
    Long seed;

    @Option(names = "--steps", paramLabel = "N", description = "As scrim protect.")
    Integer steps;

    /** The strength these options state, by the engine's one rule. */
    Strength strength() {
        return Strength.of(preset, maxVisibility, effort, steps);
    }

    @Option(names = "--work-size", defaultValue = "" + ProtectRequest.DEFAULT_WORK_SIZE, paramLabel = "PX",
            description = "As scrim protect. Default: ${DEFAULT-VALUE}.")
    int workSize;

    @Option(names = "--force", description = "As scrim protect: protect files Scrim protected already.")
    boolean force;

    @Option(names = "--no-verify", description = "As scrim protect: the report then has no closeness figures.")
    boolean noVerify;

    @Option(names = "--no-tags", description = "As scrim protect.")
    boolean noTags;

    @Option(names = "--c2pa-cert", paramLabel = "PEM", description = "As scrim protect (a path on every executor); "
            + "default: the key Scrim generates once per user on each executor.")
    String c2paCert;

    @Option(names = "--c2pa-key", paramLabel = "PEM", description = "As scrim protect (a path on every executor).")
    String c2paKey;

    @Option(names = "--model", paramLabel = "NAME|FILE", description = "As scrim protect. Default: taef2 and taesana.")
    List<String> models;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "Folder on every executor holding the weights "
            + "(a shared mount, or where --files put them); checked against their sha256. Default: "
            + "$SCRIM_MODELS, then ~/.cache/scrim/models. Executors never download.")
    String modelDir;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads per protection (0 = spark.task.cpus). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--backend", paramLabel = "auto|cpu|opencl", defaultValue = "cpu",
            description = "As scrim protect; opencl on GPU executors. Default: ${DEFAULT-VALUE}.")
    Backend backend;

    @Option(names = "--device", paramLabel = "INDEX|NAME", description = "As scrim protect.")
    String device;

    @Option(names = "--device-memory", paramLabel = "MIB", defaultValue = "0", description = "As scrim protect.")
    int deviceMemory;

    @Option(names = "--max-input-bytes", paramLabel = "N", defaultValue = "" + (512L << 20),
            description = "Larger files are a report row, not read. Default: ${DEFAULT-VALUE}.")
    long maxInputBytes;

    @Option(names = "--images-per-task", paramLabel = "N", defaultValue = "1",
            description = "Images one Spark task protects (1: a failed task redoes one image). Default: "
                    + "${DEFAULT-VALUE}.")
    int imagesPerTask;

    /** Options from command-line arguments, checked; a {@link CommandLine.ParameterException} for a bad one. */
    static JobOptions parse(String... args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        options.validate();
        return options;
    }

    /** The models to load (the default ensemble when none is named). */
    List<String> modelNames() {
        return models == null || models.isEmpty() ? org.scrim.engine.models.ModelStore.DEFAULT_ENCODERS
                : List.copyOf(models);
    }

    /** Choices that do not go together, refused on the driver before any work. */
    void validate() {
        if (watch && checkpoint == null) {
            throw new IllegalArgumentException("--watch needs --checkpoint DIR (where the query remembers which "
                    + "files it has protected)");
        }
        if (untilCaughtUp && !watch) {
            throw new IllegalArgumentException("--until-caught-up goes with --watch");
        }
        if ((c2paCert == null) != (c2paKey == null)) {
            throw new IllegalArgumentException("--c2pa-cert and --c2pa-key go together");
        }
        if (imagesPerTask < 1 || maxInputBytes < 1 || watchIntervalSeconds < 1) {
            throw new IllegalArgumentException("--images-per-task, --max-input-bytes and --watch-interval must be "
                    + "above 0");
        }
    }
}
