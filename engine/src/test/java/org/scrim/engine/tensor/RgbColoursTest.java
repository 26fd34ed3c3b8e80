package org.scrim.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import org.junit.jupiter.api.Test;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.testing.SharedData;

/** Profiles read as colours: sRGB as sRGB itself, Adobe RGB's primaries and curve against their published values. */
class RgbColoursTest {
    @Test
    void srgbProfilesAndNoProfileAreSrgb() {
        assertSame(RgbColours.SRGB, RgbColours.fromIcc(null));
        assertSame(RgbColours.SRGB, RgbColours.fromIcc(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData()));
        assertSame(RgbColours.SRGB, RgbColours.fromIcc(new byte[] {1, 2, 3}), "an unreadable profile: as before");
        assertSame(RgbColours.SRGB, RgbColours.fromIcc(ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData()));
    }

    /**
     * Adobe RGB (1998) in linear sRGB: the published matrix (both D65; the profile's Bradford adaptation to D50 and
     * back cancels) and gamma 563/256.
     */
    @Test
    void adobeRgbFromAFilesProfile() throws Exception {
        byte[] icc = ImageFiles.read(SharedData.path("images/rocket.jpg")).iccProfile();
        RgbColours adobe = RgbColours.fromIcc(icc);
        assertFalse(adobe.isSrgb());
        double[][] columns = {{1.3983, 0, 0}, {-0.3983, 1, -0.0429}, {0, 0, 1.0429}};
        for (int c = 0; c < 3; c++) {
            float[] sample = new float[3];
            sample[c] = 1;
            double[] out = new double[3];
            adobe.linearSrgb(sample[0], sample[1], sample[2], out);
            assertArrayEquals(columns[c], out, 3e-3, "primary " + c);
        }
        double[] gray = new double[3];
        adobe.linearSrgb(0.5f, 0.5f, 0.5f, gray);
        double expected = Math.pow(0.5, 563 / 256.0);
        assertArrayEquals(new double[] {expected, expected, expected}, gray, 1e-3);
    }
}
