package org.scrim.engine.runtime.opencl;

import static org.scrim.engine.onnx.Attr.f;
import static org.scrim.engine.onnx.Attr.i;
import static org.scrim.engine.onnx.Attr.ints;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/** Every kernel against ONNX Runtime on small random graphs (odd sizes, so tiles and vectors have remainders). */
class OpenClKernelTest {
    private final Random rnd = new Random(7);
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();

    private String input(GraphBuilder g, String name, long... shape) {
        feeds.put(name, OpenClTesting.random(rnd, shape));
        return g.input(name, shape);
    }

    private String weight(GraphBuilder g, long... shape) {
        return g.initializer("w", OpenClTesting.random(rnd, shape));
    }

    private void check(GraphBuilder g, String y) {
        g.output(y);
        OpenClTesting.assertMatchesOrt(g.build(), feeds);
    }

    private void conv(String name, long c, long k, long kernel, long stride, long pad, long size, boolean bias) {
        GraphBuilder g = new GraphBuilder(name);
        String x = input(g, "x", 1, c, size, size + 3);
        String w = weight(g, k, c, kernel, kernel);
        String[] in = bias ? new String[] {x, w, weight(g, k)} : new String[] {x, w};
        check(g, g.op("Conv", in, ints("strides", stride, stride), ints("pads", pad, pad, pad, pad)));
    }

    @Test
    void convolutions() {
        conv("conv3x3", 5, 11, 3, 1, 1, 19, true);
        conv("conv3x3_stride2", 3, 16, 3, 2, 1, 23, true);
        conv("conv1x1", 12, 9, 1, 1, 0, 17, false);
        conv("conv3x3_valid", 4, 8, 3, 1, 0, 10, false);
    }

    @Test
    void transposedConvolutions() {
        for (long[] p : new long[][] {{3, 2, 1, 1}, {3, 2, 1, 0}, {2, 2, 0, 0}, {3, 1, 1, 0}}) {
            GraphBuilder g = new GraphBuilder("convtranspose_k" + p[0] + "s" + p[1] + "p" + p[2] + "op" + p[3]);
            String x = input(g, "x", 1, 10, 7, 12);
            String w = weight(g, 10, 3, p[0], p[0]);
            check(g, g.op("ConvTranspose", new String[] {x, w, weight(g, 3)}, ints("strides", p[1], p[1]),
                    ints("pads", p[2], p[2], p[2], p[2]), ints("output_padding", p[3], p[3])));
        }
    }

    @Test
    void broadcastingElementwise() {
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Greater"}) {
            GraphBuilder g = new GraphBuilder("broadcast_" + op);
            String a = input(g, "a", 2, 3, 5, 7);
            String b = input(g, "b", 3, 1, 7);
            String same = input(g, "c", 2, 3, 5, 7);
            String y = g.op(op, a, b);
            y = op.equals("Greater") ? g.op("Where", y, same, a) : g.op(op, y, same);
            check(g, g.op("Add", y, g.scalar("s", 0.5f)));
        }
    }

    @Test
    void whereSumAndUnaryOps() {
        GraphBuilder g = new GraphBuilder("where_sum_unary");
        String x = input(g, "x", 1, 4, 6, 5);
        String r = g.op("Relu", x);
        String mask = g.op("Greater", r, g.scalar("zero", 0f));
        String w = g.op("Where", mask, input(g, "u", 4, 1, 5), g.scalar("z", 0f));
        String pos = g.op("Add", g.op("Mul", x, x), g.scalar("one", 1f));
        String s = g.op("Sum", w, g.op("Sqrt", pos),
                g.op("Reciprocal", pos), g.op("Neg", x));
        check(g, g.op("Clip", s, g.scalar("lo", -0.5f), g.scalar("hi", 2f)));
    }

    @Test
    void absSignMaxAndMin() {
        GraphBuilder g = new GraphBuilder("abs_sign_max_min");
        String x = input(g, "x", 1, 3, 6, 5);
        String b = input(g, "b", 1, 1, 6, 5);
        String nb = g.op("Neg", g.op("Abs", b));
        String clamped = g.op("Max", nb, g.op("Min", g.op("Abs", b), x));
        String signed = g.op("Mul", g.op("Sign", x), input(g, "y", 1, 3, 6, 5));
        check(g, g.op("Max", clamped, signed, g.scalar("lo", -0.25f)));
    }

    @Test
    void reductions() {
        Object[][] cases = {{"ReduceSum", new long[] {1, 3}, 1L}, {"ReduceMean", new long[] {2}, 1L},
            {"ReduceSumSquare", new long[0], 0L}, {"ReduceMean", new long[] {0, 2, 3}, 0L},
            {"ReduceSum", new long[] {3}, 0L}};
        for (Object[] c : cases) {
            GraphBuilder g = new GraphBuilder(c[0] + "_" + ((long[]) c[1]).length + "axes");
            String x = input(g, "x", 2, 5, 33, 300);
            long[] axes = (long[]) c[1];
            AttributeProto keep = i("keepdims", (long) c[2]);
            if (axes.length == 0) {
                check(g, g.op((String) c[0], new String[] {x}, keep));
            } else if (c[0].equals("ReduceSum")) { // opset 13 moved ReduceSum's axes to an input, the others at 18
                check(g, g.op("ReduceSum", new String[] {x, g.int64s("axes", axes)}, keep));
            } else {
                check(g, g.op((String) c[0], new String[] {x}, ints("axes", axes), keep));
            }
        }
    }

    @Test
    void groupNormAsInstanceNormalization() {
        GraphBuilder g = new GraphBuilder("groupnorm");
        String x = input(g, "x", 1, 8, 9, 11);
        String r = g.op("Reshape", x, g.int64s("groups", 1, 4, -1));
        String n = g.op("InstanceNormalization", new String[] {r, weight(g, 4), weight(g, 4)}, f("epsilon", 1e-5f));
        check(g, g.op("Reshape", n, g.int64s("back", 1, 8, 9, 11)));
    }
}
