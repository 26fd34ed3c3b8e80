package org.scrim.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.GradCheck.Values;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/** Every rule against central finite differences on tiny graphs with odd sizes and broadcasting. */
class VjpRulesTest {
    private static final Random RND = new Random(11);

    private static String[] in(String... names) {
        return names;
    }

    private static String weight(GraphBuilder b, long... shape) {
        return b.initializer("w", GradCheck.randomTensor(RND, shape, Values.SIGNED));
    }

    private static void unary(String op, Values values) {
        GradCheck.inDouble().values(values).check(b -> b.op(op, in(b.input("x", 3, 5))), "x");
    }

    @Test
    void elementwiseUnary() {
        for (String op : new String[] {"Identity", "Relu", "Sigmoid", "Tanh", "Exp", "Neg", "Abs"}) {
            unary(op, Values.SIGNED);
        }
        for (String op : new String[] {"Sqrt", "Log", "Reciprocal"}) {
            unary(op, Values.POSITIVE);
        }
        GradCheck.inDouble().check(b -> b.op("LeakyRelu", in(b.input("x", 4, 3)), Attr.f("alpha", 0.2f)), "x");
        GradCheck.inDouble().check(b -> b.op("Clip", in(b.input("x", 4, 5), b.scalar("lo", -0.4f),
                b.scalar("hi", 0.3f))), "x");
        GradCheck.inDouble().check(b -> b.op("Clip", in(b.input("x", 4, 5), "", b.scalar("hi", 0.3f))), "x");
    }

    /** ORT CPU has no double Erf or Softplus kernels. */
    @Test
    void floatOnlyUnary() {
        GradCheck.inFloat(1e-2, 1e-3).check(b -> b.op("Erf", in(b.input("x", 3, 7))), "x");
        GradCheck.inFloat(1e-2, 1e-3).check(b -> b.op("Softplus", in(b.input("x", 3, 7))), "x");
    }

    @Test
    void castRoundTrip() {
        GradCheck.inDouble().check(b -> b.op("Cast", in(b.op("Mul", in(b.input("x", 2, 3), b.scalar("k", 3f)))),
                Attr.i("to", 1)), "x");
    }

    @Test
    void broadcastingBinary() {
        for (String op : new String[] {"Add", "Sub", "Mul", "Div"}) {
            GradCheck.inDouble().values(Values.POSITIVE)
                    .check(b -> b.op(op, in(b.input("a", 2, 3, 4), b.input("b", 3, 1))), "a", "b");
            GradCheck.inDouble().values(Values.POSITIVE)
                    .check(b -> b.op(op, in(b.input("a", 1, 4), b.input("b", 3, 1))), "a", "b");
        }
        GradCheck.inDouble().values(Values.POSITIVE)
                .check(b -> b.op("Pow", in(b.input("a", 3, 4), b.input("b", 4))), "a", "b");
        GradCheck.inDouble().check(b -> b.op("Sum", in(b.input("a", 3, 4), b.input("b", 4), b.input("c", 3, 1))),
                "a", "b", "c");
        GradCheck.inDouble().check(b -> b.op("Where", in(b.op("Greater", in(b.input("c", 3, 4), b.scalar("z", 0))),
                b.input("a", 3, 4), b.input("b", 1, 4))), "a", "b");
        // only the wanted operand: the constant weight gets no gradient nodes, and none are asked for
        GradCheck.inDouble().check(b -> b.op("Mul", in(b.input("a", 2, 5), weight(b, 5))), "a");
    }

    @Test
    void matMulShapes() {
        GradCheck.inDouble().check(b -> b.op("MatMul", in(b.input("a", 2, 3, 4), b.input("b", 4, 5))), "a", "b");
        GradCheck.inDouble().check(b -> b.op("MatMul", in(b.input("a", 4), b.input("b", 2, 4, 3))), "a", "b");
        GradCheck.inDouble().check(b -> b.op("MatMul", in(b.input("a", 2, 1, 3, 4), b.input("b", 3, 4, 2))), "a", "b");
        GradCheck.inDouble().check(b -> b.op("MatMul", in(b.input("a", 3), b.input("b", 3))), "a", "b");
        GradCheck.inDouble().check(b -> b.op("MatMul", in(b.input("a", 2, 3, 5), b.input("b", 5))), "a", "b");
    }

    @Test
    void gemmTranspositions() {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                long[] as = ta == 1 ? new long[] {4, 3} : new long[] {3, 4};
                long[] bs = tb == 1 ? new long[] {5, 4} : new long[] {4, 5};
                int fa = ta;
                int fb = tb;
                GradCheck.inDouble().check(b -> b.op("Gemm", in(b.input("a", as), b.input("b", bs), b.input("c", 5)),
                        Attr.i("transA", fa), Attr.i("transB", fb), Attr.f("alpha", 0.7f), Attr.f("beta", 1.3f)),
                        "a", "b", "c");
            }
        }
    }

    @Test
    void shapeOps() {
        GradCheck.inDouble().check(b -> b.op("Reshape", in(b.input("x", 2, 3, 4), b.int64s("s", 4, 0, -1))), "x");
        GradCheck.inDouble().check(b -> b.op("Flatten", in(b.input("x", 2, 3, 4)), Attr.i("axis", 2)), "x");
        GradCheck.inDouble().check(b -> b.op("Transpose", in(b.input("x", 2, 3, 4)), Attr.ints("perm", 1, 2, 0)), "x");
        GradCheck.inDouble().check(b -> b.op("Unsqueeze", in(b.op("Squeeze", in(b.input("x", 3, 1, 4),
                b.int64s("a", 1))), b.int64s("a", 0, -1))), "x");
        GradCheck.inDouble().check(b -> b.op("Concat", in(b.input("x", 2, 3), weight(b, 2, 1), b.input("y", 2, 2)),
                Attr.i("axis", 1)), "x", "y");
        GradCheck.inDouble().check(b -> {
            String[] parts = b.ops("Split", 3, in(b.input("x", 2, 7), b.int64s("s", 2, 4, 1)), Attr.i("axis", 1));
            return b.op("Mul", in(parts[0], parts[2])); // the middle part does not reach the loss
        }, "x");
        GradCheck.inDouble().check(b -> b.op("Slice", in(b.input("x", 5, 6), b.int64s("st", -4, 1),
                b.int64s("en", 4, 100), b.int64s("ax", 0, 1))), "x");
        GradCheck.inDouble().check(b -> b.op("Pad", in(b.input("x", 2, 3, 5), b.int64s("p", 0, 1, -1, 0, 2, 2),
                b.scalar("v", 0.5f))), "x");
        GradCheck.inDouble().check(b -> b.op("Expand", in(b.input("x", 3, 1), b.int64s("s", 2, 3, 4))), "x");
    }

    @Test
    void reductionsAndSoftmax() {
        GradCheck.inDouble().check(b -> b.op("ReduceSum", in(b.input("x", 2, 3, 4), b.int64s("a", 0, 2)),
                Attr.i("keepdims", 0)), "x");
        GradCheck.inDouble().check(b -> b.op("ReduceSum", in(b.input("x", 2, 3)), Attr.i("keepdims", 0)), "x");
        GradCheck.inDouble().check(b -> b.op("ReduceMean", in(b.input("x", 2, 3, 5)), Attr.ints("axes", -1)), "x");
        GradCheck.inDouble().check(b -> b.op("ReduceSumSquare", in(b.input("x", 2, 3, 5)), Attr.ints("axes", 1),
                Attr.i("keepdims", 0)), "x");
        GradCheck.inDouble().check(b -> b.op("ReduceL2", in(b.input("x", 2, 3, 5)), Attr.ints("axes", 0, 2)), "x");
        GradCheck.inDouble().values(Values.DISTINCT).check(b -> b.op("ReduceMax", in(b.input("x", 3, 5)),
                Attr.ints("axes", 1), Attr.i("keepdims", 0)), "x");
        GradCheck.inDouble().check(b -> b.op("Softmax", in(b.input("x", 2, 5, 3)), Attr.i("axis", 1)), "x");
        GradCheck.inDouble().check(b -> b.op("LogSoftmax", in(b.input("x", 2, 5))), "x");
    }

    @Test
    void normalizations() {
        GradCheck.inFloat(1e-2, 2e-3).check(b -> b.op("InstanceNormalization", in(b.input("x", 2, 3, 4, 5),
                weight(b, 3), weight(b, 3)), Attr.f("epsilon", 1e-3f)), "x");
        GradCheck.inDouble().check(b -> b.op("LayerNormalization", in(b.input("x", 2, 3, 4, 5),
                weight(b, 4, 5), weight(b, 5)), Attr.i("axis", -2), Attr.f("epsilon", 1e-3f)), "x");
    }

    /** GroupNormalization is an opset-18 op (scale per group), opset 21 made the scale per channel. */
    @Test
    void groupNormalization() {
        GradCheck.inFloat(1e-2, 2e-3).opset(18).check(b -> b.op("GroupNormalization", in(b.input("x", 2, 6, 3, 5),
                weight(b, 3), weight(b, 3)), Attr.i("num_groups", 3), Attr.f("epsilon", 1e-3f)), "x");
        GradCheck.inFloat(1e-2, 2e-3).opset(21).check(b -> b.op("GroupNormalization", in(b.input("x", 2, 6, 3, 5),
                weight(b, 6), weight(b, 6)), Attr.i("num_groups", 2), Attr.f("epsilon", 1e-3f)), "x");
    }

    /** Conv, ConvTranspose and pooling are float-only on ORT CPU; they are linear, so a big step costs nothing. */
    @Test
    void convolutions() {
        GradCheck f = GradCheck.inFloat(0.1, 1e-4);
        // 8 + 2 - 3 is odd: the ConvTranspose needs output_padding 1 on H (0 on W)
        f.check(b -> b.op("Conv", in(b.input("x", 1, 2, 8, 9), weight(b, 3, 2, 3, 3), weight(b, 3)),
                Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1)), "x");
        f.check(b -> b.op("Conv", in(b.input("x", 2, 4, 8, 7), weight(b, 4, 2, 3, 2)),
                Attr.ints("strides", 2, 3), Attr.ints("dilations", 2, 1), Attr.ints("pads", 2, 0, 1, 1),
                Attr.i("group", 2)), "x");
        f.check(b -> b.op("Conv", in(b.input("x", 1, 3, 6, 5), weight(b, 2, 3, 4, 3)),
                Attr.ints("strides", 3, 2), Attr.s("auto_pad", "SAME_UPPER")), "x"); // ORT: no dilation with SAME
        f.check(b -> b.op("Conv", in(b.input("x", 1, 2, 12), weight(b, 3, 2, 3)), Attr.ints("strides", 2)), "x");
        f.check(b -> b.op("ConvTranspose", in(b.input("x", 1, 4, 4, 3), weight(b, 4, 1, 3, 3), weight(b, 2)),
                Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 0, 1, 1), Attr.ints("output_padding", 1, 0),
                Attr.i("group", 2)), "x");
    }

    @Test
    void pooling() {
        GradCheck f = GradCheck.inFloat(0.1, 1e-4);
        for (int include = 0; include < 2; include++) {
            int inc = include;
            f.check(b -> b.op("AveragePool", in(b.input("x", 1, 2, 8, 7)), Attr.ints("kernel_shape", 3, 3),
                    Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 0), Attr.i("count_include_pad", inc)), "x");
        }
        f.check(b -> b.op("GlobalAveragePool", in(b.input("x", 2, 3, 5, 4))), "x");
        // values 0.05 apart: a 1e-3 step never changes which element is the maximum
        GradCheck.inFloat(1e-3, 1e-3).values(Values.DISTINCT).check(b -> b.op("MaxPool", in(b.input("x", 1, 2, 8, 7)),
                Attr.ints("kernel_shape", 3, 3), Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1)), "x");
    }

    @Test
    void resize() {
        GradCheck f = GradCheck.inFloat(0.1, 1e-4);
        f.check(b -> b.op("Resize", in(b.input("x", 1, 2, 3, 4), "", b.initializer("s",
                new Tensor(new float[] {1, 1, 2, 2}, 4)))), "x");
        f.check(b -> b.op("Resize", in(b.input("x", 1, 2, 5, 4), "", "", b.int64s("sz", 1, 2, 7, 10)),
                Attr.s("mode", "nearest"), Attr.s("coordinate_transformation_mode", "asymmetric"),
                Attr.s("nearest_mode", "floor")), "x");
        f.check(b -> b.op("Resize", in(b.input("x", 1, 2, 3, 5), "", b.initializer("s",
                new Tensor(new float[] {1, 1, 2, 1.6f}, 4))), Attr.s("mode", "linear")), "x");
        f.check(b -> b.op("Resize", in(b.input("x", 1, 1, 6, 5), "", "", b.int64s("sz", 1, 1, 4, 9)),
                Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "align_corners")), "x");
    }

    @Test
    void unsupportedOpNamesOpAndNode() {
        GraphBuilder b = new GraphBuilder("bad");
        String y = b.op("HardSwish", in(b.input("x", 2, 3)));
        String loss = b.op("ReduceSum", in(y), Attr.i("keepdims", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Differentiator.gradient(b.graph(), loss, java.util.List.of("x"), java.util.Map.of()));
        assertTrue(e.getMessage().contains("HardSwish") && e.getMessage().contains("n_HardSwish"), e.getMessage());
    }
}
