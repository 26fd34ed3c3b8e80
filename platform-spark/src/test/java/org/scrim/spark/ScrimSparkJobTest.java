package org.scrim.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.cli.ScrimCommand;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * The job on real Spark in local mode (two task threads, up to three attempts per task) over tiny copies of the
 * shared images, with two protection steps so it stays quick. Protections are judged by the latent shift they cause
 * on TAEF2's encoder, measured here independently of the job's own report.
 */
class ScrimSparkJobTest {
    private static SparkSession spark;
    private static SurrogateEncoder taef2;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkSession.builder().master("local[2,3]").appName("scrim-spark-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        taef2 = SurrogateEncoder.tae("taef2", StateDict.read(SharedData.path("models/taef2_encoder.pth")));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A small copy (long side {@code size}) of a shared image, written as {@code format}. */
    private static Path tiny(String shared, int size, Path file, String format) throws IOException {
        RgbImage small = Transforms.downscale(ImageFiles.read(SharedData.path("images/" + shared)).toRgb(), size);
        Files.createDirectories(file.getParent());
        ImageIO.write(ImageTensors.toImage(small), format, file.toFile());
        return file;
    }

    private static String[] job(Path in, Path out, Path report, String... more) {
        List<String> args = new ArrayList<>(List.of("--input", in.toString(), "--output", out.toString(), "--report",
                report.toString(), "--decoy", "pattern", "--steps", "2", "--work-size", "64", "--model-dir",
                SharedData.path("models").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static ScrimSparkJob.Summary run(String... args) throws Exception {
        return ScrimSparkJob.run(spark, JobOptions.parse(args));
    }

    /** The report's rows by input file name. */
    private static Map<String, Row> report(Path report) {
        Map<String, Row> rows = new TreeMap<>();
        for (Row r : spark.read().parquet(report.toString()).collectAsList()) {
            String path = r.getAs("path");
            Row earlier = rows.put(path.substring(path.lastIndexOf('/') + 1), r);
            assertNull(earlier, "one row per input: " + path);
        }
        return rows;
    }

    /** Every file under {@code root} by relative path, with its bytes. */
    private static Map<String, byte[]> files(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString(),
                    p -> {
                        try {
                            return Files.readAllBytes(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, (a, b) -> a, TreeMap::new));
        }
    }

    /** How far the protected file's TAEF2 latent moved toward its decoy (the pattern, rebuilt from the seed). */
    private static double latentShift(Path original, Path protectedFile, long seed) throws IOException {
        RgbImage o = ImageFiles.read(original).toRgb();
        return new Verifier(List.of(taef2), new OrtRuntime(2), Math.max(o.width(), o.height()))
                .verify(o, ImageFiles.read(protectedFile).toRgb(), ProtectionTarget.mask(Decoy.PATTERN, seed), true)
                .primaryCloseness();
    }

    @Test
    void protectsEveryGoodImageReportsEveryBadOneAndARerunSkipsAll() throws Exception {
        Path in = dir.resolve("batch-in");
        List<Path> good = List.of(tiny("chelsea.png", 96, in.resolve("chelsea.png"), "png"),
                tiny("rocket.jpg", 80, in.resolve("2024/rocket.jpg"), "jpeg"),
                tiny("coffee.png", 64, in.resolve("2024/march/coffee.png"), "png"),
                tiny("the_scream.jpg", 72, in.resolve("the_scream.jpg"), "jpeg"));
        Files.writeString(in.resolve("broken.png"), "not a png at all");
        Path png = tiny("astronaut.png", 64, dir.resolve("astronaut.png"), "png");
        Path webp = in.resolve("astronaut.webp");
        Process cwebp = new ProcessBuilder("cwebp", "-quiet", "-lossless", png.toString(), "-o", webp.toString())
                .inheritIO().start();
        assertEquals(0, cwebp.waitFor(), "cwebp (Debian package webp) makes the WebP input");
        Path already = in.resolve("done-before.png");
        PlanarImage plain = ImageFiles.read(tiny("shipwreck.jpg", 64, dir.resolve("shipwreck.png"), "png"));
        MetadataWriter.writeTagged(already, staged -> ImageFiles.write(plain, staged), NoAiTags.prohibitAiTraining(
                new Provenance("encoder-pgd", "default", "taef2", "test", "pattern", 1L)), null);
        Map<String, byte[]> inputs = files(in);
        Path out = dir.resolve("batch-out");
        Path report = dir.resolve("batch-report");

        ScrimSparkJob.Summary first = run(job(in, out, report));

        assertEquals(new ScrimSparkJob.Summary(4, 0, 3), first);
        Map<String, Row> rows = report(report);
        assertEquals(inputs.size(), rows.size(), "one row per input: " + rows.keySet());
        for (Path original : good) {
            Row r = rows.get(original.getFileName().toString());
            assertEquals("protected", r.getAs("status"), String.valueOf(r));
            Path output = out.resolve(in.relativize(original));
            assertEquals(out.toUri().getPath() + in.relativize(original), Path.of((String) r.getAs("output"))
                    .toUri().getPath().replace("file:", ""), "same relative path");
            assertEquals(ImageFiles.read(original).width(), ImageFiles.read(output).width());
            long seed = r.getAs("seed");
            assertEquals(ImageProtection.seedOf(r.getAs("input_sha256")), seed, "the seed comes from the input");
            double shift = latentShift(original, output, seed);
            assertTrue(shift > 0.02, output + ": the latent moved toward the decoy by " + shift);
            assertTrue((double) r.getAs("closeness") > 0, String.valueOf(r));
            List<Row> encoders = r.getList(r.fieldIndex("encoders"));
            assertEquals(List.of("taef2", "taesana"), encoders.stream().map(e -> e.getString(0)).toList());
            assertTrue(encoders.stream().allMatch(e -> e.getString(1).length() == 64 && !e.isNullAt(3)),
                    "each model's sha256 and closeness after JPEG 75: " + encoders);
        }
        assertTrue(((String) rows.get("broken.png").getAs("error")).contains("broken.png"),
                String.valueOf(rows.get("broken.png")));
        assertTrue(((String) rows.get("astronaut.webp").getAs("error")).contains("astronaut.webp"),
                String.valueOf(rows.get("astronaut.webp")));
        assertTrue(((String) rows.get("done-before.png").getAs("error")).contains("protected this file already"),
                String.valueOf(rows.get("done-before.png")));
        rows.values().stream().filter(r -> "failed".equals(r.getAs("status")))
                .forEach(r -> assertNull(r.getAs("output_sha256")));
        Map<String, byte[]> written = files(out);
        assertEquals(good.size() * 2, written.size(), "the outputs and their ledger entries only: "
                + written.keySet());
        assertEquals(inputs.keySet(), files(in).keySet(), "nothing written among the inputs");

        ScrimSparkJob.Summary again = run(job(in, out, report));

        assertEquals(new ScrimSparkJob.Summary(0, 4, 3), again);
        Map<String, byte[]> rewritten = files(out);
        assertEquals(written.keySet(), rewritten.keySet());
        written.forEach((name, bytes) -> assertArrayEquals(bytes, rewritten.get(name), name + " is unchanged"));
        report(report).values().stream().filter(r -> "skipped".equals(r.getAs("status")))
                .forEach(r -> assertNotNull(r.getAs("output_sha256")));
    }

    @Test
    void aTaskThatFailsMidWriteIsRetriedAndLeavesOneCompleteOutput() throws Exception {
        Path in = dir.resolve("fault-in");
        tiny("chelsea.png", 64, in.resolve("a.png"), "png");
        tiny("coffee.png", 64, in.resolve("b/c.png"), "png");
        Path out = dir.resolve("fault-out");
        AtomicInteger failedAttempts = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedAttempts.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        spark.sparkContext().setLocalProperty(OutputFiles.FAIL_FIRST_ATTEMPT_MID_WRITE, "true");
        ScrimSparkJob.Summary summary;
        try {
            summary = run(job(in, out, dir.resolve("fault-report")));
        } finally {
            spark.sparkContext().setLocalProperty(OutputFiles.FAIL_FIRST_ATTEMPT_MID_WRITE, null);
            spark.sparkContext().removeSparkListener(listener);
        }

        assertEquals(new ScrimSparkJob.Summary(2, 0, 0), summary, "the retried tasks' rows say protected");
        // the listener hears of tasks a moment after the job ends
        for (int wait = 0; wait < 100 && failedAttempts.get() < 2; wait++) {
            Thread.sleep(100);
        }
        assertEquals(2, failedAttempts.get(), "each task's first attempt failed");
        Map<String, byte[]> written = files(out);
        assertEquals(List.of("_scrim/done/a.png.json", "_scrim/done/b/c.png.json", "a.png", "b/c.png"),
                List.copyOf(written.keySet()), "no partial or temporary file is left");
        for (String name : List.of("a.png", "b/c.png")) {
            assertEquals(64, ImageFiles.read(out.resolve(name)).width(), name + " is complete");
        }
    }

    @Test
    void watchingProtectsEachUploadExactlyOnceAcrossARestart() throws Exception {
        Path in = dir.resolve("watch-in");
        tiny("chelsea.png", 64, in.resolve("one.png"), "png");
        tiny("rocket.jpg", 64, in.resolve("two.jpg"), "jpeg");
        Path out = dir.resolve("watch-out");
        Path report = dir.resolve("watch-report");
        String[] args = job(in, out, report, "--watch", "--until-caught-up", "--checkpoint",
                dir.resolve("watch-checkpoint").toString());

        assertEquals(new ScrimSparkJob.Summary(2, 0, 0), run(args));
        tiny("coffee.png", 64, in.resolve("later/three.png"), "png");
        assertEquals(new ScrimSparkJob.Summary(1, 0, 0), run(args), "the restarted query sees only the new file");
        assertEquals(new ScrimSparkJob.Summary(0, 0, 0), run(args));

        Map<String, Row> rows = report(report);
        assertEquals(List.of("one.png", "three.png", "two.jpg"), List.copyOf(rows.keySet()));
        rows.values().forEach(r -> assertEquals("protected", r.getAs("status")));
        assertEquals(6, files(out).size(), "three outputs and their ledger entries");
    }

    @Test
    void sparkWritesTheSamePixelsAsScrimProtect() throws Exception {
        Path in = dir.resolve("same-in");
        Path original = tiny("starry_night.jpg", 80, in.resolve("starry.png"), "png");
        Path out = dir.resolve("same-out");
        run(job(in, out, dir.resolve("same-report"), "--seed", "7", "--threads", "2"));
        Path cli = dir.resolve("cli/starry.png");
        int code = ScrimCommand.commandLine().execute("protect", original.toString(), "-o", cli.toString(),
                "--decoy", "pattern", "--steps", "2", "--work-size", "64", "--seed", "7", "--threads", "2",
                "--backend", "cpu", "--model-dir", SharedData.path("models").toString(), "--progress", "none");
        assertEquals(0, code);

        PlanarImage spark = ImageFiles.read(out.resolve("starry.png"));
        PlanarImage scrim = ImageFiles.read(cli);
        assertEquals(0, spark.colour().maxAbsDiff(scrim.colour()), "same pixels");
        assertTrue(latentShift(original, cli, 7) > 0.02);
    }

    @Test
    void refusesToWriteInsideTheInputFolder() throws Exception {
        Path in = Files.createDirectories(dir.resolve("refuse-in"));
        tiny("chelsea.png", 64, in.resolve("a.png"), "png");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(job(in, in.resolve("protected"), dir.resolve("refuse-report"))));
        assertTrue(e.getMessage().contains("--output"), e.getMessage());
        assertEquals(1, files(in).size());
    }
}
