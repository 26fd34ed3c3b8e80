package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
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

    private static long directMemoryUsed() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
