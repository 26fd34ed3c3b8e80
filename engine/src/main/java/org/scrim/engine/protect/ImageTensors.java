package org.scrim.engine.protect;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.scrim.engine.tensor.Tensor;

/** The protect package's image convention: RGB tensors of shape [1,3,H,W] with values in [0,1]. */
public final class ImageTensors {
    /** Rec. 709 luma weights, applied to the gamma-encoded values (as image editors compute "luminosity"). */
    static final float LUMA_R = 0.2126f;
    static final float LUMA_G = 0.7152f;
    static final float LUMA_B = 0.0722f;

    private ImageTensors() {}

    /** Checks the [1,3,H,W] convention and returns {H, W}. */
    public static int[] requireRgb(Tensor image, String what) {
        long[] s = image.shape();
        if (s.length != 4 || s[0] != 1 || s[1] != 3 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException(what + " must be an RGB tensor [1,3,H,W], got " + Arrays.toString(s));
        }
        return new int[] {(int) s[2], (int) s[3]};
    }

    static void requireSameShape(Tensor a, Tensor b) {
        requireRgb(a, "first image");
        requireRgb(b, "second image");
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("images differ in shape: " + Arrays.toString(a.shape()) + " vs "
                    + Arrays.toString(b.shape()));
        }
    }

    /** Luma plane (h*w) of an RGB tensor. */
    static float[] luma(Tensor image) {
        int[] hw = requireRgb(image, "image");
        int n = hw[0] * hw[1];
        float[] d = image.data();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = LUMA_R * d[i] + LUMA_G * d[n + i] + LUMA_B * d[2 * n + i];
        }
        return y;
    }

    public static Tensor fromImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = w * h;
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] d = new float[3 * n];
        for (int i = 0; i < n; i++) {
            d[i] = ((argb[i] >> 16) & 0xff) / 255f;
            d[n + i] = ((argb[i] >> 8) & 0xff) / 255f;
            d[2 * n + i] = (argb[i] & 0xff) / 255f;
        }
        return new Tensor(d, 1, 3, h, w);
    }

    /** 8-bit RGB image, values clipped to [0,1] and rounded to the nearest level. */
    public static BufferedImage toImage(Tensor image) {
        int[] hw = requireRgb(image, "image");
        int h = hw[0];
        int w = hw[1];
        int n = w * h;
        float[] d = image.data();
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = (to8(d[i]) << 16) | (to8(d[n + i]) << 8) | to8(d[2 * n + i]);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    /** The tensor as an 8-bit image would store it. */
    public static Tensor quantize8(Tensor image) {
        return fromImage(toImage(image));
    }

    private static int to8(float v) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
