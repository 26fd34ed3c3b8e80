package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * The views of an image that LoRA trainers' data loaders make (kohya sd-scripts, ai-toolkit, SimpleTuner): resized
 * into an aspect bucket whose sides are multiples of {@value #BUCKET_STEP} and whose area is at most a trainer
 * resolution squared (1024, 768 and 512 here; never upscaled), the rest trimmed or a window cropped, sometimes
 * mirrored. Protection optimises over such views ({@link #sampler}) and verification measures at them ({@link
 * Verifier}), both resampling by area averaging (kohya's cv2.INTER_AREA) with the same weights, so what the steps
 * saw is what is measured.
 */
public final class TrainerViews {
    /** The largest trainer resolution: the image is viewed at its own size with its area capped at this squared. */
    public static final int LARGEST = 1024;
    /** The trainer resolutions the optimisation draws from and verification measures at (LARGEST first). */
    static final int[] RESOLUTIONS = {LARGEST, 768, 512};
    /** Bucket sides are multiples of this (kohya's and ai-toolkit's default). */
    static final int BUCKET_STEP = 64;
    /** Verification's crop: this far in from the bucket's top-left corner, off the encoders' 8/16/32-px grids. */
    static final int CROP_TOP = 11;
    static final int CROP_LEFT = 19;
    /** The smallest window the optimisation shifts off the grids; smaller images are seen whole at each step. */
    private static final int SMALLEST_SHIFTED_WINDOW = 256;
    /** The crop's far sides are trimmed to multiples of this, so the encoders see no padding. */
    private static final int ENCODER_GRID = 32;

    /** The inputs of {@link #graph}: a view's {@link View#rowMatrix} and {@link View#columnMatrix}. */
    static final String ROWS = "view_rows";
    static final String COLUMNS = "view_columns";

    private TrainerViews() {}

    /** The views' rule in figures, for {@code scrim info}: read from the constants above, never restated. */
    public record Rule(List<Integer> resolutions, int bucketStep, int cropTop, int cropLeft) {}

    public static Rule rule() {
        return new Rule(Arrays.stream(RESOLUTIONS).boxed().toList(), BUCKET_STEP, CROP_TOP, CROP_LEFT);
    }

    /**
     * One view of a source image: the source resized to {@code resizedWidth} x {@code resizedHeight}, then the
     * window {@code width} x {@code height} at ({@code top}, {@code left}) kept, mirrored left-right if asked.
     */
    public record View(int resizedWidth, int resizedHeight, int top, int left, int width, int height,
            boolean mirrored) {
        public View {
            if (top < 0 || left < 0 || width < 1 || height < 1 || top + height > resizedHeight
                    || left + width > resizedWidth) {
                throw new IllegalArgumentException("window " + width + "x" + height + " at (" + top + "," + left
                        + ") lies outside " + resizedWidth + "x" + resizedHeight);
            }
        }

        /** The view of {@code image} (any size, about the aspect the view was made for). */
        public RgbImage apply(RgbImage image) {
            return cut(resize(image, resizedWidth, resizedHeight));
        }

        /** The window of an image already resized to this view's resized size. */
        RgbImage cut(RgbImage resized) {
            if (resized.width() != resizedWidth || resized.height() != resizedHeight) {
                throw new IllegalArgumentException("expected " + resizedWidth + "x" + resizedHeight + ", got "
                        + resized.width() + "x" + resized.height());
            }
            float[] src = resized.data();
            float[] out = new float[3 * width * height];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    int from = (c * resizedHeight + top + y) * resizedWidth + left;
                    int to = (c * height + y) * width;
                    for (int x = 0; x < width; x++) {
                        out[to + x] = src[from + (mirrored ? width - 1 - x : x)];
                    }
                }
            }
            return new RgbImage(out, width, height);
        }

        /** This view with the window mirrored. */
        View mirror() {
            return new View(resizedWidth, resizedHeight, top, left, width, height, !mirrored);
        }

        /** "1024x1024", "992x992 at (11,19) of 1024x1024", "... mirrored". */
        public String describe() {
            String s = width == resizedWidth && height == resizedHeight ? width + "x" + height
                    : width + "x" + height + " at (" + top + "," + left + ") of " + resizedWidth + "x" + resizedHeight;
            return mirrored ? s + " mirrored" : s;
        }

        /**
         * The view as one graph input times two matrices: rows [height, H] @ image [1,3,H,W] @ columns [W, width]
         * (the resize's area weights, the window and the mirror all in them), for a source of H x W.
         */
        Tensor rowMatrix(int sourceHeight) {
            return windowMatrix(sourceHeight, resizedHeight, top, height, false, false);
        }

        Tensor columnMatrix(int sourceWidth) {
            return windowMatrix(sourceWidth, resizedWidth, left, width, mirrored, true);
        }
    }

    /** The long side of the largest view of a {@code width} x {@code height} image: its own, or its largest bucket. */
    static int largestSide(int width, int height) {
        int[] r = resizedSize(width, height, LARGEST);
        return Math.max(r[0], r[1]);
    }

    /** The factor that resizes a {@code width} x {@code height} image into {@code resolution}'s bucket (at most 1). */
    static double bucketScale(int width, int height, int resolution) {
        return Math.min(1, resolution / Math.sqrt((double) width * height));
    }

    /** Width and height of a {@code width} x {@code height} image in {@code resolution}'s bucket, before the trim. */
    static int[] resizedSize(int width, int height, int resolution) {
        double s = bucketScale(width, height, resolution);
        return new int[] {Math.max(1, (int) Math.round(width * s)), Math.max(1, (int) Math.round(height * s))};
    }

    /** The bucket view: resized to {@code resolution}'s bucket, the excess over multiples of 64 trimmed centrally. */
    static View bucket(int width, int height, int resolution) {
        int[] r = resizedSize(width, height, resolution);
        int w = bucketSide(r[0]);
        int h = bucketSide(r[1]);
        return new View(r[0], r[1], (r[1] - h) / 2, (r[0] - w) / 2, w, h, false);
    }

    private static int bucketSide(int side) {
        return side >= BUCKET_STEP ? side / BUCKET_STEP * BUCKET_STEP : side;
    }

    /**
     * Verification's crop of a bucket view: {@value #CROP_TOP} rows and {@value #CROP_LEFT} columns in from its
     * top-left corner, the far sides trimmed to the encoders' coarsest grid.
     */
    static View crop(View bucket) {
        int h = gridSide(bucket.height() - CROP_TOP);
        int w = gridSide(bucket.width() - CROP_LEFT);
        if (h < 1 || w < 1) {
            return bucket;
        }
        return new View(bucket.resizedWidth(), bucket.resizedHeight(), bucket.top() + CROP_TOP,
                bucket.left() + CROP_LEFT, w, h, false);
    }

    private static int gridSide(int side) {
        return side >= ENCODER_GRID ? side / ENCODER_GRID * ENCODER_GRID : side;
    }

    /**
     * The bucket views of a {@code width} x {@code height} image by trainer resolution, up to {@code largest}: the
     * first at {@code largest}, then each smaller resolution that gives a smaller image (none is upscaled, so a small
     * image has one).
     */
    static Map<Integer, View> buckets(int width, int height, int largest) {
        Map<Integer, View> views = new LinkedHashMap<>();
        View last = bucket(width, height, largest);
        views.put(largest, last);
        for (int r : RESOLUTIONS) {
            View v = bucket(width, height, r);
            if (r < largest && v.resizedWidth() < last.resizedWidth()) {
                views.put(r, v);
                last = v;
            }
        }
        return views;
    }

    /** The image resized as the largest bucket resizes it: where targets are made (the decoy is drawn there). */
    static RgbImage reference(RgbImage image, int largest) {
        int[] r = resizedSize(image.width(), image.height(), largest);
        return resize(image, r[0], r[1]);
    }

    /**
     * Random trainer views for the optimisation, drawn from a seed: a bucket resolution, a window of one fixed size
     * (so one graph serves every view) at any offset of the resized image (on or off the encoders' grids), mirrored
     * half the time. The window is {@value #ENCODER_GRID} px short of the smallest bucket where the image allows, so
     * even an image that no trainer resizes is seen shifted off the grids, as a crop or a trim takes it.
     */
    static final class Sampler {
        private final List<int[]> resized = new ArrayList<>();
        private final int windowWidth;
        private final int windowHeight;
        private final Random random;

        private Sampler(int width, int height, int window, long seed) {
            for (View b : buckets(width, height, LARGEST).values()) {
                resized.add(new int[] {b.resizedWidth(), b.resizedHeight()});
            }
            int[] smallest = resized.get(resized.size() - 1);
            this.windowWidth = windowSide(smallest[0], window);
            this.windowHeight = windowSide(smallest[1], window);
            this.random = new Random(seed);
        }

        /**
         * A window side for resized sides of at least {@code side}: at most {@code window}, one grid short where that
         * leaves at least {@value #SMALLEST_SHIFTED_WINDOW} px. A smaller image is seen whole at each step: a window
         * one grid shorter would leave a quarter or more of it out of every step, which a few steps do not make up for.
         */
        private static int windowSide(int side, int window) {
            int shorter = gridSide(side - ENCODER_GRID);
            return Math.min(window, shorter >= SMALLEST_SHIFTED_WINDOW ? shorter : gridSide(side));
        }

        /** Shape of every view's window, [1,3,h,w]. */
        long[] windowShape() {
            return new long[] {1, 3, windowHeight, windowWidth};
        }

        View next() {
            int[] r = resized.get(random.nextInt(resized.size()));
            return new View(r[0], r[1], random.nextInt(r[1] - windowHeight + 1),
                    random.nextInt(r[0] - windowWidth + 1), windowWidth, windowHeight, random.nextBoolean());
        }
    }

    /** Views of a {@code width} x {@code height} image, windows at most {@code window} px a side. */
    static Sampler sampler(int width, int height, int window, long seed) {
        return new Sampler(width, height, window, seed);
    }

    /**
     * The graph form of a view of a {@code source}-shaped image, its matrices fed (inputs {@code rows}, {@code
     * columns}) so one graph serves every view with that window.
     */
    static ImageTransform graph(long[] window) {
        return new ImageTransform() {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                String rows = g.input(ROWS, window[2], shape[2]);
                String columns = g.input(COLUMNS, shape[3], window[3]);
                return g.op("MatMul", g.op("MatMul", rows, image), columns);
            }

            @Override
            public long[] outputShape(long[] shape) {
                return new long[] {shape[0], shape[1], window[2], window[3]};
            }

            @Override
            public String describe() {
                return "view(" + window[3] + "x" + window[2] + ")";
            }
        };
    }

    /** {@code image} resized to width x height by area averaging (exact in both directions, separable). */
    static RgbImage resize(RgbImage image, int width, int height) {
        if (width == image.width() && height == image.height()) {
            return image;
        }
        int w0 = image.width();
        int h0 = image.height();
        Weights across = Weights.area(w0, width);
        Weights down = Weights.area(h0, height);
        float[] src = image.data();
        float[] out = new float[3 * width * height];
        float[] rows = new float[h0 * width];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h0; y++) {
                int base = (c * h0 + y) * w0;
                for (int x = 0; x < width; x++) {
                    rows[y * width + x] = across.apply(src, base, 1, x);
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[(c * height + y) * width + x] = down.apply(rows, x, width, y);
                }
            }
        }
        return new RgbImage(out, width, height).withColours(image.colours());
    }

    /** Rows [offset, offset+count) of the area weights from {@code in} to {@code out} samples, as a dense matrix. */
    private static Tensor windowMatrix(int in, int out, int offset, int count, boolean reversed, boolean transposed) {
        Weights weights = Weights.area(in, out);
        float[] m = new float[count * in];
        for (int k = 0; k < count; k++) {
            int o = offset + (reversed ? count - 1 - k : k);
            for (int j = 0; j < weights.count[o]; j++) {
                int i = weights.first[o] + j;
                m[transposed ? i * count + k : k * in + i] = weights.weight[o][j];
            }
        }
        return transposed ? new Tensor(m, in, count) : new Tensor(m, count, in);
    }

    /** Area-averaging weights: output o averages the inputs over [o*in/out, (o+1)*in/out), by overlap. */
    private record Weights(int[] first, int[] count, float[][] weight) {
        static Weights area(int in, int out) {
            int[] first = new int[out];
            int[] count = new int[out];
            float[][] weight = new float[out][];
            double f = (double) in / out;
            for (int o = 0; o < out; o++) {
                double lo = o * f;
                double hi = (o + 1) * f;
                int a = (int) Math.floor(lo);
                int b = Math.min(in, (int) Math.ceil(hi - 1e-9));
                first[o] = a;
                count[o] = b - a;
                weight[o] = new float[b - a];
                for (int i = a; i < b; i++) {
                    weight[o][i - a] = (float) ((Math.min(hi, i + 1) - Math.max(lo, i)) / f);
                }
            }
            return new Weights(first, count, weight);
        }

        /** Output {@code o} from the samples at base, base+stride, ... */
        float apply(float[] src, int base, int stride, int o) {
            float sum = 0;
            float[] w = weight[o];
            int start = base + first[o] * stride;
            for (int j = 0; j < w.length; j++) {
                sum += w[j] * src[start + j * stride];
            }
            return sum;
        }
    }
}
