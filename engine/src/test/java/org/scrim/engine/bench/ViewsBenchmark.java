package org.scrim.engine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * Closeness at the trainers' views: protects each shared image (default preset, mask, automatic decoy, seed 1) at its
 * own size and upscaled (or downscaled) to 1024 px on the long side, with the default encoders and with TAEF2 alone
 * (leave-one-out: read on TAESana), and prints, per encoder, closeness at every judged view ({@link
 * Verifier#JUDGED}), the weakest, the verdict, time and visibility (ssimulacra_main, butteraugli_main's 3-norm); then
 * a markdown table of medians and ranges. Run with {@code bench/run-views.sh [SETS] [IMAGES] [SIZES]} (SETS default
 * {@code taef2+taesana,taef2}; SIZES {@code own,1024}).
 */
public final class ViewsBenchmark {
    private static final List<String> VIEWS = Verifier.JUDGED;

    public static void main(String[] args) throws Exception {
        List<String> sets = List.of((args.length > 0 ? args[0] : "taef2+taesana,taef2").split(","));
        List<String> images = SharedData.images(args, 1);
        List<String> sizes = List.of((args.length > 2 ? args[2] : "own,1024").split(","));
        ComputeRuntime runtime = new OrtRuntime(2);
        Map<String, SurrogateEncoder> all = SharedData.defaultEncoders();
        Verifier verifier = new Verifier(List.copyOf(all.values()), runtime, TrainerViews.LARGEST);
        Path out = Files.createDirectories(Path.of("target", "views-bench"));
        // per (set, encoder, column): the values over the images, for the summary
        Map<String, List<Double>> columns = new LinkedHashMap<>();
        StringBuilder header = new StringBuilder(String.format("%-16s %-9s %-14s %6s %8s %7s", "image", "size",
                "protected_with", "time_s", "ssimul", "butter3"));
        for (String e : all.keySet()) {
            for (String v : VIEWS) {
                header.append(String.format(" %8s", shortName(e) + ":" + shortName(v)));
            }
            header.append(String.format(" %8s", shortName(e) + ":min"));
        }
        System.out.println(header.append("  verdict"));
        for (String image : images) {
            RgbImage source = ImageFiles.read(SharedData.path("images/" + image)).toRgb().withColours(RgbColours.SRGB);
            for (String size : sizes) {
                RgbImage x = sized(source, size);
                if (x == null) {
                    continue;
                }
                Path orig = out.resolve(image + "." + size + ".orig.png");
                javax.imageio.ImageIO.write(ImageTensors.toImage(x), "png", orig.toFile());
                for (String set : sets) {
                    List<SurrogateEncoder> used = new ArrayList<>();
                    for (String name : set.split("\\+")) {
                        used.add(all.get(name));
                    }
                    ProtectRequest req = ProtectRequest.builder(Mode.MASK, Preset.DEFAULT).seed(1).build();
                    Protector.Protection p = new Protector(used, runtime).protect(x, req, ProgressListener.NONE);
                    RgbImage result = ImageTensors.quantize8(p.image());
                    Path prot = out.resolve(image + "." + size + "." + set + ".png");
                    javax.imageio.ImageIO.write(ImageTensors.toImage(result), "png", prot.toFile());
                    Verifier.Report r = verifier.verify(x, result, p.target(), true);
                    double ssimulacra = ProtectBenchmark.ssimulacra(orig, prot);
                    double butteraugli = ProtectBenchmark.butteraugli3Norm(orig, prot);
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-16s %-9s %-14s %6.1f %8.4f %7.3f",
                            image, x.width() + "x" + x.height(), set, p.seconds(), ssimulacra, butteraugli));
                    add(columns, set, "time_s", p.seconds());
                    add(columns, set, "ssimulacra", ssimulacra);
                    add(columns, set, "butteraugli3", butteraugli);
                    for (String e : all.keySet()) {
                        Map<String, Double> c = r.byEncoder().get(e);
                        double min = Double.POSITIVE_INFINITY;
                        for (String v : VIEWS) {
                            Double value = c.get(v);
                            // a view a small image does not have (no upscaling) reads as its own size
                            double f = value != null ? value : c.get(Verifier.PLAIN);
                            row.append(String.format(Locale.ROOT, " %8.3f", f));
                            add(columns, set, e + " " + v, f);
                            min = Math.min(min, f);
                        }
                        row.append(String.format(Locale.ROOT, " %8.3f", min));
                        add(columns, set, e + " weakest", min);
                    }
                    System.out.println(row.append("  ").append(Verdict.of(r, set).headline()));
                }
            }
        }
        System.out.println();
        System.out.println("| protected with | figure | median | range |");
        System.out.println("| --- | --- | --- | --- |");
        columns.forEach((key, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            String[] parts = key.split("\\|", 2);
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f-%.2f |", parts[0], parts[1], median,
                    sorted.get(0), sorted.get(n - 1)));
        });
    }

    private static void add(Map<String, List<Double>> columns, String set, String figure, double value) {
        columns.computeIfAbsent(set + "|" + figure, k -> new ArrayList<>()).add(value);
    }

    /** The image at its own size, or resized to 1024 px on the long side (null where that is its own size). */
    private static RgbImage sized(RgbImage image, String size) {
        if (size.equals("own")) {
            return image;
        }
        int longSide = Integer.parseInt(size);
        int w = image.width();
        int h = image.height();
        if (Math.max(w, h) == longSide) {
            return null;
        }
        if (Math.max(w, h) > longSide) {
            return Transforms.downscale(image, longSide);
        }
        double f = (double) longSide / Math.max(w, h);
        return ImageTensors.resizeBilinear(image, (int) Math.round(w * f), (int) Math.round(h * f))
                .withColours(image.colours());
    }

    private static String shortName(String s) {
        return switch (s) {
            case "taef2" -> "f2";
            case "taesana" -> "sana";
            case Verifier.PLAIN -> "own";
            case "mirrored" -> "mirr";
            case "cropped" -> "crop";
            case "jpeg75" -> "jpg75";
            case "downscale" -> "half";
            default -> s;
        };
    }
}
