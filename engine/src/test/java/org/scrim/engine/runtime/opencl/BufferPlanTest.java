package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;

/** Which values share a device buffer, worked out on the host: no OpenCL device is needed. */
class BufferPlanTest {
    private static BufferPlan plan(GraphBuilder g) {
        return BufferPlan.of(new Lowering(g.build(), 16, 8, 256, 32 << 10));
    }

    @Test
    void aChainNeedsTwoBuffersWhateverItsLength() {
        GraphBuilder g = new GraphBuilder("chain");
        String v = g.input("x", 1, 1, 4, 4);
        for (int k = 0; k < 5; k++) {
            v = g.op("Relu", v);
        }
        g.output(v);
        BufferPlan p = plan(g);
        assertArrayEquals(new long[] {64, 64}, p.slotBytes);
        assertEquals(6, p.slotOf.size());
    }

    @Test
    void aValueStillReadLaterKeepsItsBuffer() {
        GraphBuilder g = new GraphBuilder("diamond");
        String x = g.input("x", 1, 1, 4, 4);
        String a = g.op("Relu", x);
        String b = g.op("Relu", a);
        String y = g.op("Add", a, b);
        g.output(y);
        BufferPlan p = plan(g);
        assertNotEquals(p.slotOf.get(a), p.slotOf.get(b));
        assertEquals(p.slotOf.get(x), p.slotOf.get(b), "x is dead once a is computed");
        assertEquals(3, p.slotBytes.length);
        assertNotEquals(p.slotOf.get(a), p.slotOf.get(y));
        assertNotEquals(p.slotOf.get(b), p.slotOf.get(y));
    }

    @Test
    void aReusedBufferGrowsToTheLargestValueItHolds() {
        GraphBuilder g = new GraphBuilder("growing");
        String x = g.input("x", 1, 1, 2, 2);
        String a = g.op("Relu", x);
        String b = g.op("Concat", new String[] {a, a}, Attr.i("axis", 3));
        String y = g.op("Relu", b);
        g.output(y);
        BufferPlan p = plan(g);
        assertEquals(p.slotOf.get(x), p.slotOf.get(b));
        assertEquals(p.slotOf.get(a), p.slotOf.get(y));
        assertArrayEquals(new long[] {32, 32}, p.slotBytes);
        assertEquals(64, p.bytes());
        assertEquals(32, p.largest());
    }
}
