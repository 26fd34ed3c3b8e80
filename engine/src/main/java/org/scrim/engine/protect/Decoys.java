package org.scrim.engine.protect;

import java.util.SplittableRandom;
import org.scrim.engine.tensor.RgbImage;

/**
 * Renders {@link Decoy} restylings of an image. Pure functions of (image, seed): the seed
 * picks the free parameters (levels, tile size, angles, colours), so a protection run can be repeated exactly.
 * Every style is a few passes over the pixels (well under a second for 1024x1024).
 */
public final class Decoys {
    private Decoys() {}

    public static RgbImage render(Decoy decoy, RgbImage image, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Canvas c = new Canvas(image);
        float[] out = switch (decoy) {
            case POSTERIZE -> posterize(c, rnd);
            case MOSAIC -> mosaic(c, rnd);
            case WOODCUT -> woodcut(c, rnd);
            case SKETCH -> sketch(c, rnd);
            case PATTERN -> pattern(c, rnd);
            case HUESHIFT -> hueshift(c, rnd);
        };
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(1f, Math.max(0f, out[i]));
        }
        return new RgbImage(out, image.width(), image.height());
    }

    private record Canvas(RgbImage image) {
        int w() {
            return image.width();
        }

        int h() {
            return image.height();
        }

        int n() {
            return image.pixels();
        }

        float[] rgb() {
            return image.data();
        }

        float[] plane(int c) {
            float[] p = new float[n()];
            System.arraycopy(rgb(), c * n(), p, 0, n());
            return p;
        }

        float[] luma() {
            return ImageTensors.luma(image);
        }
    }

    /** Slightly smoothed channels cut into 3..5 levels, each channel with its own random level offset. */
    private static float[] posterize(Canvas c, SplittableRandom rnd) {
        int levels = 3 + rnd.nextInt(3);
        float[] out = new float[3 * c.n()];
        for (int ch = 0; ch < 3; ch++) {
            float[] p = PlaneFilters.gaussianBlur(c.plane(ch), c.w(), c.h(), 1.5);
            float offset = (float) rnd.nextDouble(0.2, 0.8);
            for (int i = 0; i < p.length; i++) {
                float q = (float) Math.floor(p[i] * (levels - 1) + offset) / (levels - 1);
                out[ch * c.n() + i] = q;
            }
        }
        return out;
    }

    /** Tiles of 8..16 px holding their mean colour, each tile's brightness jittered, 1-px dark grout. */
    private static float[] mosaic(Canvas c, SplittableRandom rnd) {
        int tile = 8 + rnd.nextInt(9);
        int w = c.w();
        int h = c.h();
        int n = c.n();
        float[] out = new float[3 * n];
        for (int ty = 0; ty < h; ty += tile) {
            for (int tx = 0; tx < w; tx += tile) {
                int y1 = Math.min(h, ty + tile);
                int x1 = Math.min(w, tx + tile);
                float jitter = (float) rnd.nextDouble(0.85, 1.15);
                for (int ch = 0; ch < 3; ch++) {
                    double sum = 0;
                    for (int y = ty; y < y1; y++) {
                        for (int x = tx; x < x1; x++) {
                            sum += c.rgb()[ch * n + y * w + x];
                        }
                    }
                    float mean = (float) (sum / ((y1 - ty) * (x1 - tx))) * jitter;
                    for (int y = ty; y < y1; y++) {
                        for (int x = tx; x < x1; x++) {
                            boolean grout = y == ty || x == tx;
                            out[ch * n + y * w + x] = grout ? 0.35f * mean : mean;
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Ink where luma plus a hatching wave falls below one half: dark areas get thick lines, light ones thin. */
    private static float[] woodcut(Canvas c, SplittableRandom rnd) {
        float[] y = PlaneFilters.gaussianBlur(c.luma(), c.w(), c.h(), 1.0);
        double angle = rnd.nextDouble(Math.PI);
        double period = rnd.nextDouble(5, 9);
        float[] ink = randomColour(rnd, 0.0, 0.25);
        float[] paper = randomColour(rnd, 0.8, 1.0);
        double fx = Math.cos(angle) * 2 * Math.PI / period;
        double fy = Math.sin(angle) * 2 * Math.PI / period;
        float[] out = new float[3 * c.n()];
        for (int r = 0; r < c.h(); r++) {
            for (int x = 0; x < c.w(); x++) {
                int i = r * c.w() + x;
                boolean inked = y[i] + 0.4 * Math.sin(fx * x + fy * r) < 0.5;
                float[] colour = inked ? ink : paper;
                for (int ch = 0; ch < 3; ch++) {
                    out[ch * c.n() + i] = colour[ch];
                }
            }
        }
        return out;
    }

    /** Dark pencil strokes along luma edges (Sobel magnitude) on tinted paper, over soft tonal shading. */
    private static float[] sketch(Canvas c, SplittableRandom rnd) {
        int w = c.w();
        int h = c.h();
        float[] y = PlaneFilters.gaussianBlur(c.luma(), w, h, 1.0);
        float[] paper = randomColour(rnd, 0.85, 1.0);
        float strength = (float) rnd.nextDouble(3, 6);
        float[] out = new float[3 * c.n()];
        for (int r = 0; r < h; r++) {
            int up = Math.max(0, r - 1) * w;
            int mid = r * w;
            int dn = Math.min(h - 1, r + 1) * w;
            for (int x = 0; x < w; x++) {
                int l = Math.max(0, x - 1);
                int rr = Math.min(w - 1, x + 1);
                float gx = (y[up + rr] + 2 * y[mid + rr] + y[dn + rr]) - (y[up + l] + 2 * y[mid + l] + y[dn + l]);
                float gy = (y[dn + l] + 2 * y[dn + x] + y[dn + rr]) - (y[up + l] + 2 * y[up + x] + y[up + rr]);
                float pencil = 1 - Math.min(1f, strength * (float) Math.sqrt(gx * gx + gy * gy));
                float shade = 0.35f + 0.65f * y[mid + x];
                for (int ch = 0; ch < 3; ch++) {
                    out[ch * c.n() + mid + x] = paper[ch] * pencil * shade;
                }
            }
        }
        return out;
    }

    /** Mix with three random gratings per channel: a strong, image-independent texture over the same layout. */
    private static float[] pattern(Canvas c, SplittableRandom rnd) {
        int w = c.w();
        int n = c.n();
        float[] out = new float[3 * n];
        for (int ch = 0; ch < 3; ch++) {
            double[][] waves = new double[3][];
            for (int k = 0; k < 3; k++) {
                double a = rnd.nextDouble(Math.PI);
                double f = 2 * Math.PI / rnd.nextDouble(6, 24);
                waves[k] = new double[] {Math.cos(a) * f, Math.sin(a) * f, rnd.nextDouble(2 * Math.PI)};
            }
            for (int i = 0; i < n; i++) {
                int x = i % w;
                int y = i / w;
                double t = 0;
                for (double[] wv : waves) {
                    t += Math.sin(wv[0] * x + wv[1] * y + wv[2]);
                }
                out[ch * n + i] = 0.55f * c.rgb()[ch * n + i] + 0.45f * (float) (0.5 + t / 6);
            }
        }
        return out;
    }

    /** Rotates the chroma vector (YIQ) about the grey axis by 90..270 degrees and raises saturation by 40%. */
    private static float[] hueshift(Canvas c, SplittableRandom rnd) {
        double angle = Math.toRadians(rnd.nextDouble(90, 270));
        float cos = (float) (1.4 * Math.cos(angle));
        float sin = (float) (1.4 * Math.sin(angle));
        int n = c.n();
        float[] p = c.rgb();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            float r = p[i];
            float g = p[n + i];
            float b = p[2 * n + i];
            float yy = 0.299f * r + 0.587f * g + 0.114f * b;
            float ii = 0.596f * r - 0.274f * g - 0.322f * b;
            float qq = 0.211f * r - 0.523f * g + 0.312f * b;
            float i2 = cos * ii - sin * qq;
            float q2 = sin * ii + cos * qq;
            out[i] = yy + 0.956f * i2 + 0.621f * q2;
            out[n + i] = yy - 0.272f * i2 - 0.647f * q2;
            out[2 * n + i] = yy - 1.106f * i2 + 1.703f * q2;
        }
        return out;
    }

    private static float[] randomColour(SplittableRandom rnd, double lo, double hi) {
        return new float[] {(float) rnd.nextDouble(lo, hi), (float) rnd.nextDouble(lo, hi),
            (float) rnd.nextDouble(lo, hi)};
    }
}
