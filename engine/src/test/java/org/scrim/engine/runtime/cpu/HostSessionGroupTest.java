package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.GraphStages;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/** ONNX Runtime's residents live in native memory: the Java heap holds neither them nor the runs' carried outputs. */
class HostSessionGroupTest {
    private static final int BIG = 16 << 20; // floats: 64 MiB

    private static long heapUsedAfterCollection() {
        java.lang.Runtime rt = java.lang.Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** d.next = d + target: reads a large resident and carries its result into another. */
    private static GraphSession accumulate(SessionGroup group) {
        GraphBuilder g = new GraphBuilder("accumulate");
        String sum = g.op("Add", g.input("d", BIG), g.input("target", BIG));
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("carry").addInput(sum)
                .addOutput(SessionGroup.next("d")).build());
        g.output(SessionGroup.next("d"));
        return group.open(g.build());
    }

    /** Puts target (2 at index 7) and d = 0 from host arrays that are garbage once this returns. */
    private static void putResidents(SessionGroup group) {
        float[] target = new float[BIG];
        target[7] = 2;
        group.put("target", new Tensor(target, BIG));
        group.put("d", Tensor.zeros(BIG));
    }

    @Test
    void residentsAndCarriedOutputsStayOffTheHeap() {
        try (SessionGroup group = new OrtRuntime(1).group(); GraphSession step = accumulate(group)) {
            long base = heapUsedAfterCollection();
            putResidents(group);
            long withResidents = heapUsedAfterCollection();
            for (int run = 0; run < 3; run++) {
                assertTrue(step.run(Map.of()).isEmpty(), "the carried output is not returned");
            }
            long afterRuns = heapUsedAfterCollection();
            // the group kept the host tensors before (128 MiB here), and copied each of them natively for every run
            assertTrue(withResidents - base < BIG, "the residents hold " + (withResidents - base) / (1 << 20)
                    + " MiB of heap");
            assertTrue(afterRuns - withResidents < BIG, "the runs left " + (afterRuns - withResidents) / (1 << 20)
                    + " MiB on the heap");
            float[] d = group.get("d").data();
            assertEquals(6, d[7]);
            assertEquals(0, d[8]);
        }
    }

    @Test
    void aCarriedOutputThatALaterStageReadsStillReplacesItsResident() {
        GraphBuilder g = new GraphBuilder("staged");
        String sum = g.op("Add", g.input("d", 4), g.input("step", 4));
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("carry").addInput(sum)
                .addOutput(SessionGroup.next("d")).build());
        g.output(SessionGroup.next("d"));
        GraphStages.end(g, 0, SessionGroup.next("d"));
        g.output(g.op("ReduceSum", new String[] {SessionGroup.next("d")}, Attr.i("keepdims", 0)), "total");
        try (SessionGroup group = new OrtRuntime(1).group(); GraphSession session = group.open(g.build())) {
            group.put("d", Tensor.zeros(4));
            for (int run = 1; run <= 2; run++) {
                Map<String, Tensor> out = session.run(Map.of("step", new Tensor(new float[] {1, 2, 3, 4}, 4)));
                assertEquals(java.util.Set.of("total"), out.keySet());
                assertEquals(10f * run, out.get("total").data()[0], 1e-5f);
            }
            assertEquals(8f, group.get("d").data()[3], 1e-6f);
        }
    }

    @Test
    void aMissingResidentIsNamed() {
        try (SessionGroup group = new OrtRuntime(1).group(); GraphSession step = accumulate(group)) {
            group.put("d", Tensor.zeros(BIG));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.run(Map.of()));
            assertTrue(e.getMessage().contains("'target'"), e.getMessage());
        }
    }
}
