package org.scrim.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

class ShapeInferenceTest {
    /** An encoder-like graph with symbolic H and W: shapes follow the bound input, shape arithmetic is folded. */
    @Test
    void bindsSymbolicDimsAndFoldsShapeArithmetic() {
        GraphBuilder b = new GraphBuilder("enc");
        String x = b.input("x", 1, 3, -1, -1);
        String c = b.op("Conv", new String[] {x, b.initializer("w", Tensor.zeros(16, 3, 3, 3))},
                Attr.ints("strides", 2, 2), Attr.ints("pads", 1, 1, 1, 1));
        String shape = b.op("Shape", c);
        String hw = b.op("Gather", new String[] {shape, b.int64s("i", 2, 3)}, Attr.i("axis", 0));
        String target = b.op("Concat", new String[] {b.int64s("n", 1, 4, 4), hw}, Attr.i("axis", 0));
        String r = b.op("Reshape", c, target);
        String pooled = b.op("ReduceMean", new String[] {r}, Attr.ints("axes", 1), Attr.i("keepdims", 0));
        String up = b.op("Resize", new String[] {pooled, "", b.initializer("s", new Tensor(new float[] {1, 1, 2, 2}, 4))});
        Map<String, long[]> shapes = ShapeInference.infer(b.graph(), Map.of(x, new long[] {1, 3, 45, 64}));
        assertArrayEquals(new long[] {1, 16, 23, 32}, shapes.get(c));
        assertArrayEquals(new long[] {1, 4, 4, 23, 32}, shapes.get(r));
        assertArrayEquals(new long[] {1, 4, 23, 32}, shapes.get(pooled));
        assertArrayEquals(new long[] {1, 4, 46, 64}, shapes.get(up));
    }

    @Test
    void unboundSymbolicDimAndUnknownOpAreErrors() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", 1, -1);
        b.op("Relu", x);
        var e = assertThrows(IllegalArgumentException.class, () -> ShapeInference.infer(b.graph(), Map.of()));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("symbolic"), e.getMessage());
        b.op("Einsum", new String[] {x}, Attr.s("equation", "ij->ji"));
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> ShapeInference.infer(b.graph(), Map.of(x, new long[] {1, 2})));
        assertTrue(e2.getMessage().contains("Einsum") && e2.getMessage().contains("n_Einsum"), e2.getMessage());
    }
}
