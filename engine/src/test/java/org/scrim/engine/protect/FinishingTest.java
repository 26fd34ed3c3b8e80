package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
}
