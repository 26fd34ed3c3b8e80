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

    /**
     * The sign of the way toward the pattern decoy, per channel: a structured, colourful change like the ones the
     * optimiser makes when it pulls toward that decoy.
     */
    static float[] towardPattern(RgbImage orig) {
        float[] t = Decoys.render(Decoy.PATTERN, orig, 1).data();
        float[] o = orig.data();
        float[] s = new float[o.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.signum(t[i] - o[i]);
        }
        return s;
    }

    /** The signs with their mean over the channels removed: the same noise with no change in brightness. */
    static float[] chromaOnly(float[] signs) {
        int n = signs.length / 3;
        float[] c = new float[signs.length];
        for (int i = 0; i < n; i++) {
            float mean = (signs[i] + signs[n + i] + signs[2 * n + i]) / 3;
            for (int k = 0; k < 3; k++) {
                c[k * n + i] = signs[k * n + i] - mean;
            }
        }
        return c;
    }
}
