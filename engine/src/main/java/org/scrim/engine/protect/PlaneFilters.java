package org.scrim.engine.protect;

import java.util.Arrays;

/**
 * Filters on one image plane ({@code float[h*w]}, row-major). Borders repeat the edge pixel, the way image editors
 * blur, so a filtered flat image stays flat up to its edges. Every Gaussian in this package (blur, SSIM windows,
 * the perceptual budget, the graph blur) takes its kernel from {@link #gaussianKernel}.
 */
final class PlaneFilters {
    private PlaneFilters() {}

    /** Radius that holds all but about 0.3% of a Gaussian's mass. */
    static int radiusFor(double sigma) {
        return Math.max(1, (int) Math.ceil(3 * sigma));
    }

    /** Normalised 1-D Gaussian of length {@code 2*radius+1}. */
    static float[] gaussianKernel(double sigma, int radius) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("Gaussian sigma must be positive, got " + sigma);
        }
        float[] k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            sum += Math.exp(-i * (double) i / (2 * sigma * sigma));
        }
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = (float) (Math.exp(-i * (double) i / (2 * sigma * sigma)) / sum);
        }
        return k;
    }

    static float[] gaussianKernel(double sigma) {
        return gaussianKernel(sigma, radiusFor(sigma));
    }

    /** Separable convolution with a symmetric odd-length kernel, edge pixels repeated. */
    static float[] convolve(float[] src, int w, int h, float[] kernel) {
        float[] dst = src.clone();
        convolveInPlace(dst, w, h, kernel, new float[src.length]);
        return dst;
    }

    /**
     * {@link #convolve} into {@code plane} itself, with {@code scratch} (as large) for the horizontal pass: for
     * callers that blur many full-size planes and would otherwise hold two new ones per blur.
     */
    static void convolveInPlace(float[] plane, int w, int h, float[] kernel, float[] scratch) {
        convolveRows(plane, 0, w, h, 0, h, kernel, scratch, plane);
    }

    /**
     * Rows [top, bottom) of {@link #convolve} of a plane of {@code h} rows, into {@code out} from its start, reading
     * only the rows the kernel reaches (top and bottom widened by its radius, within the plane), which start at
     * {@code src[off]}; {@code scratch} holds their horizontal pass. A band gives what the whole plane would, so
     * large planes can be filtered a band at a time.
     */
    static void convolveRows(float[] src, int off, int w, int h, int top, int bottom, float[] kernel, float[] scratch,
            float[] out) {
        int r = kernel.length / 2;
        int from = Math.max(0, top - r);
        int to = Math.min(h, bottom + r);
        for (int y = from; y < to; y++) {
            int row = off + (y - from) * w;
            int dst = (y - from) * w;
            for (int x = 0; x < w; x++) {
                float s = 0;
                if (x >= r && x < w - r) {
                    // away from the edges no index needs clamping (same terms, same order)
                    int first = row + x - r;
                    for (int k = 0; k <= 2 * r; k++) {
                        s += kernel[k] * src[first + k];
                    }
                } else {
                    for (int k = -r; k <= r; k++) {
                        int xx = Math.min(w - 1, Math.max(0, x + k));
                        s += kernel[k + r] * src[row + xx];
                    }
                }
                scratch[dst + x] = s;
            }
        }
        Arrays.fill(out, 0, (bottom - top) * w, 0f);
        for (int y = top; y < bottom; y++) {
            int o = (y - top) * w;
            for (int k = -r; k <= r; k++) {
                int row = (Math.min(h - 1, Math.max(0, y + k)) - from) * w;
                float kv = kernel[k + r];
                for (int x = 0; x < w; x++) {
                    out[o + x] += kv * scratch[row + x];
                }
            }
        }
    }

    static float[] gaussianBlur(float[] src, int w, int h, double sigma) {
        return convolve(src, w, h, gaussianKernel(sigma));
    }

    /** 2x2 box average (odd last row/column repeated): one step of a multi-scale pyramid. */
    static float[] halve(float[] src, int w, int h) {
        int w2 = (w + 1) / 2;
        int h2 = (h + 1) / 2;
        float[] dst = new float[w2 * h2];
        for (int y = 0; y < h2; y++) {
            int y0 = 2 * y * w;
            int y1 = Math.min(h - 1, 2 * y + 1) * w;
            for (int x = 0; x < w2; x++) {
                int x0 = 2 * x;
                int x1 = Math.min(w - 1, 2 * x + 1);
                dst[y * w2 + x] = 0.25f * (src[y0 + x0] + src[y0 + x1] + src[y1 + x0] + src[y1 + x1]);
            }
        }
        return dst;
    }
}
