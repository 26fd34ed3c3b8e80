package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.ResidentBinding;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/** Residents shared by the sessions of a group stay put between runs, on ONNX Runtime and on the OpenCL device. */
class OpenClSessionGroupTest {
    private static final long[] SHAPE = {1, 2, 2, 3};

    private static RuntimeOptions opencl() {
        return new RuntimeOptions(1).withBackend(Backend.OPENCL, Integer.toString(OpenClTesting.device().index()));
    }

    /** acc.next = acc * decay + inc, and the sum of acc.next returned: a resident updated in place by each run. */
    private static ModelProto accumulate() {
        GraphBuilder g = new GraphBuilder("accumulate");
        String acc = g.input("acc", SHAPE);
        String decay = g.input("decay");
        String next = g.op("Add", g.op("Mul", acc, decay), g.input("inc", SHAPE));
        g.node(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("carry").addInput(next)
                .addOutput(SessionGroup.next("acc")).build());
        g.output(SessionGroup.next("acc"));
        String sum = g.op("ReduceSum", new String[] {next}, Attr.i("keepdims", 0));
        g.output(sum);
        return g.build();
    }

    /** Max-pools resident acc: an op without an OpenCL kernel, so the group runs it on ONNX Runtime. */
    private static ModelProto pooled() {
        GraphBuilder g = new GraphBuilder("pooled");
        g.output(g.op("MaxPool", new String[] {g.input("acc", SHAPE)}, Attr.ints("kernel_shape", 2, 2)));
        return g.build();
    }

    private static float[] ramp(float scale) {
        float[] d = new float[12];
        for (int i = 0; i < d.length; i++) {
            d[i] = scale * (i - 5);
        }
        return d;
    }

    private static void residentsStayBetweenRuns(RuntimeOptions options) {
        try (SessionGroup group = options.resolve().group();
                GraphSession step = group.open(accumulate());
                GraphSession pool = group.open(pooled())) {
            float[] acc = ramp(1);
            group.put("acc", new Tensor(acc.clone(), SHAPE));
            group.put("inc", new Tensor(ramp(0.25f), SHAPE));
            for (int run = 0; run < 3; run++) {
                float decay = 0.5f + run;
                Map<String, Tensor> out = step.run(Map.of("decay", new Tensor(new float[] {decay})));
                float sum = 0;
                float[] inc = ramp(0.25f);
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = acc[i] * decay + inc[i];
                    sum += acc[i];
                }
                assertEquals(1, out.size(), "the carried output is not returned: " + out.keySet());
                assertEquals(sum, out.values().iterator().next().data()[0], 1e-4f);
            }
            assertArrayEquals(acc, group.get("acc").data(), 1e-5f);
            // a session fed explicitly does not touch the resident; the next resident run reads it again
            step.run(Map.of("decay", new Tensor(new float[] {1}), "acc", Tensor.zeros(SHAPE)));
            assertArrayEquals(ramp(0.25f), group.get("acc").data(), 1e-6f);
            float[] pooledAcc = pool.run(Map.of()).values().iterator().next().data();
            assertEquals(List.of(-0.25f, 0f), List.of(pooledAcc[0], pooledAcc[1]), "max-pool of the resident");
        }
    }

    @Test
    void residentsStayOnOnnxRuntime() {
        residentsStayBetweenRuns(new RuntimeOptions(1));
    }

    @Test
    void residentsStayOnTheDeviceAndReachAFallbackSession() {
        residentsStayBetweenRuns(opencl());
        try (SessionGroup group = opencl().resolve().group();
                GraphSession step = group.open(accumulate());
                GraphSession pool = group.open(pooled())) {
            assertInstanceOf(OpenClSessionGroup.class, group);
            assertInstanceOf(ResidentBinding.class, pool, "MaxPool has no kernel: ONNX Runtime with the residents");
        }
    }
}
