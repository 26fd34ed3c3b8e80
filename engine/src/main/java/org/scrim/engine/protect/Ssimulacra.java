package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.scrim.engine.tensor.Tensor;

/**
 * SSIMULACRA 1 (Cloudinary, 2017; the {@code ssimulacra_main} of libjxl's tools), written from its published
 * description: the score that presets' visibility bounds are stated in, computed here so the bound holds for the
 * file the artist gets, not only for a stand-in.
 *
 * <p>Both images go to CIE L*a*b* from linear sRGB. At up to six scales (2x2 box halving, while both sides are at
 * least 8) each channel gets an SSIM map with a sigma-1.5 Gaussian window; its mean and the minimum of its 4x4 block
 * means are weighted per scale and channel. At full scale two more terms catch what the means miss: the mean of
 * 1 - max(0, |y2 - mu2| - |y1 - mu1|) (detail the change adds where the original was smooth, such as noise in a
 * flat sky) and, for that map and the SSIM block map, the 2nd percentile of the row and of the column averages
 * (damage that lines up, like a band across the sky). With S the weighted sum of these similarities and M the sum of
 * the weights, the score is M / S - 1, clamped to [0, 1]: 0 for identical images, rising with visibility.
 *
 * <p>The original's half of the work (its L*a*b* pyramid and Gaussian moments) is done once, so bisecting the scale
 * of a perturbation, as the protector does, only pays for the changed image. Scores agree with {@code
 * ssimulacra_main} to within a few percent (the tool's recursive Gaussian against this finite one), see
 * VisibilityCalibrationTest.
 */
public final class Ssimulacra {
    private static final int SCALES = 6;
    private static final float C1 = 0.0001f;
    private static final float C2 = 0.0004f;
    private static final double SIGMA = 1.5;
    /** Weights of the SSIM means per scale and L, a, b channel (the chroma ones include the metric's 0.2). */
    private static final double[][] MEAN_WEIGHTS = {
        {0.0448, 0.0030, 0.0030}, {0.2856, 0.00896, 0.00896}, {0.3001, 0.05712, 0.05712},
        {0.2363, 0.06002, 0.06002}, {0.1333, 0.06726, 0.06726}, {0.1000, 0.0500, 0.0500},
    };
    /** Weights of the worst 4x4 block per scale and channel. */
    private static final double[][] MIN_WEIGHTS = {
        {0.0200, 0.00005, 0.00005}, {0.0300, 0.00025, 0.00025}, {0.0250, 0.0010, 0.0010},
        {0.0200, 0.0015, 0.0015}, {0.0120, 0.00175, 0.00175}, {0.0050, 0.00175, 0.00175},
    };
    private static final double[] EDGE_WEIGHTS = {1.5, 0.1, 0.1};
    private static final double[] LINE_WEIGHTS = {1.0, 0.1, 0.1};
    private static final float[] KERNEL = PlaneFilters.gaussianKernel(SIGMA);

    /** One scale of the original: its L*a*b* planes, their local means and local means of squares. */
    private record Level(int w, int h, float[][] lab, float[][] mu, float[][] sq) {}

    private final List<Level> levels = new ArrayList<>();
    private final long[] shape;

    /** Prepares scores against {@code original}, an RGB tensor [1,3,H,W] of gamma-encoded sRGB values in [0,1]. */
    public Ssimulacra(Tensor original) {
        int[] hw = ImageTensors.requireRgb(original, "original");
        this.shape = original.shape();
        int w = hw[1];
        int h = hw[0];
        float[][] lab = lab(original);
        for (int s = 0; s < SCALES && w >= 8 && h >= 8; s++) {
            if (s > 0) {
                lab = halve(lab, w, h);
                w = (w + 1) / 2;
                h = (h + 1) / 2;
            }
            float[][] planes = lab;
            int lw = w;
            int lh = h;
            levels.add(new Level(w, h, lab, perChannel(c -> blur(planes[c], lw, lh)),
                    perChannel(c -> blur(product(planes[c], planes[c]), lw, lh))));
        }
    }

    /** The score of {@code changed} against the original (0 = identical; higher = more visible). */
    public double score(Tensor changed) {
        ImageTensors.requireSameShape(new Tensor(new float[changed.size()], shape), changed);
        float[][] lab = lab(changed);
        double similarity = 0;
        double weights = 0;
        for (int s = 0; s < levels.size(); s++) {
            Level o = levels.get(s);
            if (s > 0) {
                lab = halve(lab, levels.get(s - 1).w(), levels.get(s - 1).h());
            }
            float[][] planes = lab;
            int scale = s;
            double[][] terms = IntStream.range(0, 3).parallel()
                    .mapToObj(c -> channelTerms(o, planes[c], c, scale == 0)).toArray(double[][]::new);
            for (int c = 0; c < 3; c++) {
                double[] t = terms[c];
                similarity += MEAN_WEIGHTS[s][c] * t[0] + MIN_WEIGHTS[s][c] * t[1];
                weights += MEAN_WEIGHTS[s][c] + MIN_WEIGHTS[s][c];
                if (s == 0) {
                    similarity += EDGE_WEIGHTS[c] * t[2] + LINE_WEIGHTS[c] * (t[3] + t[4] + t[5] + t[6]);
                    weights += EDGE_WEIGHTS[c] + 4 * LINE_WEIGHTS[c];
                }
            }
        }
        return Math.min(1, Math.max(0, weights / similarity - 1));
    }

    /**
     * For one channel at one scale: {mean SSIM, worst 4x4 block of the SSIM map} and, at full scale, {mean edge
     * similarity, 2nd-percentile row and column averages of the SSIM block map, then of the edge map}.
     */
    private static double[] channelTerms(Level o, float[] y2, int c, boolean full) {
        int w = o.w();
        int h = o.h();
        float[] y1 = o.lab()[c];
        float[] mu1 = o.mu()[c];
        float[] s11 = o.sq()[c];
        // Four full-size planes per channel, blurred in place: at 24 megapixels each is 96 MB.
        float[] scratch = new float[w * h];
        float[] mu2 = y2.clone();
        PlaneFilters.convolveInPlace(mu2, w, h, KERNEL, scratch);
        float[] map = product(y2, y2); // s22 until the map replaces it
        PlaneFilters.convolveInPlace(map, w, h, KERNEL, scratch);
        float[] s12 = product(y1, y2);
        PlaneFilters.convolveInPlace(s12, w, h, KERNEL, scratch);
        double sum = 0;
        for (int i = 0; i < map.length; i++) {
            float m1 = mu1[i];
            float m2 = mu2[i];
            float v1 = s11[i] - m1 * m1;
            float v2 = map[i] - m2 * m2;
            float cov = s12[i] - m1 * m2;
            map[i] = (2 * m1 * m2 + C1) * (2 * cov + C2) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
            sum += map[i];
        }
        int bw = (w + 3) / 4;
        int bh = (h + 3) / 4;
        float[] blocks = blockMeans(map, w, h);
        double worst = Double.POSITIVE_INFINITY;
        for (float b : blocks) {
            worst = Math.min(worst, b);
        }
        if (!full) {
            return new double[] {sum / map.length, worst};
        }
        float[] edge = s12;
        double edgeSum = 0;
        for (int i = 0; i < edge.length; i++) {
            edge[i] = 1 - Math.max(0f, Math.abs(y2[i] - mu2[i]) - Math.abs(y1[i] - mu1[i]));
            edgeSum += edge[i];
        }
        return new double[] {sum / map.length, worst, edgeSum / edge.length,
            lowRowAverage(blocks, bw, bh), lowRowAverage(transpose(blocks, bw, bh, new float[blocks.length]), bh, bw),
            lowRowAverage(edge, w, h), lowRowAverage(transpose(edge, w, h, scratch), h, w)};
    }

    /** The row average at the 2nd percentile from the bottom: how bad the worst lines are. */
    private static double lowRowAverage(float[] plane, int w, int h) {
        double[] rows = new double[h];
        for (int y = 0; y < h; y++) {
            double s = 0;
            for (int x = 0; x < w; x++) {
                s += plane[y * w + x];
            }
            rows[y] = s / w;
        }
        Arrays.sort(rows);
        return rows[h / 50];
    }

    private static float[] transpose(float[] p, int w, int h, float[] t) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                t[x * h + y] = p[y * w + x];
            }
        }
        return t;
    }

    /** Means of 4x4 blocks, the last partial ones repeating the edge pixels. */
    private static float[] blockMeans(float[] p, int w, int h) {
        int bw = (w + 3) / 4;
        int bh = (h + 3) / 4;
        float[] out = new float[bw * bh];
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                float s = 0;
                for (int dy = 0; dy < 4; dy++) {
                    int row = Math.min(h - 1, 4 * by + dy) * w;
                    for (int dx = 0; dx < 4; dx++) {
                        s += p[row + Math.min(w - 1, 4 * bx + dx)];
                    }
                }
                out[by * bw + bx] = s / 16;
            }
        }
        return out;
    }

    private static float[][] halve(float[][] planes, int w, int h) {
        return perChannel(c -> PlaneFilters.halve(planes[c], w, h));
    }

    private static float[] blur(float[] p, int w, int h) {
        return PlaneFilters.convolve(p, w, h, KERNEL);
    }

    private static float[] product(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a[i] * b[i];
        }
        return out;
    }

    private interface PlaneOp {
        float[] apply(int channel);
    }

    private static float[][] perChannel(PlaneOp op) {
        return IntStream.range(0, 3).parallel().mapToObj(op::apply).toArray(float[][]::new);
    }

    /**
     * CIE L*a*b* (D65) of gamma-encoded sRGB, scaled as the metric does: L* / 100 and a*, b* / 220 shifted to be
     * positive, so the SSIM constants apply to values near [0, 1].
     */
    static float[][] lab(Tensor image) {
        float[] d = image.data();
        int n = d.length / 3;
        float[][] out = new float[3][n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double r = linear(d[i]);
            double g = linear(d[n + i]);
            double b = linear(d[2 * n + i]);
            // rows of the sRGB -> XYZ matrix, each divided by the D65 white's X, Y or Z
            double x = labCurve(0.4339362441 * r + 0.3761977906 * g + 0.1898342977 * b);
            double y = labCurve(0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
            double z = labCurve(0.0177538108 * r + 0.1094508700 * g + 0.8726392103 * b);
            out[0][i] = (float) (1.16 * y);
            out[1][i] = (float) (86.2 / 220 + 500.0 / 220 * (x - y));
            out[2][i] = (float) (107.9 / 220 + 200.0 / 220 * (y - z));
        });
        return out;
    }

    /** The sRGB transfer function, inverted. */
    private static double linear(float v) {
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    /** The L*a*b* cube root with its linear toe, offset by 16/116 so that black maps to 0. */
    private static double labCurve(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) - 16.0 / 116 : 24389.0 / 3132 * t;
    }
}
