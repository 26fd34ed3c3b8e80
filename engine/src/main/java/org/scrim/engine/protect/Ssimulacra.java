package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;

/**
 * SSIMULACRA 1 (Cloudinary, 2017; the {@code ssimulacra_main} of libjxl's tools), written from its published
 * description: the score that presets' visibility bounds are stated in, computed here so the bound holds for the
 * file the artist gets, not only for a stand-in.
 *
 * <p>Both images go to CIE L*a*b* from linear sRGB, through the original's {@link RgbColours} when its samples are not
 * sRGB (as {@code ssimulacra_main} reads a file through its ICC profile). At up to six scales (2x2 box halving, while
 * both sides are at least 8) each channel gets an SSIM map with a sigma-1.5 Gaussian window; its mean and the minimum
 * of its 4x4 block means are weighted per scale and channel. At full scale two more terms catch what the means miss:
 * the mean of 1 - max(0, |y2 - mu2| - |y1 - mu1|) (detail the change adds where the original was smooth, such as noise
 * in a flat sky) and, for that map and the SSIM block map, the 2nd percentile of the row and of the column averages
 * (damage that lines up, like a band across the sky). With S the weighted sum of these similarities and M the sum of
 * the weights, the score is M / S - 1, clamped to [0, 1]: 0 for identical images, rising with visibility.
 *
 * <p>So that large images fit in memory, only the original's smaller scales (L*a*b* planes of a third of its pixels)
 * are kept between scores, and the full scale is taken in bands of rows with margins for the Gaussian, both images
 * converted to L*a*b* a band at a time. Every sum adds in the order a whole-image pass would, so the bands change
 * no figure. Scores agree with {@code ssimulacra_main} to within a few percent (the tool's recursive
 * Gaussian against this finite one), see VisibilityCalibrationTest.
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
    private static final int RADIUS = KERNEL.length / 2;
    /**
     * The 8-bit levels as images read from 8-bit files hold them, and their linear values: the original is converted
     * to L*a*b* at every score, and the table spares it the power function.
     */
    private static final float[] LEVELS_8 = new float[256];
    private static final double[] LINEAR_8 = new double[256];

    static {
        for (int k = 0; k < 256; k++) {
            LEVELS_8[k] = k / 255f;
            LINEAR_8[k] = RgbColours.srgbLinear(LEVELS_8[k]);
        }
    }

    /**
     * Rows per band of the scoring (a multiple of 4 for the block means): every plane of a score is held for one
     * band and its blur margins, not for the whole image, so memory does not grow with the image's height.
     */
    private static final int BAND_ROWS = 128;

    /** Fills rows [y0, y1) of an RGB image into {@code rgb}, as three planes of (y1 - y0) rows each. */
    public interface RowSource {
        void rows(int y0, int y1, float[] rgb);
    }

    /**
     * One scale of the original: its L*a*b* planes (their local moments are recomputed per band when scoring), none
     * at full scale, where they are converted a band at a time from the original itself.
     */
    private record Level(int w, int h, float[][] lab) {}

    private final List<Level> levels = new ArrayList<>();
    private final RgbImage original;
    private final int bandRows;

    /**
     * Prepares scores against {@code original}, values in [0,1] in its {@link RgbImage#colours} (the changed images
     * are taken in the same), which is kept (not copied) and must not change.
     */
    public Ssimulacra(RgbImage original) {
        this(original, BAND_ROWS);
    }

    /** As {@link #Ssimulacra(RgbImage)}, scoring in bands of {@code bandRows} rows (a positive multiple of 4). */
    Ssimulacra(RgbImage original, int bandRows) {
        if (bandRows < 4 || bandRows % 4 != 0) {
            throw new IllegalArgumentException("band rows must be a positive multiple of 4, got " + bandRows);
        }
        this.bandRows = bandRows;
        this.original = original;
        int w = original.width();
        int h = original.height();
        if (w < 8 || h < 8) {
            return; // too small to score: no scales
        }
        levels.add(new Level(w, h, null));
        // the second scale from the full one, converted a band at a time; the smaller ones from the second
        float[][] lab = new float[3][((w + 1) / 2) * ((h + 1) / 2)];
        LabRows rows = new LabRows(rowsOf(original), w, bandRows, original.colours());
        for (int y0 = 0; y0 < h; y0 += bandRows) {
            int y1 = Math.min(h, y0 + bandRows);
            float[][] band = rows.rows(y0, y1);
            for (int c = 0; c < 3; c++) {
                halveRows(band[c], y0, w, h, y0 / 2, (y1 + 1) / 2, lab[c]);
            }
        }
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        levels.add(new Level(w, h, lab));
        for (int s = 2; s < SCALES && w >= 8 && h >= 8; s++) {
            lab = halve(lab, w, h);
            w = (w + 1) / 2;
            h = (h + 1) / 2;
            levels.add(new Level(w, h, lab));
        }
    }

    /**
     * The score of {@code changed} against the original (0 = identical; higher = more visible; NaN below 8 pixels a
     * side, where there is no scale to compare).
     */
    public double score(RgbImage changed) {
        original.requireSameSize(changed);
        return score(rowsOf(changed));
    }

    /**
     * The score of the image that {@code changed} gives row by row, never whole: for callers that make the changed
     * image from others and would otherwise hold a full-size copy of it.
     */
    public double score(RowSource changed) {
        if (levels.isEmpty()) {
            return Double.NaN;
        }
        Level full = levels.get(0);
        int w = full.w();
        int h = full.h();
        double[][][] terms = new double[levels.size()][][];
        // the full scale, band by band from the sources, making the next scale's planes as it goes
        float[][] next = levels.size() > 1 ? new float[3][((w + 1) / 2) * ((h + 1) / 2)] : null;
        ChannelPass[] passes = passes(full);
        LabRows originalRows = new LabRows(rowsOf(original), w, bandRows, original.colours());
        LabRows changedRows = new LabRows(changed, w, bandRows, original.colours());
        for (int y0 = 0; y0 < h; y0 += bandRows) {
            int y1 = Math.min(h, y0 + bandRows);
            int from = Math.max(0, y0 - RADIUS);
            int to = Math.min(h, y1 + RADIUS);
            float[][] before = originalRows.rows(from, to);
            float[][] after = changedRows.rows(from, to);
            int first = y0;
            IntStream.range(0, 3).parallel().forEach(c -> {
                passes[c].band(before[c], from, after[c], from, first, y1);
                if (next != null) {
                    halveRows(after[c], from, w, h, first / 2, (y1 + 1) / 2, next[c]);
                }
            });
        }
        terms[0] = finish(passes);
        // the smaller scales (a quarter of the pixels and less) from whole planes
        float[][] planes = next;
        for (int s = 1; s < levels.size(); s++) {
            Level o = levels.get(s);
            if (s > 1) {
                planes = halve(planes, levels.get(s - 1).w(), levels.get(s - 1).h());
            }
            ChannelPass[] p = passes(o);
            float[][] whole = planes;
            IntStream.range(0, 3).parallel().forEach(c -> {
                for (int y0 = 0; y0 < o.h(); y0 += bandRows) {
                    p[c].band(o.lab()[c], 0, whole[c], 0, y0, Math.min(o.h(), y0 + bandRows));
                }
            });
            terms[s] = finish(p);
        }
        double similarity = 0;
        double weights = 0;
        for (int s = 0; s < levels.size(); s++) {
            for (int c = 0; c < 3; c++) {
                double[] t = terms[s][c];
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

    /** Rows of an image, copied out of its three planes. */
    private static RowSource rowsOf(RgbImage image) {
        float[] d = image.data();
        int w = image.width();
        int n = image.pixels();
        return (y0, y1, rgb) -> {
            int rows = (y1 - y0) * w;
            for (int c = 0; c < 3; c++) {
                System.arraycopy(d, c * n + y0 * w, rgb, c * rows, rows);
            }
        };
    }

    /**
     * L*a*b* planes of a row source's bands (each with its blur margins), bands asked for top to bottom: rows the
     * last band already converted (its lower margin) are copied, not converted again.
     */
    private static final class LabRows {
        private final RowSource source;
        private final int w;
        private final RgbColours colours;
        private final float[] rgb;
        private float[][] lab;
        private float[][] previous;
        private int labFrom;
        private int labTo;

        LabRows(RowSource source, int w, int bandRows, RgbColours colours) {
            this.source = source;
            this.w = w;
            this.colours = colours;
            int size = (bandRows + 2 * RADIUS) * w;
            this.rgb = new float[3 * size];
            this.lab = new float[3][size];
            this.previous = new float[3][size];
        }

        /** Rows [from, to) as three planes from index 0, valid until the next call. */
        float[][] rows(int from, int to) {
            float[][] swap = previous;
            previous = lab;
            lab = swap;
            int kept = Math.max(0, Math.min(to, labTo) - from);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(previous[c], (from - labFrom) * w, lab[c], 0, kept * w);
            }
            if (to > from + kept) {
                source.rows(from + kept, to, rgb);
                labInto(rgb, (to - from - kept) * w, lab, kept * w, colours);
            }
            labFrom = from;
            labTo = to;
            return lab;
        }
    }

    private ChannelPass[] passes(Level level) {
        boolean full = level == levels.get(0);
        return IntStream.range(0, 3).mapToObj(c -> new ChannelPass(level, full, bandRows))
                .toArray(ChannelPass[]::new);
    }

    private static double[][] finish(ChannelPass[] passes) {
        return Arrays.stream(passes).map(ChannelPass::terms).toArray(double[][]::new);
    }

    /**
     * One channel at one scale, taken band by band (top to bottom, so every sum adds in the order a whole-image
     * pass would): {mean SSIM, worst 4x4 block of the SSIM map} and, at full scale, {mean edge similarity,
     * 2nd-percentile row and column averages of the SSIM block map, then of the edge map}.
     */
    private static final class ChannelPass {
        private final int w;
        private final int h;
        private final boolean full;
        private final float[] blocks;
        private final double[] edgeRows;
        private final double[] edgeColumns;
        // band planes: the horizontal pass and products span the band and its margins
        private final float[] across;
        private final float[] product;
        private final float[] mu1;
        private final float[] s11;
        private final float[] mu2;
        private final float[] map;
        private final float[] s12;
        private double sum;
        private double edgeSum;

        ChannelPass(Level level, boolean full, int bandRows) {
            this.w = level.w();
            this.h = level.h();
            this.full = full;
            this.blocks = new float[((w + 3) / 4) * ((h + 3) / 4)];
            this.edgeRows = full ? new double[h] : null;
            this.edgeColumns = full ? new double[w] : null;
            int rows = Math.min(h, bandRows);
            int margined = Math.min(h, bandRows + 2 * RADIUS) * w;
            this.across = new float[margined];
            this.product = new float[margined];
            this.mu1 = new float[rows * w];
            this.s11 = new float[rows * w];
            this.mu2 = new float[rows * w];
            this.map = new float[rows * w];
            this.s12 = new float[rows * w];
        }

        /**
         * Rows [top, bottom) of the maps, from the original's plane {@code y1} (its rows from {@code y1Row} on) and
         * the changed one's {@code y2} (from {@code y2Row} on).
         */
        void band(float[] y1, int y1Row, float[] y2, int y2Row, int top, int bottom) {
            int from = Math.max(0, top - RADIUS);
            int to = Math.min(h, bottom + RADIUS);
            int y1Off = (from - y1Row) * w;
            int y2Off = (from - y2Row) * w;
            int n = (to - from) * w;
            for (int i = 0; i < n; i++) {
                product[i] = y1[y1Off + i] * y1[y1Off + i];
            }
            blurBand(y1, y1Off, top, bottom, mu1);
            blurBand(product, 0, top, bottom, s11);
            blurBand(y2, y2Off, top, bottom, mu2);
            for (int i = 0; i < n; i++) {
                product[i] = y2[y2Off + i] * y2[y2Off + i];
            }
            blurBand(product, 0, top, bottom, map); // s22 until the map replaces it
            for (int i = 0; i < n; i++) {
                product[i] = y1[y1Off + i] * y2[y2Off + i];
            }
            blurBand(product, 0, top, bottom, s12);
            int m = (bottom - top) * w;
            for (int i = 0; i < m; i++) {
                float m1 = mu1[i];
                float m2 = mu2[i];
                float v1 = s11[i] - m1 * m1;
                float v2 = map[i] - m2 * m2;
                float cov = s12[i] - m1 * m2;
                map[i] = (2 * m1 * m2 + C1) * (2 * cov + C2) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
                sum += map[i];
            }
            blockMeans(map, top, bottom);
            if (full) {
                int own1 = (top - y1Row) * w;
                int own2 = (top - y2Row) * w;
                for (int y = top; y < bottom; y++) {
                    double row = 0;
                    for (int x = 0; x < w; x++) {
                        int i = (y - top) * w + x;
                        float edge = 1 - Math.max(0f,
                                Math.abs(y2[own2 + i] - mu2[i]) - Math.abs(y1[own1 + i] - mu1[i]));
                        edgeSum += edge;
                        row += edge;
                        edgeColumns[x] += edge;
                    }
                    edgeRows[y] = row / w;
                }
            }
        }

        private void blurBand(float[] src, int off, int top, int bottom, float[] out) {
            PlaneFilters.convolveRows(src, off, w, h, top, bottom, KERNEL, across, out);
        }

        /** Means of the 4x4 blocks in rows [top, bottom) of the map, the last partial ones repeating edge pixels. */
        private void blockMeans(float[] p, int top, int bottom) {
            int bw = (w + 3) / 4;
            for (int by = top / 4; by < (bottom + 3) / 4; by++) {
                for (int bx = 0; bx < bw; bx++) {
                    float s = 0;
                    for (int dy = 0; dy < 4; dy++) {
                        int row = (Math.min(h - 1, 4 * by + dy) - top) * w;
                        for (int dx = 0; dx < 4; dx++) {
                            s += p[row + Math.min(w - 1, 4 * bx + dx)];
                        }
                    }
                    blocks[by * bw + bx] = s / 16;
                }
            }
        }

        double[] terms() {
            int n = w * h;
            double worst = Double.POSITIVE_INFINITY;
            for (float b : blocks) {
                worst = Math.min(worst, b);
            }
            if (!full) {
                return new double[] {sum / n, worst};
            }
            int bw = (w + 3) / 4;
            int bh = (h + 3) / 4;
            for (int x = 0; x < w; x++) {
                edgeColumns[x] /= h;
            }
            return new double[] {sum / n, worst, edgeSum / n,
                lowRowAverage(blocks, bw, bh), lowRowAverage(transpose(blocks, bw, bh), bh, bw),
                percentile(edgeRows), percentile(edgeColumns)};
        }
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
        return percentile(rows);
    }

    /** The 2nd percentile from the bottom (sorts {@code averages}). */
    private static double percentile(double[] averages) {
        Arrays.sort(averages);
        return averages[averages.length / 50];
    }

    private static float[] transpose(float[] p, int w, int h) {
        float[] t = new float[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                t[x * h + y] = p[y * w + x];
            }
        }
        return t;
    }

    private static float[][] halve(float[][] planes, int w, int h) {
        return perChannel(c -> PlaneFilters.halve(planes[c], w, h));
    }

    /**
     * Rows [top, bottom) of the 2x2 box halving of a plane whose rows from {@code srcRow} on start at {@code src[0]}:
     * the arithmetic of {@link PlaneFilters#halve}, for a band.
     */
    private static void halveRows(float[] src, int srcRow, int w, int h, int top, int bottom, float[] dst) {
        int w2 = (w + 1) / 2;
        for (int y = top; y < bottom; y++) {
            int y0 = (2 * y - srcRow) * w;
            int y1 = (Math.min(h - 1, 2 * y + 1) - srcRow) * w;
            for (int x = 0; x < w2; x++) {
                int x0 = 2 * x;
                int x1 = Math.min(w - 1, 2 * x + 1);
                dst[y * w2 + x] = 0.25f * (src[y0 + x0] + src[y0 + x1] + src[y1 + x0] + src[y1 + x1]);
            }
        }
    }

    private interface PlaneOp {
        float[] apply(int channel);
    }

    private static float[][] perChannel(PlaneOp op) {
        return IntStream.range(0, 3).parallel().mapToObj(op::apply).toArray(float[][]::new);
    }

    /**
     * CIE L*a*b* (D65) of the {@code n} pixels in {@code colours} in the three planes of {@code d}, into {@code out}'s
     * planes from {@code off}, scaled as the metric does: L* / 100 and a*, b* / 220 shifted to be positive, so the
     * SSIM constants apply to values near [0, 1].
     */
    private static void labInto(float[] d, int n, float[][] out, int off, RgbColours colours) {
        IntStream.range(0, n).parallel().forEach(i -> {
            double r;
            double g;
            double b;
            if (colours.isSrgb()) {
                r = linear(d[i]);
                g = linear(d[n + i]);
                b = linear(d[2 * n + i]);
            } else {
                double[] rgb = new double[3];
                colours.linearSrgb(d[i], d[n + i], d[2 * n + i], rgb);
                r = rgb[0];
                g = rgb[1];
                b = rgb[2];
            }
            // rows of the sRGB -> XYZ matrix, each divided by the D65 white's X, Y or Z
            double x = labCurve(0.4339362441 * r + 0.3761977906 * g + 0.1898342977 * b);
            double y = labCurve(0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
            double z = labCurve(0.0177538108 * r + 0.1094508700 * g + 0.8726392103 * b);
            out[0][off + i] = (float) (1.16 * y);
            out[1][off + i] = (float) (86.2 / 220 + 500.0 / 220 * (x - y));
            out[2][off + i] = (float) (107.9 / 220 + 200.0 / 220 * (y - z));
        });
    }

    /** The sRGB transfer function, inverted (8-bit levels from a table); Butteraugli reads samples with it too. */
    static double linear(float v) {
        int level = (int) (v * 255 + 0.5f);
        return level >= 0 && level <= 255 && LEVELS_8[level] == v ? LINEAR_8[level] : RgbColours.srgbLinear(v);
    }

    /** The L*a*b* cube root with its linear toe, offset by 16/116 so that black maps to 0. */
    private static double labCurve(double t) {
        return t > 216.0 / 24389 ? Math.cbrt(t) - 16.0 / 116 : 24389.0 / 3132 * t;
    }
}
