package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.autodiff.EarlyMasks;
import org.scrim.engine.autodiff.EarlyMasksTest;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.GraphStages;
import org.scrim.engine.tensor.Tensor;

/**
 * A gradient graph marked in stages (its forward, then its backward in parts) runs on ONNX Runtime as one session per
 * stage, with the results the graph gives as one session, and the forward hands the backward its Relu masks, not the
 * Relu outputs.
 */
class StagedOrtModelTest {
    private static final long[] SHAPE = {1, 3, 24, 24};
    private static final int LAYERS = 4;
    private static final String GRADIENT = Differentiator.gradName("x");

    /** The conv stack's gradient graph with its masks ordered, marked in stages when {@code staged}. */
    private static ModelProto gradient(boolean staged) {
        GraphBuilder g = new GraphBuilder(EarlyMasksTest.gradientOfConvStack(SHAPE, LAYERS).getGraph());
        EarlyMasks.order(g, "mask_order");
        if (staged) {
            GraphStages.end(g, 0, "loss", "mask_order");
            GraphStages.endInParts(g, 1, 2, GRADIENT);
        }
        return GraphBuilder.model(g.graph());
    }

    @Test
    void theForwardHandsOnMasksAndTheBackwardRunsInParts() {
        List<ModelProto> stages = GraphStages.split(gradient(true));
        assertEquals(3, stages.size(), "the forward, and the backward in two parts");
        Set<String> handedOn = new HashSet<>();
        stages.get(0).getGraph().getOutputList().forEach(o -> handedOn.add(o.getName()));
        int masks = 0;
        List<String> activations = new ArrayList<>();
        Set<ValueInfoProto> read = new HashSet<>(stages.get(1).getGraph().getInputList());
        read.addAll(stages.get(2).getGraph().getInputList());
        for (ValueInfoProto in : read) {
            if (handedOn.contains(in.getName()) && in.getType().getTensorType().getShape().getDimCount() == 4
                    && in.getType().getTensorType().getShape().getDim(1).getDimValue() == 16) {
                if (in.getType().getTensorType().getElemType() == TensorProto.DataType.BOOL_VALUE) {
                    masks++;
                } else {
                    activations.add(in.getName());
                }
            }
        }
        assertEquals(LAYERS, masks, "every Relu's mask is handed to the backward");
        // of the activations, only the last Relu's output, which the loss squares, is read by the backward
        assertEquals(1, activations.size(), "activations handed to the backward: " + activations);
        assertEquals(1, stages.get(2).getGraph().getOutputCount(), "the last part makes the gradient only");
        assertEquals(GRADIENT, stages.get(2).getGraph().getOutput(0).getName());
    }

    @Test
    void stagedRunsGiveTheGraphsResults() {
        Random rnd = new Random(3);
        float[] x = new float[(int) (SHAPE[1] * SHAPE[2] * SHAPE[3])];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat();
        }
        Map<String, Tensor> feeds = Map.of("x", new Tensor(x, SHAPE));
        Map<String, Tensor> whole;
        Map<String, Tensor> staged;
        try (OrtModel one = new OrtModel(gradient(false), 1); OrtModel parts = new OrtModel(gradient(true), 1)) {
            whole = one.run(feeds);
            staged = parts.run(feeds);
            // a second run: the values handed between stages were released and are made again
            assertArrayEquals(staged.get(GRADIENT).data(), parts.run(feeds).get(GRADIENT).data());
        }
        assertEquals(whole.keySet(), staged.keySet());
        for (String name : whole.keySet()) {
            assertArrayEquals(whole.get(name).data(), staged.get(name).data(), 1e-6f, name);
        }
    }
}
