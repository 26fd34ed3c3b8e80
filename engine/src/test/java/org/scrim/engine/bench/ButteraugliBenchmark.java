package org.scrim.engine.bench;

import java.util.Locale;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Butteraugli;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * Time of {@link Butteraugli} at the sizes a protection finishes at: a shared image resized to each long side, against
 * a noisy copy; the first score of an original (which computes its bands) and a second one (which, for an image that
 * fits one tile, reuses them). Run with {@code bench/run-butteraugli.sh [image] [sides]}.
 */
public final class ButteraugliBenchmark {
    public static void main(String[] args) throws Exception {
        String image = args.length > 0 ? args[0] : "chelsea.png";
        String sides = args.length > 1 ? args[1] : "512,1024,2048,4096";
        RgbImage source = ImageFiles.read(SharedData.path("images/" + image)).toRgb().withColours(RgbColours.SRGB);
        System.out.printf("%-8s %-11s %9s %9s %10s %8s %8s%n", "side", "pixels", "first_s", "again_s", "s_per_Mpx",
                "max", "3-norm");
        for (String s : sides.split(",")) {
            int side = Integer.parseInt(s);
            double f = side / (double) Math.max(source.width(), source.height());
            RgbImage x = ImageTensors.resizeBilinear(source, (int) Math.round(source.width() * f),
                    (int) Math.round(source.height() * f));
            RgbImage y = ImageTensors.quantize8(Transforms.gaussianNoise(x, 0.01, 1));
            Butteraugli b = new Butteraugli(x);
            long t0 = System.nanoTime();
            b.score(y);
            long t1 = System.nanoTime();
            Butteraugli.Score score = b.score(y);
            long t2 = System.nanoTime();
            double mpx = x.pixels() / 1e6;
            System.out.printf(Locale.ROOT, "%-8d %-11s %9.2f %9.2f %10.2f %8.3f %8.3f%n", side,
                    x.width() + "x" + x.height(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t1) / 1e9 / mpx,
                    score.max(), score.pnorm3());
        }
    }
}
