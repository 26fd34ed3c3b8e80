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
        float[] y = new float[hw[0] * hw[1]];
        lumaRows(image, 0, hw[0], y);
        return y;
    }

    /** Rows [top, bottom) of {@link #luma} into {@code out} from its start. */
    static void lumaRows(Tensor image, int top, int bottom, float[] out) {
        int[] hw = requireRgb(image, "image");
        int w = hw[1];
        int n = hw[0] * w;
        float[] d = image.data();
        for (int i = top * w; i < bottom * w; i++) {
            out[i - top * w] = LUMA_R * d[i] + LUMA_G * d[n + i] + LUMA_B * d[2 * n + i];
        }
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

    /** Bilinear resize of every channel to h x w (half-pixel centres, edges clamped): upsamples perturbations. */
    public static Tensor resizeBilinear(Tensor image, int h, int w) {
        long[] s = image.shape();
        float[] out = new float[(int) s[1] * h * w];
        resizeBilinearRows(image, h, w, 0, h, out);
        return new Tensor(out, s[0], s[1], h, w);
    }

    /**
     * Rows [top, bottom) of {@link #resizeBilinear} into {@code out}, one plane of (bottom - top) rows per channel:
     * for callers that need a large upsampled image a band at a time.
     */
    static void resizeBilinearRows(Tensor image, int h, int w, int top, int bottom, float[] out) {
        long[] s = image.shape();
        int c = (int) s[1];
        int sh = (int) s[2];
        int sw = (int) s[3];
        int rows = bottom - top;
        float[] src = image.data();
        float fy = (float) sh / h;
        float fx = (float) sw / w;
        for (int y = top; y < bottom; y++) {
            float yy = Math.max(0f, (y + 0.5f) * fy - 0.5f);
            int y0 = Math.min((int) yy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float wy = yy - y0;
            for (int x = 0; x < w; x++) {
                float xx = Math.max(0f, (x + 0.5f) * fx - 0.5f);
                int x0 = Math.min((int) xx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                float wx = xx - x0;
                for (int ch = 0; ch < c; ch++) {
                    int base = ch * sh * sw;
                    float upper = src[base + y0 * sw + x0] * (1 - wx) + src[base + y0 * sw + x1] * wx;
                    float lower = src[base + y1 * sw + x0] * (1 - wx) + src[base + y1 * sw + x1] * wx;
                    out[ch * rows * w + (y - top) * w + x] = upper * (1 - wy) + lower * wy;
                }
            }
        }
    }

    /** Scales {@code image} to cover h x w (area averaging when shrinking) and crops the centre: anchors, decoys. */
    public static Tensor fitTo(Tensor image, int h, int w) {
        int[] hw = requireRgb(image, "image to fit");
        double scale = Math.max((double) h / hw[0], (double) w / hw[1]);
        int ch = Math.max(h, (int) Math.ceil(hw[0] * scale));
        int cw = Math.max(w, (int) Math.ceil(hw[1] * scale));
        Tensor covered = scale < 1 ? Transforms.downscale(image, Math.max(ch, cw)) : image;
        int[] got = requireRgb(covered, "image to fit");
        if (got[0] != ch || got[1] != cw) {
            covered = resizeBilinear(covered, ch, cw);
        }
        int top = (ch - h) / 2;
        int left = (cw - w) / 2;
        float[] out = new float[3 * h * w];
        float[] src = covered.data();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, c * ch * cw + (y + top) * cw + left, out, c * h * w + y * w, w);
            }
        }
        return new Tensor(out, 1, 3, h, w);
    }

    /** Two images of the same height next to each other (the "AI view": clean left, protected right). */
    public static Tensor sideBySide(Tensor left, Tensor right) {
        int[] a = requireRgb(left, "left image");
        int[] b = requireRgb(right, "right image");
        if (a[0] != b[0]) {
            throw new IllegalArgumentException("images differ in height: " + a[0] + " vs " + b[0]);
        }
        int h = a[0];
        int w = a[1] + b[1];
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(left.data(), (c * h + y) * a[1], out, (c * h + y) * w, a[1]);
                System.arraycopy(right.data(), (c * h + y) * b[1], out, (c * h + y) * w + a[1], b[1]);
            }
        }
        return new Tensor(out, 1, 3, h, w);
    }
}
