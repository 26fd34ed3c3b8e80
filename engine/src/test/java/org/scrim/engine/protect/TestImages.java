package org.scrim.engine.protect;

import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/** Shared images, and seeded perturbations, for the protect tests. */
final class TestImages {
    private TestImages() {}

    static RgbImage load(String name) {
        try {
            var img = ImageIO.read(SharedData.path("images/" + name).toFile());
            if (img == null) {
                throw new IllegalStateException("no ImageIO reader for shared image " + name);
            }
            return ImageTensors.fromImage(img);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read shared image " + name + ": " + e.getMessage(), e);
        }
    }

    /** Random +-1 per value, seeded. */
    static float[] signs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextBoolean() ? 1f : -1f;
        }
        return s;
    }

    /** image + scale * direction (one value per sample), clipped to [0,1]. */
    static RgbImage perturb(RgbImage image, float[] direction, float scale) {
        float[] d = image.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.min(1f, Math.max(0f, d[i] + scale * direction[i]));
        }
        return new RgbImage(d, image.width(), image.height());
    }
}
