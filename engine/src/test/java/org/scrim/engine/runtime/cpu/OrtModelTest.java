package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

class OrtModelTest {
    private static final int SIDE = 512;

    /** Native memory an input takes for a run is given back when the run ends, not when the collector runs. */
    @Test
    void runsLeaveNoNativeCopiesOfTheirInputs() {
        GraphBuilder g = new GraphBuilder("double");
        String x = g.input("x", 1, 3, SIDE, SIDE);
        g.output(g.op("Add", x, x), "y");
        float[] data = new float[3 * SIDE * SIDE];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 7;
        }
        Tensor input = new Tensor(data, 1, 3, SIDE, SIDE);
        try (OrtModel model = new OrtModel(g.build(), 1)) {
            long before = directMemoryUsed();
            for (int run = 0; run < 4; run++) {
                float[] y = model.run(Map.of("x", input)).get("y").data();
                assertArrayEquals(new float[] {0, 2, 4, 6}, new float[] {y[0], y[1], y[2], y[3]});
            }
            long grown = directMemoryUsed() - before;
            assertTrue(grown < data.length * Float.BYTES, "direct memory grew by " + grown + " bytes over 4 runs");
        }
    }

    /**
     * "0 threads" means every core: ONNX Runtime's own default found one core on a two-core machine and ran every
     * graph on the calling thread alone. Its intra-op pool starts a native thread per core beyond the caller's.
     */
    @Test
    void everyCoreMeansEveryCoreJavaMayUse() throws java.io.IOException {
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        assumeTrue(cores > 1 && Files.isDirectory(TASKS), "needs two cores and Linux's /proc");
        GraphBuilder g = new GraphBuilder("double");
        String x = g.input("x", 1, 3, 8, 8);
        g.output(g.op("Add", x, x), "y");
        OrtEnvironments.get(); // its own threads are not the session's
        long before = threads();
        try (OrtModel model = new OrtModel(g.build(), 0)) {
            assertTrue(threads() - before >= cores - 1, "ONNX Runtime started " + (threads() - before)
                    + " threads for " + cores + " cores");
        }
    }

    private static final Path TASKS = Path.of("/proc/self/task");

    private static long threads() throws java.io.IOException {
        try (var tasks = Files.list(TASKS)) {
            return tasks.count();
        }
    }

    private static long directMemoryUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
