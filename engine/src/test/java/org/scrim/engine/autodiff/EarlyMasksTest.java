package org.scrim.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.GradCheck.Values;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

public class EarlyMasksTest {
    private static final long[] SHAPE = {1, 16, 24, 24};
    private static final int LAYERS = 4;

    /** {@code layers} of Conv 3x3 to 16 channels + Relu, then mean(y^2), differentiated with respect to x. */
    public static ModelProto gradientOfConvStack(long[] shape, int layers) {
        Random rnd = new Random(5);
        GraphBuilder b = new GraphBuilder("conv stack");
        String h = b.input("x", shape);
        long channels = shape[1];
        for (int k = 0; k < layers; k++) {
            Tensor w = GradCheck.randomTensor(rnd, new long[] {16, channels, 3, 3}, Values.SIGNED);
            channels = 16;
            for (int i = 0; i < w.size(); i++) {
                w.data()[i] *= 0.1f;
            }
            h = b.op("Relu", b.op("Conv", new String[] {h, b.initializer("w", w)}, Attr.ints("pads", 1, 1, 1, 1)));
        }
        String loss = b.op("ReduceMean", new String[] {b.op("Mul", h, h)}, Attr.i("keepdims", 0));
        b.output(loss, "loss");
        return Differentiator.gradient(b.graph(), "loss", List.of("x"), Map.of("x", shape));
    }

    @Test
    void findsTheReluMasksInForwardOrderAndNothingElse() {
        GraphProto g = gradientOfConvStack(SHAPE, LAYERS).getGraph();
        List<String> masks = EarlyMasks.masksInForwardOrder(g);
        assertEquals(LAYERS, masks.size());
        List<String> reluInputs = new ArrayList<>();
        for (String m : masks) {
            reluInputs.add(g.getNodeList().stream().filter(n -> n.getOutput(0).equals(m)).findFirst().orElseThrow()
                    .getInput(0));
        }
        List<String> relus = g.getNodeList().stream().filter(n -> n.getOpType().equals("Relu"))
                .map(n -> n.getOutput(0)).toList();
        assertEquals(relus, reluInputs);

        GraphBuilder noRelu = new GraphBuilder("no relu");
        noRelu.output(noRelu.op("Neg", noRelu.input("x", 2)), "y");
        assertFalse(EarlyMasks.order(noRelu, "order"));
        assertEquals(1, noRelu.graph().getOutputCount());
    }
}
