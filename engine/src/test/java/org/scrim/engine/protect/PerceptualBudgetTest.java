package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

class PerceptualBudgetTest {
    private static final int H = 96;
    private static final int W = 192;
    private static final float EPS = 8 / 255f;

    /** Left third flat grey, middle third a smooth ramp (skin-like gradient), right third random texture. */
    private static RgbImage regions() {
        SplittableRandom r = new SplittableRandom(5);
        float[] d = new float[3 * H * W];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                float v = x < 64 ? 0.5f : x < 128 ? 0.3f + 0.4f * (x - 64) / 64f + 0.1f * y / H
                        : 0.3f + 0.4f * (float) r.nextDouble();
                for (int c = 0; c < 3; c++) {
                    d[c * H * W + y * W + x] = v;
                }
            }
        }
        return new RgbImage(d, W, H);
    }

    @Test
    void texturedAreasGetMoreThanFlatOrSmoothGradients() {
        Tensor b = PerceptualBudget.bound(regions(), EPS);
        assertArrayEquals(new long[] {1, 1, H, W}, b.shape());
        double flat = mean(b, 16, 48);
        double ramp = mean(b, 80, 112);
        double texture = mean(b, 144, 176);
        System.out.printf("budget/eps: flat %.2f, smooth ramp %.2f, texture %.2f%n",
                flat / EPS, ramp / EPS, texture / EPS);
        assertTrue(texture > 0.8 * EPS, "texture bound " + texture);
        assertTrue(flat < 0.6 * EPS && ramp < 0.6 * EPS, "flat " + flat + ", ramp " + ramp);
        assertTrue(texture > 1.5 * Math.max(flat, ramp), "texture " + texture + " vs flat " + flat + ", ramp " + ramp);
    }

    @Test
    void boundNeverExceedsEpsilonAndIsSmooth() {
        RgbImage image = TestImages.load("astronaut.png");
        Tensor b = PerceptualBudget.bound(image, EPS);
        float[] d = b.data();
        int w = (int) b.dim(3);
        float maxStep = 0;
        for (int i = 0; i < d.length; i++) {
            assertTrue(d[i] <= EPS && d[i] >= 0.5f * EPS - 1e-6f, "bound " + d[i] + " at " + i);
            if (i % w + 1 < w) {
                maxStep = Math.max(maxStep, Math.abs(d[i + 1] - d[i]));
            }
            if (i + w < d.length) {
                maxStep = Math.max(maxStep, Math.abs(d[i + w] - d[i]));
            }
        }
        System.out.printf("budget largest neighbour step: %.3f eps%n", maxStep / EPS);
        assertTrue(maxStep < 0.15f * EPS, "the bound draws edges: neighbour step " + maxStep / EPS + " eps");
    }

    private static double mean(Tensor b, int x0, int x1) {
        double s = 0;
        int n = 0;
        for (int y = 16; y < H - 16; y++) {
            for (int x = x0; x < x1; x++) {
                s += b.data()[y * W + x];
                n++;
            }
        }
        return s / n;
    }
}
