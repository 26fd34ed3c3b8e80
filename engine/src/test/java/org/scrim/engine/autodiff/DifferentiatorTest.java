package org.scrim.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.GradCheck.Values;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtModel;
import org.scrim.engine.tensor.Tensor;

class DifferentiatorTest {
    private static final Random RND = new Random(3);

    private static String weight(GraphBuilder b, long... shape) {
        Tensor t = GradCheck.randomTensor(RND, shape, Values.SIGNED);
        float scale = (float) (1 / Math.sqrt(Tensor.numel(shape) / shape[0]));
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] *= scale;
        }
        return b.initializer("w", t);
    }

    /** GroupNorm as exporters write it: reshape to groups, mean/variance by ReduceMean, normalise, scale, shift. */
    private static String groupNormPieces(GraphBuilder b, String x, long channels, long groups) {
        String r = b.op("Reshape", x, b.int64s("s", 1, groups, -1));
        String mean = b.op("ReduceMean", new String[] {r}, Attr.ints("axes", 2));
        String centred = b.op("Sub", r, mean);
        String var = b.op("ReduceMean", new String[] {b.op("Mul", centred, centred)}, Attr.ints("axes", 2));
        String std = b.op("Sqrt", b.op("Add", var, b.scalar("eps", 1e-5f)));
        // back to x's shape through Shape, which shape inference folds to a constant
        String normed = b.op("Reshape", b.op("Div", centred, std),
                b.op("Shape", x));
        return b.op("Add", b.op("Mul", normed, weight(b, channels, 1, 1)),
                weight(b, channels, 1, 1));
    }

    /** Conv stride 2 on an odd size, Relu, GroupNorm pieces, a skip Add, a second Relu and a 1x1 Conv. */
    private static final Function<GraphBuilder, String> CONV_NET = b -> {
        String x = b.input("x", 1, 3, 9, 11);
        String h = b.op("Relu", new String[] {b.op("Conv", new String[] {x, weight(b, 8, 3, 3, 3), weight(b, 8)},
                Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1))});
        String n = groupNormPieces(b, h, 8, 2);
        String c = b.op("Conv", new String[] {n, weight(b, 8, 8, 3, 3)}, Attr.ints("pads", 1, 1, 1, 1));
        String skip = b.op("Relu", b.op("Add", c, h));
        return b.op("Conv", skip, weight(b, 4, 8, 1, 1));
    };

    /**
     * Float (Conv is float-only on ORT CPU): a step of 1e-3 keeps Relu kinks out of almost every difference, and the
     * float rounding of the loss then bounds the error near 1e-3 relative.
     */
    @Test
    void convNetMatchesFiniteDifferences() {
        GradCheck.inFloat(1e-3, 1e-2).check(CONV_NET, "x");
    }

    @Test
    void backwardReusesForwardAndSkipsWeights() {
        GraphBuilder b = new GraphBuilder("net");
        String y = CONV_NET.apply(b);
        String loss = b.op("ReduceSum", new String[] {y}, Attr.i("keepdims", 0));
        ModelProto m = Differentiator.gradient(b.graph(), loss, List.of("x"), Map.of());
        // 3 forward convs, each once (nothing recomputed); one data gradient each, no weight gradients: the strided
        // conv's is a ConvTranspose, the two stride-1 convs' are flipped-weight Convs
        assertEquals(3 + 2, count(m, "Conv"), "forward convs once plus two flipped-weight data gradients");
        assertEquals(1, count(m, "ConvTranspose"), "the strided conv's data gradient");
        assertEquals(List.of(loss, "grad_x"), m.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
    }

    @Test
    void onlyNodesOnThePathAreDifferentiated() {
        GraphBuilder b = new GraphBuilder("paths");
        String x = b.input("x", 2, 3);
        String z = b.input("z", 2, 3);
        String unused = b.op("Exp", x); // depends on x but not on the path to the loss
        b.output(unused);
        String fromZ = b.op("Sigmoid", z); // on the loss path, but z is not differentiated
        String loss = b.op("ReduceSum", new String[] {b.op("Mul", b.op("Tanh", x), fromZ)},
                Attr.i("keepdims", 0));
        ModelProto m = Differentiator.gradient(b.graph(), loss, List.of("x"), Map.of());
        int forwardNodes = b.graph().getNodeCount();
        List<String> backwardOps = m.getGraph().getNodeList().subList(forwardNodes, m.getGraph().getNodeCount())
                .stream().map(NodeProto::getOpType).toList();
        assertEquals(1, count(m, "Sigmoid"), "no Sigmoid gradient: z is not wanted; " + backwardOps);
        assertEquals(1, count(m, "Exp"), "no Exp gradient: off the path; " + backwardOps);
    }

    /** x feeds three nodes: its gradient is the sum of three contributions, and an unrelated input gets zeros. */
    @Test
    void valuesUsedSeveralTimesSumTheirCotangents() {
        GradCheck.inDouble().check(b -> {
            String x = b.input("x", 3, 4);
            String sq = b.op("Mul", x, x);
            return b.op("Add", sq, b.op("Sigmoid", x));
        }, "x");
        GraphBuilder b = new GraphBuilder("zero");
        String x = b.input("x", 2);
        b.input("u", 3);
        String loss = b.op("ReduceSum", new String[] {x}, Attr.i("keepdims", 0));
        try (OrtModel m = new OrtModel(Differentiator.gradient(b.graph(), loss, List.of("x", "u"), Map.of()), 1)) {
            Map<String, Tensor> out = m.run(Map.of("x", new Tensor(new float[] {1, 2}, 2),
                    "u", new Tensor(new float[] {1, 2, 3}, 3)));
            assertArrayEquals(new float[] {1, 1}, out.get("grad_x").data());
            assertArrayEquals(new float[] {0, 0, 0}, out.get("grad_u").data());
        }
    }

    @Test
    void rejectsBadArguments() {
        GraphBuilder b = new GraphBuilder("bad");
        String x = b.input("x", 2, 3);
        String y = b.op("Relu", x);
        var e1 = assertThrows(IllegalArgumentException.class,
                () -> Differentiator.gradient(b.graph(), y, List.of("x"), Map.of()));
        assertTrue(e1.getMessage().contains("scalar"), e1.getMessage());
        String w = weight(b, 3);
        String loss = b.op("ReduceSum", new String[] {b.op("Mul", y, w)}, Attr.i("keepdims", 0));
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> Differentiator.gradient(b.graph(), loss, List.of(w), Map.of()));
        assertTrue(e2.getMessage().contains("not a (non-initializer) input"), e2.getMessage());
    }

    private static long count(ModelProto m, String op) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }
}
