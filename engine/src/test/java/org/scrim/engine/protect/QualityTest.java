package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

class QualityTest {
    private static final RgbImage ASTRONAUT = TestImages.load("astronaut.png");

    @Test
    void psnrOfAUniformOffsetFollowsTheDefinition() {
        RgbImage grey = new RgbImage(filled(3 * 64 * 64, 0.5f), 64, 64);
        RgbImage brighter = new RgbImage(filled(3 * 64 * 64, 0.51f), 64, 64);
        assertEquals(40.0, Quality.psnr(grey, brighter), 1e-3);
        assertEquals(Double.POSITIVE_INFINITY, Quality.psnr(grey, grey.copy()));
    }

    @Test
    void ssimIsOneForIdenticalAndFallsWithNoise() {
        assertEquals(1.0, Quality.ssim(ASTRONAUT, ASTRONAUT.copy()), 1e-6);
        float[] s = TestImages.signs(ASTRONAUT.data().length, 1);
        double prev = 1;
        for (int k = 1; k <= 16; k *= 2) {
            double v = Quality.ssim(ASTRONAUT, TestImages.perturb(ASTRONAUT, s, k / 255f));
            assertTrue(v < prev, "SSIM must fall as noise grows: " + v + " at " + k + "/255");
            prev = v;
        }
        assertTrue(prev < 0.7, "SSIM at 16/255 noise: " + prev);
    }

    @Test
    void visibilityIsZeroForNoChangeAndMonotoneInPerturbationSize() {
        assertEquals(0.0, Quality.visibility(ASTRONAUT, ASTRONAUT.copy()), 1e-6);
        float[] s = TestImages.signs(ASTRONAUT.data().length, 2);
        double prev = 0;
        for (int k = 1; k <= 16; k++) {
            double v = Quality.visibility(ASTRONAUT, TestImages.perturb(ASTRONAUT, s, k / 255f));
            assertTrue(v > prev, "visibility must grow with the perturbation: " + v + " at " + k + "/255");
            prev = v;
        }
    }

    @Test
    void mismatchedShapesAreRejected() {
        RgbImage small = new RgbImage(new float[3 * 8 * 8], 8, 8);
        assertThrows(IllegalArgumentException.class, () -> Quality.psnr(ASTRONAUT, small));
        assertThrows(IllegalArgumentException.class,
                () -> Quality.ssim(small, new RgbImage(new float[3 * 8 * 8], 4, 16)));
        // a gray tensor is not an RGB image: refused where it would become one, naming it
        IllegalArgumentException gray = assertThrows(IllegalArgumentException.class,
                () -> RgbImage.of(new Tensor(new float[64], 1, 1, 8, 8), "the gray one"));
        assertTrue(gray.getMessage().startsWith("the gray one must be an RGB tensor [1,3,H,W]"), gray.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(new float[3 * 8 * 8], 8, 7));
    }

    private static float[] filled(int n, float v) {
        float[] d = new float[n];
        java.util.Arrays.fill(d, v);
        return d;
    }
}
