package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;

class DecoysTest {
    private static final RgbImage ASTRONAUT = TestImages.load("astronaut.png");
    private static final RgbImage COFFEE_CROP = crop(TestImages.load("coffee.png"), 512, 400);

    @Test
    void everyDecoyIsDeterministicValidAndRestyled() {
        for (Decoy d : Decoy.values()) {
            RgbImage a = Decoys.render(d, ASTRONAUT, 7);
            assertArrayEquals(ASTRONAUT.tensor().shape(), a.tensor().shape(), d.cliName());
            assertArrayEquals(a.data(), Decoys.render(d, ASTRONAUT, 7).data(), d + " must repeat for a seed");
            assertFalse(Arrays.equals(a.data(), Decoys.render(d, ASTRONAUT, 8).data()), d + " ignores its seed");
            for (float v : a.data()) {
                assertTrue(v >= 0 && v <= 1, d + " value out of [0,1]: " + v);
            }
            double psnr = Quality.psnr(ASTRONAUT, a);
            assertTrue(psnr < 22, d + " barely changes the style: PSNR " + psnr);
        }
    }

    /** Layout kept: the decoy's coarse luma map (16x16 px cells) correlates with its source far more than with another image. */
    @Test
    void everyDecoyKeepsTheLayout() {
        RgbImage src = crop(ASTRONAUT, 512, 400);
        for (Decoy d : Decoy.values()) {
            float[] decoy = coarse(Decoys.render(d, src, 3));
            double own = Math.abs(correlation(decoy, coarse(src)));
            double other = Math.abs(correlation(decoy, coarse(COFFEE_CROP)));
            System.out.printf("decoy %-9s layout correlation: own %.2f, other image %.2f%n", d.cliName(), own, other);
            assertTrue(own > 0.5 && own > other + 0.3, d + ": own " + own + ", other " + other);
        }
    }

    @Test
    void megapixelRenderIsFast() {
        RgbImage big = new RgbImage(new float[3 * 1024 * 1024], 1024, 1024);
        System.arraycopy(ASTRONAUT.data(), 0, big.data(), 0, ASTRONAUT.data().length);
        for (Decoy d : Decoy.values()) {
            Decoys.render(d, big, 1);
            long t0 = System.nanoTime();
            Decoys.render(d, big, 2);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf("decoy %-9s 1024x1024: %.0f ms%n", d.cliName(), ms);
            assertTrue(ms < 1000, d + " took " + ms + " ms for 1024x1024");
        }
    }

    @Test
    void namesParseFromTheCommandLine() {
        for (Decoy d : Decoy.values()) {
            assertEquals(d, Decoy.parse(d.cliName().toUpperCase()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Decoy.parse("cubism"));
        assertTrue(e.getMessage().contains("posterize"), e.getMessage());
    }

    private static RgbImage crop(RgbImage t, int w, int h) {
        int th = t.height();
        int tw = t.width();
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(t.data(), c * th * tw + y * tw, out, c * h * w + y * w, w);
            }
        }
        return new RgbImage(out, w, h);
    }

    private static float[] coarse(RgbImage t) {
        int h = t.height();
        int w = t.width();
        float[] y = ImageTensors.luma(t);
        int cell = 16;
        float[] out = new float[(h / cell) * (w / cell)];
        for (int i = 0; i < h / cell * cell; i++) {
            for (int j = 0; j < w / cell * cell; j++) {
                out[(i / cell) * (w / cell) + j / cell] += y[i * w + j];
            }
        }
        return out;
    }

    private static double correlation(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
