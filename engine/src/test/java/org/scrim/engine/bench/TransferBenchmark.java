package org.scrim.engine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * Transfer: protects each shared image with one set of encoders (default preset, mask, automatic decoy) and measures
 * it on every encoder, the ones it was computed on and the ones it never saw, plus the AI view (TAEF2's decoder).
 * Leave-one-out (protect with {@code taef2}, read {@code taesana}, and the reverse) is the measure of transfer; a
 * figure on an encoder the protection was optimised on says nothing about it. Run with {@code bench/run-transfer.sh
 * [sets] [images] [size] [steps]}; a set is encoder names joined by {@code +} (default {@code taef2,taesana}).
 */
public final class TransferBenchmark {
    public static void main(String[] args) throws Exception {
        List<String> sets = List.of((args.length > 0 ? args[0] : "taef2,taesana").split(","));
        List<String> images = SharedData.images(args, 1);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        Integer steps = args.length > 3 ? Integer.valueOf(args[3]) : null;
        ComputeRuntime runtime = new OrtRuntime(2);
        // the product's encoders: TAEF2 with its decoder's rendering, TAESana
        Map<String, SurrogateEncoder> all = SharedData.defaultEncoders();
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), SharedData.path("models"), false);
        String aiView = ModelStore.AI_VIEW_MODEL.name();
        Verifier verifier = new Verifier(List.copyOf(all.values()), runtime, TrainerViews.LARGEST,
                new Verifier.AiViewModel(store.encoderWeights(aiView), store.decoderWeights(aiView)));
        Path out = Files.createDirectories(Path.of("target", "transfer-bench"));
        StringBuilder header = new StringBuilder(String.format("%-16s %-14s %-9s %6s %10s %7s", "image",
                "protected_with", "decoy", "time_s", "ssimulacra", "butter3"));
        for (String name : all.keySet()) {
            header.append(String.format(" %9s %7s %7s", name, "jpeg75", "down0.5"));
        }
        System.out.println(header.append("  ai_view"));
        for (String set : sets) {
            List<SurrogateEncoder> used = new ArrayList<>();
            for (String name : set.split("\\+")) {
                used.add(all.get(name));
            }
            Protector protector = new Protector(used, runtime);
            for (String image : images) {
                // judged as the sRGB PNGs written below are read (rocket.jpg's Adobe RGB profile is not written)
                RgbImage x = Transforms.downscale(ImageFiles.read(SharedData.path("images/" + image)).toRgb(),
                        size).withColours(RgbColours.SRGB);
                Path orig = out.resolve(image + ".orig.png");
                javax.imageio.ImageIO.write(ImageTensors.toImage(x), "png", orig.toFile());
                ProtectRequest req = new ProtectRequest(Mode.MASK, Preset.DEFAULT, null, null, null, List.of(), 1,
                        ProtectRequest.DEFAULT_WORK_SIZE, steps);
                Protector.Protection p = protector.protect(x, req, ProgressListener.NONE);
                RgbImage result = ImageTensors.quantize8(p.image());
                Path prot = out.resolve(image + "." + set + ".png");
                javax.imageio.ImageIO.write(ImageTensors.toImage(result), "png", prot.toFile());
                StringBuilder row = new StringBuilder(String.format("%-16s %-14s %-9s %6.1f %10.4f %7.3f", image, set,
                        p.decoy().cliName(), p.seconds(), ProtectBenchmark.ssimulacra(orig, prot),
                        ProtectBenchmark.butteraugli3Norm(orig, prot)));
                Verifier.Report r = verifier.verify(x, result, p.target(), true);
                for (String name : all.keySet()) {
                    Map<String, Double> c = r.byEncoder().get(name);
                    row.append(String.format(" %9.3f %7.3f %7.3f", c.get(Verifier.PLAIN), c.get("jpeg75"),
                            c.get("downscale")));
                }
                System.out.println(row.append(String.format("  %7.3f", r.aiView())));
            }
        }
    }
}
