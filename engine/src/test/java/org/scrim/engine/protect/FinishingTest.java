package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

class FinishingTest {
    /** 50 megapixels with the default heap of a small machine: refused up front, saying what it needs. */
    @Test
    void anImageTooLargeForTheHeapIsRefusedWithWhatItNeeds() {
        long twoGib = 2L << 30;
        NotEnoughMemoryException e = assertThrows(NotEnoughMemoryException.class,
                () -> Finishing.checkMemory(10000, 5000, twoGib));
        assertTrue(e.getMessage().contains("10000x5000 pixels need about 2.7 GiB") && e.getMessage().contains(
                "Java may use 2.0 GiB") && e.getMessage().contains("-Xmx3g"), e.getMessage());
        assertDoesNotThrow(() -> Finishing.checkMemory(6000, 4000, twoGib));
    }

    /** An upsampled change comes back within the per-pixel budget, the [0, 1] range and the butteraugli bound. */
    @Test
    void theChangeIsUpsampledAndHeldWithinEveryBound() {
        RgbImage image = Transforms.downscale(TestImages.load("chelsea.png"), 96);
        Random random = new Random(3);
        float[] d = new float[3 * 24 * 16];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextGaussian() * 0.2f;
        }
        float epsilon = Preset.DEFAULT.epsilon;
        double bound = 1.5;
        RgbImage result = Finishing.finish(image, new Tensor(d, 1, 3, 16, 24), epsilon, bound);
        float[] cap = PerceptualBudget.bound(image, epsilon).data();
        float[] x = image.data();
        float[] r = result.data();
        for (int i = 0; i < r.length; i++) {
            assertTrue(r[i] >= 0 && r[i] <= 1 && Math.abs(r[i] - x[i]) <= cap[i % cap.length] + 1e-6f, "pixel " + i);
        }
        // as the written file holds it: rounded to 8 bits
        double score = new Butteraugli(image).score(ImageTensors.quantize8(result)).max();
        assertTrue(score <= bound && score > bound / 2, "butteraugli " + score + " for the bound " + bound);
    }

    /**
     * The scale's search watches the tiles where the change shows most at scale 1, yet meets the bound on every tile:
     * here a change that is faint at scale 1 in one corner grows with the 8th power of the scale there, and overtakes the
     * one that shows most at scale 1. The scale found is the one a search over the whole image finds.
     */
    @Test
    void theScalesSearchMeetsTheBoundOnTilesItDidNotWatch() {
        RgbImage image = Transforms.downscale(TestImages.load("astronaut.png"), 256);
        Butteraugli tiled = new Butteraugli(image, 64, Butteraugli.MARGIN);
        Random random = new Random(5);
        float[] noise = new float[3 * image.pixels()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) random.nextGaussian() * 0.02f;
        }
        int w = image.width();
        java.util.function.DoubleFunction<RgbImage> at = s -> {
            float[] out = image.data().clone();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < image.height(); y++) {
                    for (int x = 0; x < w; x++) {
                        int i = c * image.pixels() + y * w + x;
                        boolean corner = x >= 3 * w / 4 && y >= 3 * image.height() / 4;
                        float change = corner ? (float) Math.pow(s, 8) * 0.1f * noise[i] : (float) s * 0.6f * noise[i];
                        out[i] = Math.max(0f, Math.min(1f, out[i] + change));
                    }
                }
            }
            return new RgbImage(out, w, image.height());
        };
        double bound = 3.6;
        float found = Finishing.scaleWithinBound(tiled, s -> rowsOf(at.apply(s)), bound);
        float whole = Protector.boundedScale(s -> tiled.score(at.apply(s)).max(), bound, 2f, 1);
        double atFound = tiled.score(at.apply(found)).max();
        assertTrue(atFound <= bound, "butteraugli " + atFound + " over the bound " + bound + " at scale " + found);
        assertEquals(whole, found, 0.05 * whole, "scale found watching tiles, and over the whole image");
    }

    private static Ssimulacra.RowSource rowsOf(RgbImage image) {
        return (y0, y1, rgb) -> {
            int n = (y1 - y0) * image.width();
            for (int c = 0; c < 3; c++) {
                System.arraycopy(image.data(), c * image.pixels() + y0 * image.width(), rgb, c * n, n);
            }
        };
    }
}
