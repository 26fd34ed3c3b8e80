package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

class TrainerViewsTest {
    @Test
    void bucketsAreKohyasNoUpscaleBuckets() {
        // 6000x4000 at 1024: area capped at 1024^2 (1254x836), sides floored to multiples of 64, centre trim
        TrainerViews.View v = TrainerViews.bucket(6000, 4000, 1024);
        assertEquals(List.of(1254, 836, 1216, 832, 19, 2), List.of(v.resizedWidth(), v.resizedHeight(), v.width(),
                v.height(), v.left(), v.top()));
        // a 1024x683 painting is not upscaled to the 1024 bucket's area; 768 and 512 are smaller
        Map<Integer, TrainerViews.View> b = TrainerViews.buckets(1024, 683, 1024);
        assertEquals(List.of(1024, 768, 512), new ArrayList<>(b.keySet()));
        assertEquals(1024, b.get(1024).resizedWidth());
        assertEquals(640, b.get(1024).height());
        // a 400x300 image has its own size only
        assertEquals(List.of(1024), new ArrayList<>(TrainerViews.buckets(400, 300, 1024).keySet()));
        TrainerViews.View crop = TrainerViews.crop(TrainerViews.bucket(1024, 1024, 1024));
        assertEquals(List.of(11, 19, 992, 992), List.of(crop.top(), crop.left(), crop.width(), crop.height()));
    }

    @Test
    void areaResizeKeepsTheMeanAndAFlatImage() {
        RgbImage image = randomImage(37, 23, 1);
        RgbImage small = TrainerViews.resize(image, 10, 7);
        assertEquals(mean(image), mean(small), 1e-5);
        RgbImage flat = new RgbImage(filled(3 * 37 * 23, 0.25f), 37, 23);
        for (float f : TrainerViews.resize(flat, 50, 9).data()) {
            assertEquals(0.25f, f, 1e-6f);
        }
    }

    /** The optimisation's graph form of a view (two matrices) sees exactly what verification's view sees. */
    @Test
    void theGraphViewIsTheVerifiersView() {
        RgbImage image = randomImage(90, 60, 2);
        TrainerViews.Sampler sampler = TrainerViews.sampler(90, 60, 48, 7);
        long[] window = sampler.windowShape();
        GraphBuilder g = new GraphBuilder("view");
        String x = g.input("x", image.tensor().shape());
        g.output(TrainerViews.graph(window).apply(g, x, image.tensor().shape()), "y");
        boolean mirroredSeen = false;
        List<Integer> lefts = new ArrayList<>();
        try (GraphSession s = new OrtRuntime(1).open(g.build())) {
            for (int i = 0; i < 6; i++) {
                TrainerViews.View v = sampler.next();
                mirroredSeen |= v.mirrored();
                lefts.add(v.left());
                float[] viaGraph = s.run(Map.of("x", image.tensor(), TrainerViews.ROWS, v.rowMatrix(60),
                        TrainerViews.COLUMNS, v.columnMatrix(90))).get("y").data();
                float[] direct = v.apply(image).data();
                assertEquals(direct.length, viaGraph.length);
                for (int k = 0; k < direct.length; k++) {
                    assertEquals(direct[k], viaGraph[k], 1e-5f, "view " + v.describe() + " element " + k);
                }
            }
        }
        assertTrue(mirroredSeen, "some views are mirrored");
        assertNotEquals(1, lefts.stream().distinct().count(), "windows move: " + lefts);
    }

    /**
     * An image no trainer resizes (a 512 px square has one bucket, itself) is still optimised shifted off the encoders'
     * grids, as verification's crop and a trainer's trim see it: its windows are one grid short and move.
     */
    @Test
    void windowsOfAnImageNoTrainerResizesStillMoveOffTheGrids() {
        TrainerViews.Sampler sampler = TrainerViews.sampler(512, 512, 512, 3);
        assertArrayEquals(new long[] {1, 3, 480, 480}, sampler.windowShape());
        Set<Integer> offGrid = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            TrainerViews.View v = sampler.next();
            offGrid.add(v.top() % 8);
            offGrid.add(v.left() % 8);
        }
        assertTrue(offGrid.size() > 1, "offsets off the 8-px grid: " + offGrid);
    }

    /** The change is worked at the largest view a trainer takes: the image's own size, or its 1024 bucket's. */
    @Test
    void theLargestViewIsTheImageUpToTheLargestBucket() {
        assertEquals(512, TrainerViews.largestSide(512, 300), "a small image is viewed at its own size");
        assertEquals(1254, TrainerViews.largestSide(6000, 4000), "a photo at its 1024x1024-area bucket, 1254x836");
        assertEquals(1254, TrainerViews.largestSide(4000, 6000));
    }

    private static RgbImage randomImage(int w, int h, long seed) {
        Random r = new Random(seed);
        float[] d = new float[3 * w * h];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextFloat();
        }
        return new RgbImage(d, w, h);
    }

    private static float[] filled(int n, float v) {
        float[] d = new float[n];
        java.util.Arrays.fill(d, v);
        return d;
    }

    private static double mean(RgbImage image) {
        double s = 0;
        for (float f : image.data()) {
            s += f;
        }
        return s / image.data().length;
    }
}
