package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;

class SsimulacraTest {
    /**
     * The score is taken in bands to bound its memory: any band height (a few rows, the default, one band for the
     * whole image) must give exactly the same figure, margins, block means and line averages included.
     */
    @Test
    void bandsGiveExactlyTheWholeImageScore() {
        RgbImage original = ImageTensors.resizeBilinear(TestImages.load("chelsea.png"), 263, 301);
        float[] x = original.data();
        float[] changed = new float[x.length];
        Random random = new Random(7);
        for (int i = 0; i < x.length; i++) {
            changed[i] = Math.max(0f, Math.min(1f, x[i] + (float) random.nextGaussian() * 0.03f));
        }
        RgbImage image = new RgbImage(changed, original.width(), original.height());
        double whole = new Ssimulacra(original, 304).score(image);
        assertTrue(whole > 0.01 && whole < 1, "score " + whole);
        for (int rows : new int[] {4, 8, 12, 128}) {
            assertEquals(whole, new Ssimulacra(original, rows).score(image), 0, rows + " rows a band");
        }
        assertEquals(whole, new Ssimulacra(original).score(image), 0, "default bands");
    }
}
