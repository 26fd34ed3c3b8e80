package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.scrim.engine.onnx.Attr.i;
import static org.scrim.engine.onnx.Attr.ints;
import static org.scrim.engine.onnx.Attr.s;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * The kernels behind protection's image transforms (JPEG approximation, downscale) and their gradients, each
 * against ONNX Runtime on small random inputs in the modes and attributes the transforms use, and a few more.
 */
class OpenClTransformOpsTest {
    private final Random rnd = new Random(13);
    private final Map<String, Tensor> feeds = new LinkedHashMap<>();

    private String input(GraphBuilder g, String name, long... shape) {
        feeds.put(name, OpenClTesting.random(rnd, shape));
        return g.input(name, shape);
    }

    private void check(GraphBuilder g, String... ys) {
        for (String y : ys) {
            g.output(y);
        }
        var model = g.build();
        assertEquals(List.of(), OpenClModel.unsupported(model), model.getGraph().getName());
        OpenClTesting.assertMatchesOrt(model, feeds);
        feeds.clear();
    }

    @Test
    void averagePool() {
        // {kernel, stride, pad, count_include_pad}: downscale's k x k / k (floor on odd sizes), JPEG's 2x2 chroma
        for (long[] p : new long[][] {{2, 2, 0, 0}, {3, 3, 0, 0}, {4, 4, 0, 0}, {3, 2, 1, 0}, {3, 2, 1, 1}}) {
            GraphBuilder g = new GraphBuilder("avgpool_k" + p[0] + "s" + p[1] + "p" + p[2] + "i" + p[3]);
            String x = input(g, "x", 1, 3, 17, 22);
            check(g, g.op("AveragePool", new String[] {x}, ints("kernel_shape", p[0], p[0]),
                    ints("strides", p[1], p[1]), ints("pads", p[2], p[2], p[2], p[2]), i("count_include_pad", p[3])));
        }
    }

    @Test
    void resizeLinear() {
        // JPEG's 2x chroma upsampling, downscale's fractional scales (nudged as Transforms does), and other modes
        Object[][] cases = {{"half_pixel", new float[] {1, 1, 2, 2}}, {"half_pixel", new float[] {1, 1, 0.7f, 0.5625f}},
            {"half_pixel", new float[] {1, 1, Math.nextUp(12f / 17), Math.nextUp(15f / 22)}},
            {"pytorch_half_pixel", new float[] {1, 1, 1.5f, 0.5f}}, {"asymmetric", new float[] {1, 1, 0.6f, 1.3f}},
            {"align_corners", new float[] {1, 1, 1.8f, 0.45f}}};
        for (Object[] c : cases) {
            GraphBuilder g = new GraphBuilder("resize_" + c[0]);
            String x = input(g, "x", 1, 2, 17, 22);
            check(g, g.op("Resize", new String[] {x, "", g.initializer("scales", new Tensor((float[]) c[1], 4))},
                    s("mode", "linear"), s("coordinate_transformation_mode", (String) c[0])));
        }
        GraphBuilder g = new GraphBuilder("resize_sizes");
        String x = input(g, "x", 1, 3, 9, 14);
        check(g, g.op("Resize", new String[] {x, "", "", g.int64s("sizes", 1, 3, 5, 20)}, s("mode", "linear")));
    }

    @Test
    void sliceConcatSplitPad() {
        GraphBuilder g = new GraphBuilder("slice_concat_split_pad");
        String x = input(g, "x", 1, 3, 11, 13);
        String edge = g.op("Slice", x, g.int64s("s", 10), g.int64s("e", 11), g.int64s("a", 2));
        String first = g.op("Slice", x, g.int64s("s", 0), g.int64s("e", 1), g.int64s("a", 3));
        String strided = g.op("Slice", x, g.int64s("s", 1, 12), g.int64s("e", 3, 0),
                g.int64s("a", 1, 3), g.int64s("st", 1, -2));
        String rows = g.op("Concat", new String[] {x, edge, edge, edge}, i("axis", 2));
        String cols = g.op("Concat", new String[] {first, first, x, g.initializer("c", OpenClTesting.random(rnd,
                1, 3, 11, 2))}, i("axis", -1));
        String chans = g.op("Concat", new String[] {g.op("Slice", x, g.int64s("s", 0), g.int64s("e", 1),
            g.int64s("a", 1)), x}, i("axis", 1));
        String[] parts = g.ops("Split", 3, new String[] {chans, g.int64s("sizes", 1, 2, 1)}, i("axis", 1));
        String padded = g.op("Pad", x, g.int64s("pads", 0, 0, 2, 0, 0, 1, 1, 3));
        String cropped = g.op("Pad", x, g.int64s("pads", 0, 0, -2, 1, 0, 0, 1, -3),
                g.scalar("v", 0.25f));
        check(g, strided, rows, cols, parts[0], parts[1], parts[2], padded, cropped);
    }

    @Test
    void groupedConvolutions() {
        // {in channels, out channels, group, kernel, stride, pad}: JPEG's blockwise DCT of the two chroma planes,
        // a depthwise 3x3, two channels per group, a stride larger than the kernel (conv2d_global with borders)
        for (long[] p : new long[][] {{2, 128, 2, 8, 8, 0}, {1, 64, 1, 8, 8, 0}, {3, 3, 3, 3, 1, 1},
            {4, 6, 2, 3, 2, 1}, {3, 5, 1, 2, 3, 1}}) {
            GraphBuilder g = new GraphBuilder("conv_c" + p[0] + "k" + p[1] + "g" + p[2] + "k" + p[3] + "s" + p[4]);
            String x = input(g, "x", 1, p[0], 32, 24);
            String w = g.initializer("w", OpenClTesting.random(rnd, p[1], p[0] / p[2], p[3], p[3]));
            check(g, g.op("Conv", new String[] {x, w}, ints("strides", p[4], p[4]),
                    ints("pads", p[5], p[5], p[5], p[5]), i("group", p[2])));
        }
    }

    @Test
    void groupedTransposedConvolutions() {
        // {in channels, out channels per group, group, kernel, stride, output_padding}: JPEG's inverse DCT, the
        // gradient of downscale's and JPEG's AveragePool (depthwise, kernel = stride, odd sizes restored)
        for (long[] p : new long[][] {{128, 1, 2, 8, 8, 0}, {3, 1, 3, 2, 2, 1}, {3, 1, 3, 3, 3, 2}, {4, 3, 2, 3, 2, 0}}) {
            GraphBuilder g = new GraphBuilder("convtranspose_c" + p[0] + "g" + p[2] + "k" + p[3] + "s" + p[4]);
            String x = input(g, "x", 1, p[0], 5, 7);
            String w = g.initializer("w", OpenClTesting.random(rnd, p[0], p[1], p[3], p[3]));
            check(g, g.op("ConvTranspose", new String[] {x, w}, ints("strides", p[4], p[4]), i("group", p[2]),
                    ints("output_padding", p[5], p[5])));
        }
    }

    @Test
    void matMul() {
        // Resize's gradient: g [.., out, W] x M [W', in] on the last axis, M [in, out] x g [.., out, W] on the other
        GraphBuilder g = new GraphBuilder("matmul");
        String x = input(g, "x", 1, 2, 9, 13);
        String right = g.op("MatMul", x, g.initializer("r", OpenClTesting.random(rnd, 13, 6)));
        String left = g.op("MatMul", g.initializer("l", OpenClTesting.random(rnd, 5, 9)), x);
        String batched = g.op("MatMul", x, input(g, "b", 1, 2, 13, 4));
        check(g, right, left, batched);
    }

    @Test
    void transposeOfTheLastTwoAxes() {
        // a trainer view's gradient: the fed view matrices, transposed
        GraphBuilder g = new GraphBuilder("transpose");
        String matrix = input(g, "m", 9, 13);
        String batched = input(g, "x", 1, 2, 5, 7);
        check(g, g.op("Transpose", new String[] {matrix}, ints("perm", 1, 0)),
                g.op("Transpose", new String[] {batched}, ints("perm", 0, 1, 3, 2)));
    }

    @Test
    void comparisonsAndLogic() {
        // Clip's gradient: Where(And(x >= lo, x <= hi), g, 0)
        GraphBuilder g = new GraphBuilder("compare_and");
        String x = input(g, "x", 1, 3, 7, 8);
        String lo = g.scalar("lo", -0.3f);
        String inside = g.op("And", g.op("GreaterOrEqual", x, lo),
                g.op("LessOrEqual", x, input(g, "hi", 3, 1, 8)));
        check(g, g.op("Where", inside, x, g.scalar("z", 0f)));
    }
}
