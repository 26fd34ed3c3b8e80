package org.scrim.engine.runtime.opencl;

import static org.scrim.engine.onnx.Attr.i;
import static org.scrim.engine.onnx.Attr.ints;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.protect.Losses;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * The graphs protection builds (AttackModel): scalar ([]-shaped) inputs, element-wise ops on 0-d values, a Sum and
 * an Identity as the loss output, several outputs, outputs that are also intermediate values, zero-length values,
 * against ONNX Runtime.
 * Element-wise ops on 0-d operands once passed too few stride arguments (CL_INVALID_KERNEL_ARGS).
 */
class OpenClLossGraphTest {
    private final Random rnd = new Random(11);
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();

    private String input(GraphBuilder g, String name, long... shape) {
        feeds.put(name, OpenClTesting.random(rnd, shape));
        return g.input(name, shape);
    }

    @Test
    void scalarOperandsAndOutputs() {
        GraphBuilder g = new GraphBuilder("scalars");
        String a = input(g, "a", new long[0]);
        String b = input(g, "b", new long[0]);
        String m = input(g, "m", 2, 3);
        String ab = g.op("Mul", a, b);
        String q = g.op("Div", g.op("Sub", ab, a), g.scalar("two", 2f));
        String w = g.op("Where", g.op("Greater", a, b), a, b);
        String s = g.op("Sum", ab, q, w);
        String u = g.op("Neg", g.op("Relu", s));
        String r = g.op("ReduceSumSquare", new String[] {m}, i("keepdims", 0));
        String bm = g.op("Mul", m, s); // [2,3] by 0-d
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("out").addInput(s).addOutput("loss").build());
        for (String y : new String[] {"loss", ab, u, g.op("Add", r, a), bm}) {
            g.output(y);
        }
        OpenClTesting.assertMatchesOrt(g.build(), feeds);
    }

    @Test
    void zeroLengthValues() {
        GraphBuilder g = new GraphBuilder("zero_length");
        String a = g.input("a", 2, 0, 3);
        feeds.put(a, new Tensor(new float[0], 2, 0, 3));
        String b = input(g, "b", 2, 1, 3);
        g.output(g.op("Relu", g.op("Mul", a, b)));
        g.output(g.op("ReduceSum", a, g.int64s("axes", 1)));
        OpenClTesting.assertMatchesOrt(g.build(), feeds);
    }

    /**
     * AttackModel's loss+gradient graph on a small conv "encoder": sum_k w_k |E(x) - target_k|^2 with scalar weight
     * inputs, the Sum of the pulls renamed by an Identity to the loss output, and d(loss)/dx; plus the forward
     * features graph with two outputs, one of them also feeding the other.
     */
    @Test
    void attackLossAndGradient() {
        long[] image = {1, 3, 13, 17};
        for (int terms = 1; terms <= 2; terms++) {
            feeds.clear();
            GraphBuilder g = new GraphBuilder("attack" + terms);
            List<String> z = encoders(g, image);
            Map<String, long[]> shapes = new HashMap<>();
            shapes.put("x", image);
            List<String> pulls = new ArrayList<>();
            for (int k = 0; k < terms; k++) {
                long[] zs = {1, 4, 7, 9};
                String target = input(g, "target" + k, zs);
                String weight = input(g, "weight" + k, new long[0]);
                shapes.put(target, zs);
                shapes.put(weight, new long[0]);
                pulls.add(g.op("Mul", Losses.squaredDistance(g, z.get(k), target,
                        Losses.Reduction.SUM), weight));
            }
            String loss = pulls.size() == 1 ? pulls.get(0) : g.op("Sum", pulls.toArray(String[]::new));
            g.node(NodeProto.newBuilder().setOpType("Identity").setName("loss_out").addInput(loss).addOutput("loss")
                    .build());
            g.output("loss");
            OpenClTesting.assertMatchesOrt(Differentiator.gradient(g.graph(), "loss", List.of("x"), shapes), feeds);
        }
        feeds.clear();
        GraphBuilder g = new GraphBuilder("features");
        encoders(g, image).forEach(g::output);
        OpenClTesting.assertMatchesOrt(g.build(), feeds);
    }

    /** x -> conv -> relu (encoder 0); encoder 1 adds a 1x1 conv on encoder 0's latent. */
    private List<String> encoders(GraphBuilder g, long[] image) {
        String x = input(g, "x", image);
        String z0 = g.op("Relu", new String[] {g.op("Conv", new String[] {x,
                g.initializer("w0", OpenClTesting.random(rnd, 4, 3, 3, 3)),
                g.initializer("b0", OpenClTesting.random(rnd, 4))}, ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))});
        String z1 = g.op("Conv", z0, g.initializer("w1", OpenClTesting.random(rnd, 4, 4, 1, 1)));
        return List.of(z0, z1);
    }
}
