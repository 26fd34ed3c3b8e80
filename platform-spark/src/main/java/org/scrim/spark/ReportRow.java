package org.scrim.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.usecase.FileProtector;

/**
 * One input's line of the report table. The same fields, as JSON, are the output's entry in the {@link Ledger}, so a
 * retried task or a rerun gives back the row the protection made.
 */
final class ReportRow {
    static final String PROTECTED = "protected";
    static final String SKIPPED = "skipped";
    static final String FAILED = "failed";

    /** One surrogate encoder: its weights' sha256 and how close the protected file's latent came to the target. */
    static final class EncoderFigures {
        String model;
        String sha256;
        Double closeness;
        Double closenessJpeg75;
        Double closenessDownscale;
    }

    String path;
    String output;
    String status;
    String inputSha256;
    String outputSha256;
    Long size;
    String mode;
    String preset;
    String models;
    List<EncoderFigures> encoders = new ArrayList<>();
    String decoy;
    Long seed;
    String verdict;
    Double closeness;
    Double closenessJpeg75;
    Double closenessDownscale;
    Double visibility;
    Double seconds;
    String executor;
    String error;
    /** The run that made the row: a retried task tells its own earlier work (protected) from an earlier run's. */
    String run;

    private static final StructType ENCODER = new StructType(new StructField[] {
        DataTypes.createStructField("model", DataTypes.StringType, true),
        DataTypes.createStructField("sha256", DataTypes.StringType, true),
        DataTypes.createStructField("closeness", DataTypes.DoubleType, true),
        DataTypes.createStructField("closeness_jpeg75", DataTypes.DoubleType, true),
        DataTypes.createStructField("closeness_downscale", DataTypes.DoubleType, true)});

    static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("path", DataTypes.StringType, false),
        DataTypes.createStructField("output", DataTypes.StringType, true),
        DataTypes.createStructField("status", DataTypes.StringType, false),
        DataTypes.createStructField("input_sha256", DataTypes.StringType, true),
        DataTypes.createStructField("output_sha256", DataTypes.StringType, true),
        DataTypes.createStructField("size", DataTypes.LongType, true),
        DataTypes.createStructField("mode", DataTypes.StringType, true),
        DataTypes.createStructField("preset", DataTypes.StringType, true),
        DataTypes.createStructField("models", DataTypes.StringType, true),
        DataTypes.createStructField("encoders", DataTypes.createArrayType(ENCODER, false), true),
        DataTypes.createStructField("decoy", DataTypes.StringType, true),
        DataTypes.createStructField("seed", DataTypes.LongType, true),
        DataTypes.createStructField("verdict", DataTypes.StringType, true),
        DataTypes.createStructField("closeness", DataTypes.DoubleType, true),
        DataTypes.createStructField("closeness_jpeg75", DataTypes.DoubleType, true),
        DataTypes.createStructField("closeness_downscale", DataTypes.DoubleType, true),
        DataTypes.createStructField("visibility", DataTypes.DoubleType, true),
        DataTypes.createStructField("seconds", DataTypes.DoubleType, true),
        DataTypes.createStructField("executor", DataTypes.StringType, true),
        DataTypes.createStructField("error", DataTypes.StringType, true),
        DataTypes.createStructField("run", DataTypes.StringType, true)});

    /** The models and, when the protection was verified, its figures (the verifier's quick set). */
    void recordOutcome(Ensemble loaded, FileProtector.Outcome outcome) {
        models = loaded.identity();
        decoy = outcome.decoy();
        Verifier.Report report = outcome.report();
        for (Ensemble.Member member : loaded.members()) {
            EncoderFigures e = new EncoderFigures();
            e.model = member.name();
            e.sha256 = member.sha256();
            if (report != null) {
                Map<String, Double> figures = report.byEncoder().get(member.encoder().name());
                if (figures != null) {
                    e.closeness = figures.get(Verifier.PLAIN);
                    e.closenessJpeg75 = figures.get("jpeg75");
                    e.closenessDownscale = figures.get("downscale");
                }
            }
            encoders.add(e);
        }
        if (report != null) {
            verdict = Verdict.of(report, loaded.name()).headline();
            closeness = report.closeness().get(Verifier.PLAIN);
            closenessJpeg75 = report.closeness().get("jpeg75");
            closenessDownscale = report.closeness().get("downscale");
            visibility = report.visibility();
        }
    }

    Row toRow() {
        List<Row> encoderRows = new ArrayList<>();
        for (EncoderFigures e : encoders) {
            encoderRows.add(RowFactory.create(e.model, e.sha256, e.closeness, e.closenessJpeg75,
                    e.closenessDownscale));
        }
        return RowFactory.create(path, output, status, inputSha256, outputSha256, size, mode, preset, models,
                scala.jdk.javaapi.CollectionConverters.asScala(encoderRows).toSeq(), decoy, seed, verdict, closeness,
                closenessJpeg75, closenessDownscale, visibility, seconds, executor, error, run);
    }
}
