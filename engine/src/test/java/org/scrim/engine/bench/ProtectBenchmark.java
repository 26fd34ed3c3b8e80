package org.scrim.engine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Decoy;
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
 * Protection over the shared images, per preset: visibility (PSNR, SSIM, the engine's figure and ssimulacra_main),
 * latent closeness on TAEF2 plain / after JPEG 75 / after 0.5x downscale (at the working size, as trainers see it),
 * and time. Run with {@code bench/run-protect.sh [presets] [images] [size] [decoy]}; size is a long side (512, the
 * default), {@code WxH} (scaled to cover and centre-cropped, e.g. 1024x1024) or {@code full}. The protection always
 * works at the default working size.
 */
public final class ProtectBenchmark {
    public static void main(String[] args) throws Exception {
        List<String> presets = List.of((args.length > 0 ? args[0] : "low,default,high").split(","));
        List<String> images = SharedData.images(args, 1);
        String size = args.length > 2 ? args[2] : "512";
        int workSize = ProtectRequest.DEFAULT_WORK_SIZE;
        Decoy decoy = args.length > 3 && !args[3].equals("auto") ? Decoy.parse(args[3]) : null;
        ComputeRuntime runtime = new OrtRuntime(2);
        List<SurrogateEncoder> encoders = List.of(SurrogateEncoder.tae("taef2",
                StateDict.read(SharedData.path("models/taef2_encoder.pth"))));
        Protector protector = new Protector(encoders, runtime);
        Verifier verifier = new Verifier(encoders, runtime, TrainerViews.LARGEST);
        Path out = Files.createDirectories(Path.of("target", "protect-bench"));
        System.out.println("image           size      preset   decoy     steps  time_s  psnr   ssim   vis    "
                + "ssimulacra  close  jpeg75  down0.5  shift");
        for (String name : images) {
            // judged as the sRGB PNGs written below are read (rocket.jpg's Adobe RGB profile is not written)
            RgbImage x = sized(ImageFiles.read(SharedData.path("images/" + name)).toRgb(), size)
                    .withColours(RgbColours.SRGB);
            Path orig = out.resolve(name + ".orig.png");
            javax.imageio.ImageIO.write(ImageTensors.toImage(x), "png", orig.toFile());
            for (String preset : presets) {
                ProtectRequest req = new ProtectRequest(Mode.MASK, Preset.valueOf(preset.toUpperCase()), null, decoy,
                        null, List.of(), 1, workSize, null);
                Protector.Protection p = protector.protect(x, req, ProgressListener.NONE);
                RgbImage result = ImageTensors.quantize8(p.image());
                Path prot = out.resolve(name + "." + preset + ".png");
                javax.imageio.ImageIO.write(ImageTensors.toImage(result), "png", prot.toFile());
                Verifier.Report r = verifier.verify(x, result, p.target(), true);
                System.out.printf("%-15s %9s %-8s %-9s %5d %7.1f %6.2f %6.4f %6.4f %10.4f  %5.3f %7.3f %8.3f %6.2f%n",
                        name, x.width() + "x" + x.height(), preset, p.decoy().cliName(), p.steps(), p.seconds(),
                        r.psnr(), r.ssim(), r.visibility(), ssimulacra(orig, prot), r.closeness().get("none"),
                        r.closeness().get("jpeg75"), r.closeness().get("downscale"), r.shiftVsNoise());
            }
        }
    }

    private static RgbImage sized(RgbImage image, String size) {
        if (size.equals("full")) {
            return image;
        }
        if (size.contains("x")) {
            String[] wh = size.split("x");
            return ImageTensors.fitTo(image, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        }
        return Transforms.downscale(image, Integer.parseInt(size));
    }

    static double ssimulacra(Path a, Path b) throws Exception {
        return firstNumberAfter("", run("ssimulacra_main", a, b));
    }

    /** butteraugli_main's 3-norm: a second, independent reading of visibility, less swayed by one worst spot. */
    static double butteraugli3Norm(Path a, Path b) throws Exception {
        return firstNumberAfter("3-norm:", run("butteraugli_main", a, b));
    }

    private static String run(String tool, Path a, Path b) throws Exception {
        Process p = new ProcessBuilder(tool, a.toString(), b.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String text = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return text;
    }

    private static double firstNumberAfter(String label, String text) {
        int at = text.indexOf(label);
        try {
            return Double.parseDouble(text.substring(at + label.length()).trim().split("\\s+")[0]);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return Double.NaN;
        }
    }
}
