package org.scrim.engine.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Butteraugli;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.PerceptualBudget;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * The frontier of protection against visibility: each shared image protected at each preset (its butteraugli bound,
 * cap and steps) with the product's encoders (TAEF2 and TAESana), then read on both; the weaker encoder's closeness
 * (the lower of the two, plain) is the protection an artist can count on, against butteraugli's max distance of the
 * 8-bit result, for each shape of the budget ({@link PerceptualBudget.Shape}: {@code channels}, fixed as before, or
 * {@code evened} by butteraugli's map). Rows go to standard output and to {@code
 * target/frontier/frontier.tsv} (appended, so runs of several shapes make one table). Run with {@code
 * bench/run-frontier.sh [presets] [images] [size] [shapes]}.
 */
public final class FrontierBenchmark {
    public static void main(String[] args) throws Exception {
        List<String> presets = List.of((args.length > 0 ? args[0] : "low,default,high").split(","));
        List<String> images = SharedData.images(args, 1);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : ProtectRequest.DEFAULT_WORK_SIZE;
        List<String> shapes = List.of((args.length > 3 ? args[3] : "channels,evened").split(","));
        ComputeRuntime runtime = new OrtRuntime(2);
        Map<String, SurrogateEncoder> encoders = SharedData.defaultEncoders();
        Verifier verifier = new Verifier(List.copyOf(encoders.values()), runtime, size);
        Path out = Files.createDirectories(Path.of("target", "frontier"));
        Path table = out.resolve("frontier.tsv");
        boolean fresh = !Files.exists(table);
        try (PrintWriter tsv = new PrintWriter(Files.newBufferedWriter(table, java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
            StringBuilder header = new StringBuilder("shape\timage\tpreset\tbound\tbutteraugli\tbutteraugli_3norm"
                    + "\tssimulacra\tpsnr");
            encoders.keySet().forEach(n -> header.append('\t').append(n));
            header.append("\tweaker\tseconds");
            if (fresh) {
                tsv.println(header);
            }
            System.out.println(header);
            for (String name : images) {
                // judged as sRGB PNGs are read (rocket.jpg's Adobe RGB profile is not carried)
                RgbImage x = Transforms.downscale(ImageFiles.read(SharedData.path("images/" + name)).toRgb(), size)
                        .withColours(RgbColours.SRGB);
                javax.imageio.ImageIO.write(ImageTensors.toImage(x), "png", out.resolve(name + ".orig.png").toFile());
                for (String shape : shapes) {
                Protector protector = new Protector(List.copyOf(encoders.values()), runtime,
                        PerceptualBudget.Shape.valueOf(shape.toUpperCase(Locale.ROOT)));
                for (String presetName : presets) {
                    Preset preset = Preset.valueOf(presetName.toUpperCase(Locale.ROOT));
                    ProtectRequest req = ProtectRequest.builder(Mode.MASK, preset).build();
                    Protector.Protection p = protector.protect(x, req, ProgressListener.NONE);
                    RgbImage result = ImageTensors.quantize8(p.image());
                    javax.imageio.ImageIO.write(ImageTensors.toImage(result), "png",
                            out.resolve(name + "." + presetName + "." + shape + ".png").toFile());
                    Verifier.Report r = verifier.verify(x, result, p.target(), true);
                    Butteraugli.Score b = new Butteraugli(x).score(result);
                    StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%s\t%s\t%s\t%.1f\t%.3f\t%.3f"
                            + "\t%.4f\t%.2f", shape, name, presetName, req.butteraugliBound(), b.max(), b.pnorm3(),
                            r.visibility(), r.psnr()));
                    double weaker = Double.POSITIVE_INFINITY;
                    for (String n : encoders.keySet()) {
                        double c = r.byEncoder().get(n).get(Verifier.PLAIN);
                        weaker = Math.min(weaker, c);
                        row.append(String.format(Locale.ROOT, "\t%.3f", c));
                    }
                    row.append(String.format(Locale.ROOT, "\t%.3f\t%.1f", weaker, p.seconds()));
                    tsv.println(row);
                    tsv.flush();
                    System.out.println(row);
                }
                }
            }
        }
    }
}
