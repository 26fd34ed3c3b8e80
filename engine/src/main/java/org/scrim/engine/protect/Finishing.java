package org.scrim.engine.protect;

import java.util.BitSet;
import java.util.Comparator;
import java.util.function.DoubleFunction;
import java.util.stream.IntStream;
import org.scrim.engine.tensor.HeapNeed;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * The last stage of a protection, at the image's own size: the change optimised at the working size is upsampled,
 * held within the per-pixel budget and scaled until butteraugli, the figure the preset's bound is stated in, meets
 * the bound. Upsampled, the change is smoother and shows less than at the working size, so the scale may exceed 1.
 *
 * <p>This is the part of a protection whose memory grows with the image (the model works at the working size), so
 * its tries make their candidates a few rows at a time for butteraugli (which works on tiles of bounded size) and only
 * the result is held whole, and {@link
 * #checkMemory} refuses an image the Java heap cannot finish before any work is done.
 */
final class Finishing {
    /**
     * Java heap a protection needs per pixel of the image: the image and the result (12 bytes each), the budget (4),
     * SSIMULACRA's smaller scales of the original and of a try in the verification (4 and 3), and room for its copy
     * of the written file.
     */
    static final long BYTES_PER_PIXEL = 48;
    /**
     * Heap for everything that does not grow with the image: the model, the graphs at the working size, and (once
     * they are closed) butteraugli's tile, about 250 MB at most.
     */
    static final long FIXED_BYTES = 512L << 20;
    /** The most the final change is scaled up to use the visibility budget at full size. */
    private static final float MAX_GAIN = 2f;
    /**
     * How far under the bound the result is put, for the rounding of the written file to 8 bits: it adds up to about
     * 2% to butteraugli's max (the_scream at low, 512 px: 1.527 and 1.533 for a bound of 1.5).
     */
    private static final double ROUNDING_MARGIN = 0.03;

    private Finishing() {}

    /** Refuses, before any work, an image whose protection needs more heap than Java may take. */
    static void checkMemory(RgbImage image) {
        checkMemory(image.width(), image.height(), Runtime.getRuntime().maxMemory());
    }

    static void checkMemory(int width, int height, long available) {
        String shortfall = HeapNeed.shortfall(width + "x" + height + " pixels", "protect",
                FIXED_BYTES + BYTES_PER_PIXEL * height * width, available);
        if (shortfall != null) {
            throw new NotEnoughMemoryException(shortfall);
        }
    }

    /**
     * The protected image: {@code delta} (at the working size, or the image's own) upsampled to {@code image}'s
     * size, held within the budget for {@code epsilon} and scaled onto {@code maxButteraugli} (butteraugli's max
     * distance). The tries make their candidates a few rows at a time, so only the result is held at full size.
     */
    static RgbImage finish(RgbImage image, Tensor delta, float epsilon, double maxButteraugli) {
        float[] cap = PerceptualBudget.bound(image, epsilon).data();
        float scale = scaleWithinBound(new Butteraugli(image), s -> (y0, y1, rgb) ->
                candidateRows(image, delta, (float) s, cap, y0, y1, rgb), maxButteraugli * (1 - ROUNDING_MARGIN));
        float[] result = new float[image.data().length];
        candidateRows(image, delta, scale, cap, 0, image.height(), result);
        return new RgbImage(result, image.width(), image.height());
    }

    /**
     * The largest scale up to {@value #MAX_GAIN} at which butteraugli's max distance of the candidate {@code at}
     * gives meets {@code bound}. Scoring a full-size photo is costly (a 6000x4000 one: about 20 s a score on two
     * cores), and the search tries several scales, so an image of more tiles than cores is scored whole once, at
     * scale 1, and the search then watches only the tiles where the change showed most (one per core, scored
     * together); the scale it finds is checked on the other tiles, any of them over the bound is watched too and
     * the search runs again, so the result meets the bound on every tile.
     */
    static float scaleWithinBound(Butteraugli judge, DoubleFunction<Ssimulacra.RowSource> at, double bound) {
        int tiles = judge.tileCount();
        BitSet watched = new BitSet();
        if (tiles <= Butteraugli.CORES) {
            watched.set(0, tiles);
        } else {
            double[] atOne = judge.tileMaxima(at.apply(1), t -> true);
            IntStream.range(0, tiles).boxed().filter(t -> !Double.isNaN(atOne[t]))
                    .sorted(Comparator.comparingDouble(t -> -atOne[t])).limit(Butteraugli.CORES).forEach(watched::set);
            if (watched.isEmpty()) {
                return 1; // too small to score (under 8 px a side): the change as optimised
            }
        }
        while (true) {
            float scale = Protector.boundedScale(s -> maxOf(judge.tileMaxima(at.apply(s), watched::get)), bound,
                    MAX_GAIN, 1);
            if (watched.cardinality() == tiles) {
                return scale;
            }
            double[] others = judge.tileMaxima(at.apply(scale), t -> !watched.get(t));
            boolean over = false;
            for (int t = 0; t < others.length; t++) {
                if (others[t] > bound) {
                    watched.set(t);
                    over = true;
                }
            }
            if (!over) {
                return scale;
            }
        }
    }

    /** The largest of {@code values} that is not NaN; NaN when none is. */
    private static double maxOf(double[] values) {
        double max = Double.NaN;
        for (double v : values) {
            if (!Double.isNaN(v) && !(v <= max)) {
                max = v;
            }
        }
        return max;
    }

    /**
     * Rows [top, bottom) of x + s * d into {@code out} (three planes of that many rows): d upsampled to the image's
     * size ({@code delta} is [1,3,h,w]), the change held within the per-pixel {@code cap} and the result within
     * [0, 1].
     */
    private static void candidateRows(RgbImage image, Tensor delta, float s, float[] cap, int top, int bottom,
            float[] out) {
        int w = image.width();
        int plane = image.pixels();
        int rows = (bottom - top) * w;
        if (delta.dim(2) == image.height() && delta.dim(3) == w) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(delta.data(), c * plane + top * w, out, c * rows, rows);
            }
        } else {
            ImageTensors.resizeBilinearRows(delta, w, image.height(), top, bottom, out);
        }
        float[] x = image.data();
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < rows; j++) {
                int pixel = top * w + j;
                int o = c * rows + j;
                float limit = cap[pixel];
                float change = Math.max(-limit, Math.min(limit, s * out[o]));
                out[o] = Math.max(0f, Math.min(1f, x[c * plane + pixel] + change));
            }
        }
    }
}
