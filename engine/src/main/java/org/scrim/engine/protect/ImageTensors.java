package org.scrim.engine.protect;

import java.awt.image.BufferedImage;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/** Images in and out of the protect package: conversions, resizing, luma ({@link RgbImage}: values in [0,1]). */
public final class ImageTensors {
    /** Rec. 709 luma weights, applied to the gamma-encoded values (as image editors compute "luminosity"). */
    static final float LUMA_R = 0.2126f;
    static final float LUMA_G = 0.7152f;
    static final float LUMA_B = 0.0722f;

    private ImageTensors() {}

    /** Luma plane (width x height) of an image. */
    static float[] luma(RgbImage image) {
        float[] y = new float[image.pixels()];
        lumaRows(image, 0, image.height(), y);
        return y;
    }

    /** Rows [top, bottom) of {@link #luma} into {@code out} from its start. */
    static void lumaRows(RgbImage image, int top, int bottom, float[] out) {
        int w = image.width();
        int n = image.pixels();
        float[] d = image.data();
        for (int i = top * w; i < bottom * w; i++) {
            out[i - top * w] = LUMA_R * d[i] + LUMA_G * d[n + i] + LUMA_B * d[2 * n + i];
        }
    }

    public static RgbImage fromImage(BufferedImage img) {
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
        return new RgbImage(d, w, h);
    }

    /** 8-bit RGB image, values clipped to [0,1] and rounded to the nearest level. */
    public static BufferedImage toImage(RgbImage image) {
        int h = image.height();
        int w = image.width();
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

    /** The image as an 8-bit file would store it. */
    public static RgbImage quantize8(RgbImage image) {
        return fromImage(toImage(image));
    }

    private static int to8(float v) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }

    /** Bilinear resize to width x height (half-pixel centres, edges clamped): upsamples perturbations. */
    public static RgbImage resizeBilinear(RgbImage image, int width, int height) {
        float[] out = new float[RgbImage.CHANNELS * width * height];
        resizeBilinearRows(image.tensor(), width, height, 0, height, out);
        return new RgbImage(out, width, height);
    }

    /**
     * Rows [top, bottom) of every channel of {@code planes} ([1,C,H,W]: an image or a change to one) resized to
     * width x height into {@code out}, one plane of (bottom - top) rows per channel: for callers that need a large
     * upsampled image a band at a time.
     */
    static void resizeBilinearRows(Tensor planes, int width, int height, int top, int bottom, float[] out) {
        long[] s = planes.shape();
        int c = (int) s[1];
        int sh = (int) s[2];
        int sw = (int) s[3];
        int w = width;
        int rows = bottom - top;
        float[] src = planes.data();
        float fy = (float) sh / height;
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

    /** Scales {@code image} to cover width x height (area averaging when shrinking) and crops the centre. */
    public static RgbImage fitTo(RgbImage image, int width, int height) {
        int w = width;
        int h = height;
        double scale = Math.max((double) h / image.height(), (double) w / image.width());
        int ch = Math.max(h, (int) Math.ceil(image.height() * scale));
        int cw = Math.max(w, (int) Math.ceil(image.width() * scale));
        RgbImage covered = scale < 1 ? Transforms.downscale(image, Math.max(ch, cw)) : image;
        if (covered.height() != ch || covered.width() != cw) {
            covered = resizeBilinear(covered, cw, ch);
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
        return new RgbImage(out, w, h);
    }

    /** Two images of the same height next to each other (the "AI view": clean left, protected right). */
    public static RgbImage sideBySide(RgbImage left, RgbImage right) {
        if (left.height() != right.height()) {
            throw new IllegalArgumentException("images differ in height: " + left.height() + " vs " + right.height());
        }
        int h = left.height();
        int lw = left.width();
        int rw = right.width();
        int w = lw + rw;
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(left.data(), (c * h + y) * lw, out, (c * h + y) * w, lw);
                System.arraycopy(right.data(), (c * h + y) * rw, out, (c * h + y) * w + lw, rw);
            }
        }
        return new RgbImage(out, w, h);
    }
}
