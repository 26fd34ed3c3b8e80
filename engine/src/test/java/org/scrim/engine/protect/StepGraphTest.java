package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.protect.Losses;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/**
 * The step graph against the update written out by hand (the host loop it replaced), over two steps that read the
 * residents the first one left, on ONNX Runtime and on the OpenCL device (-Dscrim.opencl.device, as the OpenCL tests).
 */
class StepGraphTest {
    private static final long[] SHAPE = {1, 3, 5, 7};
    private static final int PLANE = 35;
    private static final float WEIGHT = 0.75f;

    static RuntimeOptions opencl() {
        return new RuntimeOptions(1).withBackend(Backend.OPENCL, System.getProperty("scrim.opencl.device"));
    }

    /** loss = w |x - target|^2 and its gradient, shaped as AttackModel's loss graphs: 2 w (x - target). */
    private static GraphProto pull() {
        GraphBuilder g = new GraphBuilder("pull");
        String x = g.input(AttackModel.IMAGE, SHAPE);
        String t = g.input("target", SHAPE);
        String w = g.input("weight");
        String loss = g.op("Mul", Losses.squaredDistance(g, x, t, Losses.Reduction.SUM), w);
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("loss_out").addInput(loss)
                .addOutput(AttackModel.LOSS).build());
        g.output(AttackModel.LOSS);
        return Differentiator.gradient(g.graph(), AttackModel.LOSS, List.of(AttackModel.IMAGE),
                Map.of(AttackModel.IMAGE, SHAPE, "target", SHAPE, "weight", new long[0])).getGraph();
    }

    private static float[] uniform(Random r, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return v;
    }

    /** The host loop the step graph replaced, for one step; updates d (to the step's unscaled result), m and v. */
    private static float hostStep(float[] x, float[] d, float[] m, float[] v, float[] b, float[] target, float scale,
            float lr, float c1, float c2, boolean gray) {
        int n = x.length;
        float[] g = new float[n];
        float loss = 0;
        for (int i = 0; i < n; i++) {
            d[i] *= scale;
            float adv = Math.max(0f, Math.min(1f, x[i] + d[i]));
            g[i] = 2 * WEIGHT * (adv - target[i]);
            loss += WEIGHT * (adv - target[i]) * (adv - target[i]);
        }
        if (gray) {
            for (int i = 0; i < PLANE; i++) {
                float mean = (g[i] + g[PLANE + i] + g[2 * PLANE + i]) / 3;
                g[i] = mean;
                g[PLANE + i] = mean;
                g[2 * PLANE + i] = mean;
            }
        }
        for (int i = 0; i < n; i++) {
            m[i] = StepGraph.BETA1 * m[i] + (1 - StepGraph.BETA1) * g[i];
            v[i] = StepGraph.BETA2 * v[i] + (1 - StepGraph.BETA2) * g[i] * g[i];
            float update = (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + 1e-12f);
            float limit = b[i % PLANE];
            float di = Math.max(-limit, Math.min(limit, d[i] - lr * limit * update));
            d[i] = Math.max(-x[i], Math.min(1 - x[i], di));
        }
        return loss;
    }

    private static void twoStepsMatchTheHostLoop(RuntimeOptions options, boolean gray) {
        Random r = new Random(gray ? 5 : 4);
        int n = 3 * PLANE;
        float[] x = uniform(r, n, -0.2f, 1.2f); // clipped: values at 0 and 1 test the [-x, 1-x] clamp
        for (int i = 0; i < n; i++) {
            x[i] = Math.max(0f, Math.min(1f, x[i]));
        }
        float[] b = uniform(r, PLANE, 0.01f, 0.05f);
        float[] target = uniform(r, n, 0, 1);
        float[] d = uniform(r, n, -0.01f, 0.01f); // a step already taken, so the scale shows
        float[] m = uniform(r, n, -0.1f, 0.1f);
        float[] v = uniform(r, n, 0, 0.01f);
        if (gray) { // a gray image with the gray state of earlier steps; the target need not be gray
            for (float[] a : new float[][] {x, d, m, v}) {
                System.arraycopy(a, 0, a, PLANE, PLANE);
                System.arraycopy(a, 0, a, 2 * PLANE, PLANE);
            }
        }
        try (SessionGroup group = options.resolve().group();
                GraphSession step = group.open(StepGraph.model(pull(), AttackModel.IMAGE, SHAPE,
                        name -> "pull/" + name, gray))) {
            if (options.backend() == Backend.OPENCL) {
                assertTrue(step.description().startsWith("OpenCL"), "the whole step runs on the device: "
                        + step.description());
            }
            group.put(StepGraph.IMAGE, new Tensor(x, SHAPE));
            group.put(StepGraph.BOUND, new Tensor(b, 1, 1, 5, 7));
            group.put(StepGraph.PERTURBATION, new Tensor(d.clone(), SHAPE));
            group.put(StepGraph.FIRST_MOMENT, new Tensor(m.clone(), SHAPE));
            group.put(StepGraph.SECOND_MOMENT, new Tensor(v.clone(), SHAPE));
            group.put("pull/target", new Tensor(target, SHAPE));
            group.put("pull/weight", new Tensor(new float[] {WEIGHT}));
            float[][] scalars = {{0.8f, 2f, 0.1f, 0.01f}, {0.5f, 1.5f, 0.19f, 0.0199f}}; // scale, lr, c1, c2
            for (float[] s : scalars) {
                float loss = hostStep(x, d, m, v, b, target, s[0], s[1], s[2], s[3], gray);
                Map<String, Tensor> out = step.run(Map.of(StepGraph.SCALE, scalar(s[0]), StepGraph.LEARNING_RATE,
                        scalar(s[1]), StepGraph.CORRECTION1, scalar(s[2]), StepGraph.CORRECTION2, scalar(s[3])));
                assertEquals(List.of(StepGraph.LOSS), List.copyOf(out.keySet()), "only the loss comes back");
                assertEquals(loss, out.get(StepGraph.LOSS).data()[0], 1e-4f * loss);
            }
            assertArrayEquals(m, group.get(StepGraph.FIRST_MOMENT).data(), 1e-5f);
            assertArrayEquals(v, group.get(StepGraph.SECOND_MOMENT).data(), 1e-6f);
            float[] got = group.get(StepGraph.PERTURBATION).data();
            assertArrayEquals(d, got, 1e-5f);
            if (gray) {
                for (int i = 0; i < PLANE; i++) {
                    assertEquals(got[i], got[PLANE + i]);
                    assertEquals(got[i], got[2 * PLANE + i]);
                }
            }
        }
    }

    private static Tensor scalar(float v) {
        return new Tensor(new float[] {v});
    }

    @Test
    void adamStepMatchesTheHostLoopOnOnnxRuntime() {
        twoStepsMatchTheHostLoop(new RuntimeOptions(1), false);
        twoStepsMatchTheHostLoop(new RuntimeOptions(1), true);
    }

    @Test
    void adamStepMatchesTheHostLoopOnTheOpenClDevice() {
        twoStepsMatchTheHostLoop(opencl(), false);
        twoStepsMatchTheHostLoop(opencl(), true);
    }
}
