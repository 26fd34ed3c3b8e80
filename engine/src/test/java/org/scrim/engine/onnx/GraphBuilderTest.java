package org.scrim.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.Tensor;

class GraphBuilderTest {
    /** A sub-graph with two outputs, as an encoder that also renders its latent through a decoder. */
    private static GraphProto encoderAndRendering() {
        GraphBuilder g = new GraphBuilder("sub");
        String x = g.input("x", 1, 2);
        String latent = g.op("Mul", x, g.initializer("scale", new Tensor(new float[] {2}, 1)));
        String rendered = g.op("Add", g.op("Relu", latent), g.initializer("shift", new Tensor(new float[] {1}, 1)));
        g.output(latent, "latent");
        g.output(rendered, "rendered");
        return g.graph();
    }

    @Test
    void aModelForASessionRunsOnlyWhatItsOutputsNeed() {
        GraphBuilder g = new GraphBuilder("outer");
        String x = g.input("image", 1, 2);
        Map<String, String> out = g.inline(encoderAndRendering(), Map.of("x", x), "e_");
        g.output(out.get("latent"), "z");

        GraphProto composed = g.graph();
        assertEquals(List.of("Mul", "Relu", "Add", "Identity", "Identity", "Identity"),
                composed.getNodeList().stream().map(NodeProto::getOpType).toList(), "composition keeps all");
        GraphProto forSession = g.build().getGraph();
        assertEquals(List.of("Mul", "Identity", "Identity"),
                forSession.getNodeList().stream().map(NodeProto::getOpType).toList());
        assertEquals(List.of("e_scale"), forSession.getInitializerList().stream().map(TensorProto::getName).toList());
        assertEquals(composed.getInputList(), forSession.getInputList());
        assertEquals(composed.getOutputList(), forSession.getOutputList());
    }
}
