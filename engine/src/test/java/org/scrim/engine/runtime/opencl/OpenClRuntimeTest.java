package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.Tensor;

/**
 * The runtime resolved from the options: OpenCL when it can, ONNX Runtime with one line when it cannot, clear device
 * errors when resolved.
 */
class OpenClRuntimeTest {
    private static RuntimeOptions opencl() {
        OpenClDevice d = OpenClTesting.device();
        return new RuntimeOptions(1).withBackend(Backend.OPENCL, Integer.toString(d.index()));
    }

    @Test
    void supportedGraphRunsOnTheDevice() {
        GraphBuilder g = new GraphBuilder("relu");
        g.output(g.op("Relu", g.input("x", 2, 3)));
        try (GraphSession s = opencl().resolve().open(g.build())) {
            assertInstanceOf(OpenClModel.class, s);
            Tensor y = s.run(Map.of("x", new Tensor(new float[] {-1, 2, -3, 4, 0, 6}, 2, 3))).get(g.graph()
                    .getOutput(0).getName());
            assertEquals(List.of(0f, 2f, 0f, 4f, 0f, 6f), toList(y.data()));
        }
    }

    @Test
    void unsupportedOpFallsBackToOnnxRuntimeWithOneLine() {
        GraphBuilder g = new GraphBuilder("pooled");
        String x = g.input("x", 1, 1, 4, 4);
        g.output(g.op("MaxPool", new String[] {g.op("Relu", x)}, Attr.ints("kernel_shape", 2, 2),
                Attr.ints("strides", 2, 2)));
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger("org.scrim.engine.runtime");
        log.addHandler(capture);
        try (GraphSession s = opencl().resolve().open(g.build())) {
            assertInstanceOf(OrtModel.class, s);
            assertEquals(1, s.run(Map.of("x", Tensor.zeros(1, 1, 4, 4))).size());
        } finally {
            log.removeHandler(capture);
        }
        assertEquals(List.of("OpenCL backend has no kernel for MaxPool: graph 'pooled' runs on ONNX Runtime (CPU)"),
                lines);
    }

    @Test
    void missingDeviceIsNamedWithTheDevicesThereAre() {
        OpenClDevice present = OpenClTesting.device();
        OpenClException e = assertThrows(OpenClException.class,
                () -> new RuntimeOptions(1).withBackend(Backend.OPENCL, "no-such-accelerator").resolve());
        assertTrue(e.getMessage().startsWith("no OpenCL device 'no-such-accelerator'; the devices are:"),
                e.getMessage());
        assertTrue(e.getMessage().contains(present.name()), e.getMessage());
        assertThrows(OpenClException.class, () -> OpenClDevices.select("99"));
    }

    @Test
    void cpuBackendIsOnnxRuntime() {
        GraphBuilder g = new GraphBuilder("relu");
        g.output(g.op("Relu", g.input("x", 2)));
        ComputeRuntime cpu = new RuntimeOptions(1).resolve();
        assertEquals(new OrtRuntime(1), cpu);
        try (GraphSession s = cpu.open(g.build())) {
            assertEquals("ONNX Runtime (CPU)", s.description());
        }
    }

    private static List<Float> toList(float[] v) {
        List<Float> r = new ArrayList<>();
        for (float f : v) {
            r.add(f);
        }
        return r;
    }
}
