package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;

/**
 * Butteraugli (Alakuijala et al., the JPEG XL project's psychovisual distance), written from the algorithm as
 * libjxl 0.7 publishes it, whose {@code butteraugli_main} (Debian's libjxl-devtools) it is checked against: about
 * 1.0 is the just-noticeable difference at 100% on a normal screen, and the figure grows with how much the change
 * shows. The preset bounds are stated in it.
 *
 * <p>Both images go to linear sRGB (through the original's {@link RgbColours}), scaled to an 80-nit screen, then to
 * the model's opsin XYB: each channel is mixed from the others and scaled by the sensitivity at the local mean (a
 * sigma-1.2 blur), so a change is judged against the light around it. Each XYB channel is split by Gaussian blurs
 * into four frequency bands (LF above sigma 7.2, MF, HF, UHF below sigma 1.6), with a dead zone or gain around
 * zero per band and the red-green HF suppressed where the luminance HF is strong. The two images' bands are compared
 * by squared difference (asymmetric in HF: detail lost weighs differently from detail added) and by "Malta" line
 * filters (16 short line kernels: a difference lined up along an edge shows more than scattered dots). The sum is
 * masked by the original's local HF activity (blurred, then eroded so a flat neighbourhood is not masked by an edge
 * beside it), separately for the low and the higher frequencies; the square root is the per-pixel distance. The
 * same is done on a 2x2-averaged copy and added in. The image's distance is the largest per-pixel value; the
 * 3-norm ({@code butteraugli_main}'s second line) is the mean of the 3-, 6- and 12-power means, a figure for how much
 * of the image shows a change rather than its worst spot.
 *
 * <p>Memory stays bounded on large images: the distance is computed on tiles of at most {@value #TILE} px a side
 * with a margin of {@value #MARGIN} px (more than every filter reaches, at both scales), so each tile's inner pixels
 * get the values the whole image would give them. An image that fits in one tile keeps the original's bands between
 * scores.
 */
public final class Butteraugli {
    /** libjxl 0.7's {@code butteraugli_main}: a screen of 80 nits for sRGB white; HF asymmetry 0.8. */
    private static final float INTENSITY_TARGET = 80f;
    private static final float HF_ASYMMETRY = 0.8f;
    /** Inner side of a tile and its margin (even, so the half scale's 2x2 grid stays the whole image's). */
    static final int TILE = 1024;
    static final int MARGIN = 96;
    /** Rows per read from a row source, so a tile of a wide image is filled without a full-width copy of it. */
    private static final int READ_ROWS = 32;
    /** Cores to score tiles on, and the fewest rows a band of an image that fits one tile is cut into for them. */
    static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final int MIN_BAND_ROWS = 256;
    /**
     * Heap a tile's scoring holds per pixel of its region: both images' bands at both scales and the comparison's
     * planes (about 250 MB for the largest tile).
     */
    private static final long BYTES_PER_TILE_PIXEL = 170;
    /** Below this, in either side, there is no distance (as in libjxl, which pads such images instead). */
    private static final int MIN_SIDE = 8;

    /** The figures for one pair: the largest per-pixel distance and the 3-norm over the image. */
    public record Score(double max, double pnorm3) {
        /** How visible the change is, in words, from the max distance. */
        public Seen seen() {
            return Seen.of(max);
        }
    }

    /**
     * The max distance in words for an artist, on butteraugli's own scale: about 1.0 is the just-noticeable
     * difference, so up to 1.5 nobody sees the change at 100% on a normal screen; up to 3 it shows only where the
     * image is flat (a sky, skin), and only to someone looking for it; beyond, it shows.
     */
    public enum Seen {
        INVISIBLE(1.5, "invisible at 100%"),
        FAINT(3.0, "faint on flat areas"),
        VISIBLE(Double.POSITIVE_INFINITY, "visible");

        private final double upTo;
        private final String words;

        Seen(double upTo, String words) {
            this.upTo = upTo;
            this.words = words;
        }

        public String words() {
            return words;
        }

        static Seen of(double max) {
            for (Seen s : values()) {
                if (max <= s.upTo) {
                    return s;
                }
            }
            return VISIBLE; // NaN: too small to measure is not called invisible
        }
    }

    private final RgbImage original;
    /** The original's bands at both scales, per tile, kept when the image fits one tile. */
    private Bands[][] cached;

    private final int tile;
    private final int margin;

    /** Prepares scores against {@code original} (kept, not copied; it must not change). */
    public Butteraugli(RgbImage original) {
        this(original, TILE, MARGIN);
    }

    /** As {@link #Butteraugli(RgbImage)}, on tiles of {@code tile} px with {@code margin} (even) px around them. */
    Butteraugli(RgbImage original, int tile, int margin) {
        if (tile < 1 || margin < 0 || margin % 2 != 0 || tile % 2 != 0) {
            throw new IllegalArgumentException("tile and margin must be even, got " + tile + " and " + margin);
        }
        this.original = original;
        this.tile = tile;
        this.margin = margin;
    }

    /** The distance of {@code changed} (same size, same colours) from the original. */
    public Score score(RgbImage changed) {
        original.requireSameSize(changed);
        return score(rowsOf(changed));
    }

    /** The distance of the image {@code changed} gives row by row (never held whole here). */
    public Score score(Ssimulacra.RowSource changed) {
        int w = original.width();
        int h = original.height();
        if (w < MIN_SIDE || h < MIN_SIDE) {
            return new Score(Double.NaN, Double.NaN);
        }
        double[] max = {0};
        double[] powerSums = new double[3];
        forEachPixel(changed, t -> true, (t, x, y, d) -> {
            max[0] = Math.max(max[0], d);
            double d3 = (double) d * d * d;
            powerSums[0] += d3;
            powerSums[1] += d3 * d3;
            powerSums[2] += d3 * d3 * d3 * d3;
        });
        double n = (double) w * h;
        double pnorm = (Math.pow(powerSums[0] / n, 1 / 3.0) + Math.pow(powerSums[1] / n, 1 / 6.0)
                + Math.pow(powerSums[2] / n, 1 / 12.0)) / 3;
        return new Score(max[0], pnorm);
    }

    /**
     * The per-pixel distance of the image {@code changed} gives (row-major, the original's size): where the change
     * shows. Zero everywhere below 8 px a side.
     */
    float[] distanceMap(Ssimulacra.RowSource changed) {
        int w = original.width();
        float[] map = new float[w * original.height()];
        if (w >= MIN_SIDE && original.height() >= MIN_SIDE) {
            forEachPixel(changed, t -> true, (t, x, y, d) -> map[y * w + x] = d);
        }
        return map;
    }

    /** How many tiles the image is scored in: the length of {@link #tileMaxima}. */
    int tileCount() {
        return tiles(original.width(), original.height()).size();
    }

    /**
     * The largest distance in each tile of the image {@code changed} gives, for the tiles {@code which} selects (the
     * others are not scored and read NaN): a caller that knows where the change shows most can watch those tiles
     * alone. NaN everywhere below 8 px a side.
     */
    double[] tileMaxima(Ssimulacra.RowSource changed, IntPredicate which) {
        double[] max = new double[tileCount()];
        java.util.Arrays.fill(max, Double.NaN);
        if (original.width() >= MIN_SIDE && original.height() >= MIN_SIDE) {
            forEachPixel(changed, which, (t, x, y, d) -> max[t] = Double.isNaN(max[t]) ? d : Math.max(max[t], d));
        }
        return max;
    }

    private interface PixelDistance {
        void accept(int tile, int x, int y, float distance);
    }

    /**
     * Each pixel's distance, tile by tile in order (rows of tiles, rows within a tile). Tiles are scored several at
     * once, one per core as far as the heap has room for their planes, and handed over in order, so the figures do
     * not depend on the threads' timing. An image that fits one tile is cut into one band of rows per core for it.
     */
    private void forEachPixel(Ssimulacra.RowSource changed, IntPredicate which, PixelDistance out) {
        int w = original.width();
        int h = original.height();
        Ssimulacra.RowSource before = rowsOf(original);
        List<int[]> all = tiles(w, h);
        int[] scored = IntStream.range(0, all.size()).filter(which).toArray();
        List<int[]> tiles = java.util.Arrays.stream(scored).mapToObj(all::get).toList();
        List<int[]> regions = tiles.stream().map(inner -> region(inner, w, h)).toList();
        boolean cache = w <= tile && h <= tile;
        if (cache && cached == null) {
            cached = new Bands[all.size()][];
        }
        if (tiles.isEmpty()) {
            return;
        }
        int atOnce = tilesAtOnce(regions.get(0));
        for (int first = 0; first < tiles.size(); first += atOnce) {
            List<float[]> maps = IntStream.range(first, Math.min(tiles.size(), first + atOnce)).parallel()
                    .mapToObj(t -> {
                        int[] r = regions.get(t);
                        Bands[] reference = cache ? cached[scored[t]] : null;
                        if (reference == null) {
                            reference = bandsAtBothScales(linear(before, r[0], r[1], r[2], r[3]));
                            if (cache) {
                                cached[scored[t]] = reference;
                            }
                        }
                        return diffmap(reference, linear(changed, r[0], r[1], r[2], r[3]));
                    }).toList();
            for (int t = first; t < first + maps.size(); t++) {
                int[] inner = tiles.get(t);
                int[] r = regions.get(t);
                float[] map = maps.get(t - first);
                int tw = r[2] - r[0];
                for (int y = inner[1]; y < inner[3]; y++) {
                    for (int x = inner[0]; x < inner[2]; x++) {
                        out.accept(scored[t], x, y, map[(y - r[1]) * tw + (x - r[0])]);
                    }
                }
            }
        }
    }

    /**
     * The tiles' inner rectangles {x0, y0, x1, y1}, in order: {@code tile}-px squares, or, where the image has
     * fewer of them than there are cores, as many bands of rows (even heights, so the half scale's grid is the whole
     * image's) of at least {@value #MIN_BAND_ROWS} rows, so every core scores part of it.
     */
    private List<int[]> tiles(int w, int h) {
        int across = (w + tile - 1) / tile;
        int down = (h + tile - 1) / tile;
        int bands = Math.min(CORES, h / MIN_BAND_ROWS);
        int tileRows = tile;
        if (across * down < CORES && bands > down) {
            tileRows = (h + bands - 1) / bands + 1 & ~1;
        }
        List<int[]> tiles = new ArrayList<>();
        for (int ty = 0; ty < h; ty += tileRows) {
            for (int tx = 0; tx < w; tx += tile) {
                tiles.add(new int[] {tx, ty, Math.min(w, tx + tile), Math.min(h, ty + tileRows)});
            }
        }
        return tiles;
    }

    /** A tile's region with its margin, {x0, y0, x1, y1}, within the image. */
    private int[] region(int[] inner, int w, int h) {
        return new int[] {Math.max(0, inner[0] - margin), Math.max(0, inner[1] - margin),
                Math.min(w, inner[2] + margin), Math.min(h, inner[3] + margin)};
    }

    /** Tiles whose regions are like {@code r} that the heap holds at once, at most one per core, at least one. */
    private int tilesAtOnce(int[] r) {
        long need = BYTES_PER_TILE_PIXEL * (r[2] - r[0]) * (long) (r[3] - r[1]);
        Runtime heap = Runtime.getRuntime();
        long room = heap.maxMemory() - (heap.totalMemory() - heap.freeMemory());
        return (int) Math.max(1, Math.min(CORES, room / Math.max(1, need)));
    }

    // ---- colour -------------------------------------------------------------------------------------------------

    /** Linear sRGB planes, in nits / 1 (scaled by the intensity target later), of a region of a row source. */
    private static Plane3 linearOf(Ssimulacra.RowSource source, RgbColours colours, int width, int x0, int y0, int x1,
            int y1) {
        int w = x1 - x0;
        int h = y1 - y0;
        Plane3 out = new Plane3(w, h);
        float[] rows = new float[3 * Math.min(READ_ROWS, h) * width];
        double[] lin = new double[3];
        for (int r0 = y0; r0 < y1; r0 += READ_ROWS) {
            int r1 = Math.min(y1, r0 + READ_ROWS);
            int n = (r1 - r0) * width;
            source.rows(r0, r1, rows);
            for (int y = r0; y < r1; y++) {
                for (int x = x0; x < x1; x++) {
                    int i = (y - r0) * width + x;
                    if (colours.isSrgb()) {
                        lin[0] = Ssimulacra.linear(rows[i]);
                        lin[1] = Ssimulacra.linear(rows[n + i]);
                        lin[2] = Ssimulacra.linear(rows[2 * n + i]);
                    } else {
                        colours.linearSrgb(rows[i], rows[n + i], rows[2 * n + i], lin);
                    }
                    int o = (y - y0) * w + (x - x0);
                    out.c[0][o] = (float) lin[0];
                    out.c[1][o] = (float) lin[1];
                    out.c[2][o] = (float) lin[2];
                }
            }
        }
        return out;
    }

    private Plane3 linear(Ssimulacra.RowSource source, int x0, int y0, int x1, int y1) {
        return linearOf(source, original.colours(), original.width(), x0, y0, x1, y1);
    }

    private static Ssimulacra.RowSource rowsOf(RgbImage image) {
        int w = image.width();
        int plane = image.pixels();
        float[] d = image.data();
        return (y0, y1, rgb) -> {
            int n = (y1 - y0) * w;
            for (int c = 0; c < 3; c++) {
                System.arraycopy(d, c * plane + y0 * w, rgb, c * n, n);
            }
        };
    }

    // ---- the two scales -------------------------------------------------------------------------------------------

    /** The original's bands at full and half scale (the half one null when it is under 8 px a side). */
    private static Bands[] bandsAtBothScales(Plane3 rgb) {
        Plane3 half = halve(rgb);
        Bands full = bands(opsin(rgb));
        Bands small = half.w >= MIN_SIDE && half.h >= MIN_SIDE ? bands(opsin(half)) : null;
        return new Bands[] {full, small};
    }

    /**
     * The distance map of a changed region against the reference's bands: the full scale's, blended with the half
     * scale's upsampled (libjxl's "heuristic mixing": the full scale's weight drops by 0.3 of the half's 0.5).
     */
    private static float[] diffmap(Bands[] reference, Plane3 rgb) {
        Plane3 half = reference[1] != null ? halve(rgb) : null;
        float[] map = diffmap(reference[0], bands(opsin(rgb)));
        if (half != null) {
            float[] small = diffmap(reference[1], bands(opsin(half)));
            int w = rgb.w;
            int hw = half.w;
            for (int y = 0; y < rgb.h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    map[i] = map[i] * (1 - 0.3f * 0.5f) + 0.5f * small[(y / 2) * hw + x / 2];
                }
            }
        }
        return map;
    }

    /** 2x2 means (an odd last row or column averages the pixels it has). */
    private static Plane3 halve(Plane3 in) {
        int w = (in.w + 1) / 2;
        int h = (in.h + 1) / 2;
        Plane3 out = new Plane3(w, h);
        for (int c = 0; c < 3; c++) {
            float[] s = in.c[c];
            float[] d = out.c[c];
            for (int y = 0; y < in.h; y++) {
                for (int x = 0; x < in.w; x++) {
                    d[(y / 2) * w + x / 2] += 0.25f * s[y * in.w + x];
                }
            }
            if ((in.w & 1) != 0) {
                for (int y = 0; y < h; y++) {
                    d[y * w + w - 1] *= 2;
                }
            }
            if ((in.h & 1) != 0) {
                for (int x = 0; x < w; x++) {
                    d[(h - 1) * w + x] *= 2;
                }
            }
        }
        return out;
    }

    // ---- opsin dynamics ---------------------------------------------------------------------------------------------

    /** Mixing of linear RGB into the three cone-like absorbances, with their bias (the last column). */
    private static final double[][] OPSIN = {
        {0.29956550340058319, 0.63373087833825936, 0.077705617820981968, 1.7557483643287353},
        {0.22158691104574774, 0.69391388044116142, 0.0987313588422, 1.7557483643287353},
        {0.02, 0.02, 0.20480129041026129, 12.226454707163354},
    };

    /** XYB of linear RGB, each absorbance scaled by the gamma's slope at its local mean (sigma 1.2). */
    private static Plane3 opsin(Plane3 rgb) {
        int n = rgb.w * rgb.h;
        float[][] blurred = new float[3][];
        for (int c = 0; c < 3; c++) {
            blurred[c] = blur(rgb.c[c], rgb.w, rgb.h, 1.2);
        }
        Plane3 xyb = new Plane3(rgb.w, rgb.h);
        float[] mixed = new float[3];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                double[] m = OPSIN[k];
                double pre = m[0] * blurred[0][i] * INTENSITY_TARGET + m[1] * blurred[1][i] * INTENSITY_TARGET
                        + m[2] * blurred[2][i] * INTENSITY_TARGET + m[3];
                pre = Math.max(Math.max(pre, m[3]), 1e-4);
                double sensitivity = Math.max(gamma(pre) / pre, 1e-4);
                double cur = m[0] * rgb.c[0][i] * INTENSITY_TARGET + m[1] * rgb.c[1][i] * INTENSITY_TARGET
                        + m[2] * rgb.c[2][i] * INTENSITY_TARGET + m[3];
                // negative light (out of gamut) is held at the bias, as libjxl does
                mixed[k] = (float) Math.max(cur * sensitivity, m[3]);
            }
            xyb.c[0][i] = mixed[0] - mixed[1];
            xyb.c[1][i] = mixed[0] + mixed[1];
            xyb.c[2][i] = mixed[2];
        }
        return xyb;
    }

    /** The model's gamma: logarithmic, offset so it is near linear in the dark. */
    private static double gamma(double v) {
        return 19.245013259874995 * Math.log(Math.max(0, v) + 9.9710635769299145) - 23.16046239805755;
    }

    // ---- frequency bands ------------------------------------------------------------------------------------------

    /** The bands of one image: LF (3 planes, in "vals" units), MF (3), HF and UHF (X and Y only). */
    private record Bands(int w, int h, float[][] lf, float[][] mf, float[][] hf, float[][] uhf) {}

    private static Bands bands(Plane3 xyb) {
        int w = xyb.w;
        int h = xyb.h;
        int n = w * h;
        float[][] lf = new float[3][];
        float[][] mf = new float[3][];
        float[][] hf = new float[2][];
        float[][] uhf = new float[2][];
        for (int c = 0; c < 3; c++) {
            lf[c] = blur(xyb.c[c], w, h, 7.15593339443);
            float[] m = new float[n];
            for (int i = 0; i < n; i++) {
                m[i] = xyb.c[c][i] - lf[c][i];
            }
            mf[c] = blur(m, w, h, 3.22489901262);
            if (c == 2) {
                break;
            }
            hf[c] = m;
            for (int i = 0; i < n; i++) {
                hf[c][i] -= mf[c][i];
                mf[c][i] = c == 0 ? removeRange(mf[c][i], 0.29f) : amplifyRange(mf[c][i], 0.1f);
            }
        }
        // red-green HF counts less where luminance HF is strong
        for (int i = 0; i < n; i++) {
            float y = hf[1][i];
            hf[0][i] *= 0.653020556257f + (1 - 0.653020556257f) * (46f / (y * y + 46f));
        }
        for (int c = 0; c < 2; c++) {
            uhf[c] = hf[c];
            hf[c] = blur(uhf[c], w, h, 1.56416327805);
            float[] hc = hf[c];
            float[] uc = uhf[c];
            for (int i = 0; i < n; i++) {
                if (c == 0) {
                    uc[i] = removeRange(uc[i] - hc[i], 0.04f);
                    hc[i] = removeRange(hc[i], 1.5f);
                } else {
                    float clamped = maximumClamp(hc[i], 28.4691806922f);
                    uc[i] = maximumClamp(uc[i] - clamped, 5.19175294647f) * 2.69313763794f;
                    hc[i] = amplifyRange(clamped * 2.155f, 0.132f);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            float b = lf[2][i] + -0.362267051518f * lf[1][i];
            lf[2][i] = b * 47.504615728f;
            lf[0][i] *= 32.2217497012f;
            lf[1][i] *= 13.7697791434f;
        }
        return new Bands(w, h, lf, mf, hf, uhf);
    }

    /** Values within w of zero become zero, the rest move w toward it. */
    private static float removeRange(float x, float w) {
        return x > w ? x - w : x < -w ? x + w : 0;
    }

    /** Values within w of zero double, the rest move w away from it. */
    private static float amplifyRange(float x, float w) {
        return x > w ? x + w : x < -w ? x - w : 2 * x;
    }

    /** Beyond +-max, values grow at 0.72 the rate. */
    private static float maximumClamp(float v, float max) {
        final float mul = 0.724216145665f;
        return v >= max ? (v - max) * mul + max : v < -max ? (v + max) * mul - max : v;
    }

    // ---- comparison -----------------------------------------------------------------------------------------------

    private static final double MALTA_LEN = 3.75;

    /** The per-pixel distance of {@code b} from the reference {@code a}. */
    private static float[] diffmap(Bands a, Bands b) {
        int w = a.w;
        int h = a.h;
        int n = w * h;
        float[][] ac = new float[3][n];
        float[][] dc = new float[3][n];
        float[] scratch = new float[n];
        float asym = HF_ASYMMETRY;
        float root = (float) Math.sqrt(asym);
        malta(a.uhf[1], b.uhf[1], 1.10039032555 * asym, 1.10039032555 / asym, 71.7800275169, false, w, h,
                scratch, ac[1]);
        malta(a.uhf[0], b.uhf[0], 173.5 * asym, 173.5 / asym, 5.0, false, w, h, scratch, ac[0]);
        malta(a.hf[1], b.hf[1], 18.7237414387 * root, 18.7237414387 / root, 4498534.45232, true, w, h, scratch,
                ac[1]);
        malta(a.hf[0], b.hf[0], 6923.99476109 * root, 6923.99476109 / root, 8051.15833247, true, w, h, scratch,
                ac[0]);
        malta(a.mf[1], b.mf[1], 37.0819870399, 37.0819870399, 130262059.556, true, w, h, scratch, ac[1]);
        malta(a.mf[0], b.mf[0], 8246.75321353, 8246.75321353, 1009002.70582, true, w, h, scratch, ac[0]);
        final double[] hfWeight = {400.0, 1.50815703118};
        final double[] mfWeight = {2150.0, 10.6195433239, 16.2176043152};
        final double[] lfWeight = {29.2353797994, 0.844626970982, 0.703646627719};
        for (int c = 0; c < 3; c++) {
            if (c < 2) {
                asymmetricSquares(a.hf[c], b.hf[c], (float) (hfWeight[c] * asym), (float) (hfWeight[c] / asym),
                        ac[c]);
            }
            float mw = (float) mfWeight[c];
            float lw = (float) lfWeight[c];
            for (int i = 0; i < n; i++) {
                float dm = a.mf[c][i] - b.mf[c][i];
                ac[c][i] += mw * dm * dm;
                float dl = a.lf[c][i] - b.lf[c][i];
                dc[c][i] = lw * dl * dl;
            }
        }
        float[] mask = mask(a, b, w, h, ac[1]);
        float[] map = scratch;
        for (int i = 0; i < n; i++) {
            double acMask = maskY(mask[i]);
            double dcMask = maskDcY(mask[i]);
            map[i] = (float) Math.sqrt(dcMask * (dc[0][i] + dc[1][i] + dc[2][i])
                    + acMask * (ac[0][i] + ac[1][i] + ac[2][i]));
        }
        return map;
    }

    /**
     * Squared HF difference, plus a half-open term for detail lost (the changed value under 0.4 of the original's
     * magnitude) or exaggerated (over it), added to {@code out}.
     */
    private static void asymmetricSquares(float[] a, float[] b, float wSym, float wHalf, float[] out) {
        float w0 = wSym * 0.8f;
        float w1 = wHalf * 0.8f;
        for (int i = 0; i < a.length; i++) {
            float v0 = a[i];
            float v1 = b[i];
            float diff = v0 - v1;
            float tooSmall = 0.4f * Math.abs(v0);
            float tooBig = Math.abs(v0);
            float v;
            if (v0 < 0) {
                v = v1 > -tooSmall ? v1 + tooSmall : v1 < -tooBig ? -v1 - tooBig : 0;
            } else {
                v = v1 < tooSmall ? tooSmall - v1 : v1 > tooBig ? v1 - tooBig : 0;
            }
            out[i] += w0 * diff * diff + w1 * v * v;
        }
    }

    /**
     * Malta's line filters: a weighted difference per pixel (symmetric, plus half-open terms for a value pulled
     * toward zero or pushed past the original), then at each pixel the sum over 16 short lines through it of the
     * squared sum along the line, added to {@code out}. Outside the image the differences are zero.
     */
    private static void malta(float[] a, float[] b, double wGreater, double wLess, double norm1, boolean lowFrequency,
            int w, int h, float[] diffs, float[] out) {
        double pre0 = (lowFrequency ? 0.611612573796 : 0.39905817637) * Math.sqrt(0.5 * wGreater)
                / (MALTA_LEN * 2 + 1);
        double pre1 = (lowFrequency ? 0.611612573796 : 0.39905817637) * Math.sqrt(0.33 * wLess)
                / (MALTA_LEN * 2 + 1);
        float norm2Greater = (float) (pre0 * norm1);
        float norm2Less = (float) (pre1 * norm1);
        float normF = (float) norm1;
        for (int i = 0; i < a.length; i++) {
            float r0 = a[i];
            float r1 = b[i];
            float absval = 0.5f * (Math.abs(r0) + Math.abs(r1));
            float d = norm2Greater / (normF + absval) * (r0 - r1);
            double scaler2 = norm2Less / (normF + absval);
            double tooSmall = 0.55 * Math.abs(r0);
            double tooBig = 1.05 * Math.abs(r0);
            if (r0 < 0) {
                if (r1 > -tooSmall) {
                    d -= (float) (scaler2 * (r1 + tooSmall));
                } else if (r1 < -tooBig) {
                    d += (float) (scaler2 * (-r1 - tooBig));
                }
            } else {
                if (r1 < tooSmall) {
                    d += (float) (scaler2 * (tooSmall - r1));
                } else if (r1 > tooBig) {
                    d -= (float) (scaler2 * (r1 - tooBig));
                }
            }
            diffs[i] = d;
        }
        int[][] lines = lowFrequency ? MALTA_LF_LINES : MALTA_LINES;
        int[][] offsets = new int[lines.length][];
        for (int k = 0; k < lines.length; k++) {
            offsets[k] = new int[lines[k].length / 2];
            for (int j = 0; j < offsets[k].length; j++) {
                offsets[k][j] = lines[k][2 * j + 1] * w + lines[k][2 * j];
            }
        }
        IntStream.range(0, h).parallel().forEach(y -> {
            boolean inner = y >= 4 && y < h - 4;
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                float total = 0;
                if (inner && x >= 4 && x < w - 4) {
                    for (int[] line : offsets) {
                        float s = 0;
                        for (int o : line) {
                            s += diffs[i + o];
                        }
                        total += s * s;
                    }
                } else {
                    for (int[] line : lines) {
                        float s = 0;
                        for (int j = 0; j < line.length; j += 2) {
                            int xx = x + line[j];
                            int yy = y + line[j + 1];
                            if (xx >= 0 && xx < w && yy >= 0 && yy < h) {
                                s += diffs[yy * w + xx];
                            }
                        }
                        total += s * s;
                    }
                }
                out[i] += total;
            }
        });
    }

    /** The 16 lines of the HF and UHF Malta filter, as (dx, dy) pairs (four repeat others, as in libjxl). */
    private static final int[][] MALTA_LINES = {
        {-4, 0, -3, 0, -2, 0, -1, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0},
        {0, -4, 0, -3, 0, -2, 0, -1, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4},
        {-3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3, 3},
        {3, -3, 2, -2, 1, -1, 0, 0, -1, 1, -2, 2, -3, 3},
        {1, -4, 1, -3, 1, -2, 0, -1, 0, 0, 0, 1, -1, 2, -1, 3, -1, 4},
        {-1, -4, -1, -3, -1, -2, 0, -1, 0, 0, 0, 1, 1, 2, 1, 3, 1, 4},
        {-4, -1, -3, -1, -2, -1, -1, 0, 0, 0, 1, 0, 2, 1, 3, 1, 4, 1},
        {-4, 1, -3, 1, -2, 1, -1, 0, 0, 0, 1, 0, 2, -1, 3, -1, 4, -1},
        {-2, -3, -1, -2, -1, -1, 0, 0, 1, 1, 1, 2, 2, 3},
        {2, -3, 1, -2, 1, -1, 0, 0, -1, 1, -1, 2, -2, 3},
        {-3, -2, -2, -1, -1, -1, 0, 0, 1, 1, 2, 1, 3, 2},
        {3, -2, 2, -1, 1, -1, 0, 0, -1, 1, -2, 1, -3, 2},
        {-4, 1, -3, 1, -2, 1, -1, 0, 0, 0, 1, 0, 2, -1, 3, -1, 4, -1},
        {-4, -1, -3, -1, -2, -1, -1, 0, 0, 0, 1, 0, 2, 1, 3, 1, 4, 1},
        {-1, -4, -1, -3, -1, -2, 0, -1, 0, 0, 0, 1, 1, 2, 1, 3, 1, 4},
        {1, -4, 1, -3, 1, -2, 0, -1, 0, 0, 0, 1, -1, 2, -1, 3, -1, 4},
    };

    /** The 16 sparser lines of the LF (HF and MF bands) Malta filter, every second pixel along each. */
    private static final int[][] MALTA_LF_LINES = {
        {-4, 0, -2, 0, 0, 0, 2, 0, 4, 0},
        {0, -4, 0, -2, 0, 0, 0, 2, 0, 4},
        {-3, -3, -2, -2, 0, 0, 2, 2, 3, 3},
        {3, -3, 2, -2, 0, 0, -2, 2, -3, 3},
        {1, -4, 1, -2, 0, 0, -1, 2, -1, 4},
        {-1, -4, -1, -2, 0, 0, 1, 2, 1, 4},
        {-4, -1, -2, -1, 0, 0, 2, 1, 4, 1},
        {-4, 1, -2, 1, 0, 0, 2, -1, 4, -1},
        {-2, -3, -1, -2, 0, 0, 1, 2, 2, 3},
        {2, -3, 1, -2, 0, 0, -1, 2, -2, 3},
        {-3, -2, -2, -1, 0, 0, 2, 1, 3, 2},
        {3, -2, 2, -1, 0, 0, -2, 1, -3, 2},
        {-4, 2, -2, 1, 0, 0, 2, -1, 4, -2},
        {-4, -2, -2, -1, 0, 0, 2, 1, 4, 2},
        {-2, -4, -1, -2, 0, 0, 1, 2, 2, 4},
        {2, -4, 1, -2, 0, 0, -1, 2, -2, 4},
    };

    // ---- masking --------------------------------------------------------------------------------------------------

    private static final float MASK_MUL = 6.19424080439f;
    private static final float MASK_BIAS = 12.61050594197f;
    /** (1 / (17.8 * log(80) / log(255))): the scale that puts 1.0 at the just-noticeable difference. */
    private static final double GLOBAL_SCALE = 1.0 / (17.8f * 0.79079917404f);

    /**
     * The masking field of the original (its HF and UHF activity, compressed, blurred and eroded); as a side effect
     * the squared difference of the two images' blurred activity is added to {@code acY}, weight 10.
     */
    private static float[] mask(Bands a, Bands b, int w, int h, float[] acY) {
        float[] m0 = blur(activity(a), w, h, 2.7);
        float[] m1 = blur(activity(b), w, h, 2.7);
        for (int i = 0; i < m0.length; i++) {
            float d = m0[i] - m1[i];
            acY[i] += 10f * d * d;
        }
        return fuzzyErosion(m0, w, h);
    }

    /** sqrt(mul |hf activity| + bias) - sqrt(bias): the activity compressed, near linear for small values. */
    private static float[] activity(Bands p) {
        int n = p.w * p.h;
        float[] out = new float[n];
        float bias = MASK_MUL * MASK_BIAS;
        float sqrtBias = (float) Math.sqrt(bias);
        for (int i = 0; i < n; i++) {
            float xd = (p.uhf[0][i] + p.hf[0][i]) * 2.5f;
            float yd = p.uhf[1][i] * 0.4f + p.hf[1][i] * 0.4f;
            float v = (float) Math.sqrt(xd * xd + yd * yd);
            out[i] = (float) Math.sqrt(MASK_MUL * Math.abs(v) + bias) - sqrtBias;
        }
        return out;
    }

    /**
     * A weighted mean of the three smallest values among the pixel and its eight neighbours at distance 3: a busy
     * pixel next to a flat area does not mask it.
     */
    private static float[] fuzzyErosion(float[] from, int w, int h) {
        float[] to = new float[from.length];
        final int step = 3;
        float[] min = new float[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                min[0] = from[y * w + x];
                min[1] = 2 * min[0];
                min[2] = min[1];
                for (int dy = -step; dy <= step; dy += step) {
                    for (int dx = -step; dx <= step; dx += step) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if ((dx != 0 || dy != 0) && xx >= 0 && xx < w && yy >= 0 && yy < h) {
                            storeMin3(from[yy * w + xx], min);
                        }
                    }
                }
                to[y * w + x] = 0.45f * min[0] + 0.3f * min[1] + 0.25f * min[2];
            }
        }
        return to;
    }

    private static void storeMin3(float v, float[] min) {
        if (v < min[2]) {
            if (v < min[0]) {
                min[2] = min[1];
                min[1] = min[0];
                min[0] = v;
            } else if (v < min[1]) {
                min[2] = min[1];
                min[1] = v;
            } else {
                min[2] = v;
            }
        }
    }

    /** Weight of the MF, HF and UHF differences at a masking value: less where the original is busy. */
    private static double maskY(double delta) {
        double c = 2.5485944793 / (0.451936922203 * delta + 0.829591754942);
        double r = GLOBAL_SCALE * (1 + c);
        return r * r;
    }

    /** Weight of the LF differences at a masking value. */
    private static double maskDcY(double delta) {
        double c = 0.505054525019 / (3.87449418804 * delta + 0.20025578522);
        double r = GLOBAL_SCALE * (1 + c);
        return r * r;
    }

    // ---- blur -------------------------------------------------------------------------------------------------------

    /**
     * Butteraugli's Gaussian blur: taps exp(-i^2 / 2 sigma^2) out to |i| = floor(2.25 sigma), rows then columns.
     * Five taps (sigma 1.2) mirror the image at its borders; longer kernels drop the taps outside and renormalise
     * the rest, as libjxl does for each.
     */
    static float[] blur(float[] in, int w, int h, double sigma) {
        int radius = Math.max(1, (int) (2.25f * (float) sigma));
        float[] kernel = new float[2 * radius + 1];
        double scaler = -1.0 / (2.0 * sigma * sigma);
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(scaler * i * i);
        }
        boolean mirror = kernel.length == 5;
        float[] rows = new float[in.length];
        float[] out = new float[in.length];
        // rows, then columns; the column pass runs along rows too (one output row from several input rows), which
        // reads memory in order
        float[][] across = tapTable(w, kernel, mirror);
        float[][] down = tapTable(h, kernel, mirror);
        IntStream.range(0, h).parallel().forEach(y -> {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                float[] taps = across[x];
                int from = x - radius;
                float sum = 0;
                if (from >= 0 && from + taps.length <= w) {
                    for (int j = 0; j < taps.length; j++) {
                        sum += taps[j] * in[row + from + j];
                    }
                } else {
                    for (int j = 0; j < taps.length; j++) {
                        if (taps[j] != 0) {
                            sum += taps[j] * in[row + mirrored(from + j, w)];
                        }
                    }
                }
                rows[row + x] = sum;
            }
        });
        IntStream.range(0, h).parallel().forEach(y -> {
            float[] taps = down[y];
            int o = y * w;
            for (int j = 0; j < taps.length; j++) {
                if (taps[j] == 0) {
                    continue;
                }
                int src = mirrored(y - radius + j, h) * w;
                float t = taps[j];
                for (int x = 0; x < w; x++) {
                    out[o + x] += t * rows[src + x];
                }
            }
        });
        return out;
    }

    /**
     * The kernel's weights for each output position of a line of {@code len}: the normalised kernel inside (one
     * shared array), and at the borders either the same (the image is then mirrored) or the taps that fall inside
     * renormalised, those outside zero.
     */
    private static float[][] tapTable(int len, float[] kernel, boolean mirror) {
        int r = kernel.length / 2;
        float[][] table = new float[len][];
        float[] inner = null;
        for (int p = 0; p < len; p++) {
            boolean inside = p >= r && p + r < len;
            if (inside && inner != null) {
                table[p] = inner;
                continue;
            }
            float total = 0;
            float[] t = new float[kernel.length];
            for (int j = 0; j < kernel.length; j++) {
                if (inside || mirror || (p - r + j >= 0 && p - r + j < len)) {
                    t[j] = kernel[j];
                    total += kernel[j];
                }
            }
            for (int j = 0; j < t.length; j++) {
                t[j] /= total;
            }
            table[p] = t;
            if (inside) {
                inner = t;
            }
        }
        return table;
    }

    /** Reflection about the border, the edge sample repeated (-1 is 0, len is len - 1). */
    private static int mirrored(int p, int len) {
        while (p < 0 || p >= len) {
            p = p < 0 ? -p - 1 : 2 * len - 1 - p;
        }
        return p;
    }

    /** Three planes of one size. */
    private static final class Plane3 {
        final int w;
        final int h;
        final float[][] c;

        Plane3(int w, int h) {
            this.w = w;
            this.h = h;
            this.c = new float[3][w * h];
        }
    }
}
