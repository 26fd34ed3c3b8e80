package org.scrim.engine.models;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.scrim.engine.modelio.CheckpointException;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.GraphBuilder;

/**
 * An image encoder that protections attack: an ONNX graph from an image input [1,3,H,W] in [0,1] to a latent
 * output, the graph's outputs of intermediate features (none for a user's ONNX encoder) and, where its family's
 * decoder is given, the decoder's rendering of the latent ({@code rendering}, else null). Several form an ensemble.
 */
public record SurrogateEncoder(String name, GraphProto graph, String input, String output, List<String> features,
                               String rendering) {
    /** The graph output of {@link #withRendering}'s decoded image. */
    public static final String RENDERED = "rendered";

    public SurrogateEncoder {
        features = List.copyOf(features);
    }

    public SurrogateEncoder(String name, GraphProto graph, String input, String output, List<String> features) {
        this(name, graph, input, output, features, null);
    }

    /**
     * This encoder followed by its family's TAE decoder ({@code decoderWeights}) without its last, full-size stage
     * ({@link TaeGraphs#decoderBeforeLastStage}), so a protection can pull what a model trained on these latents
     * would draw, not only where the latent goes: latent changes the decoder ignores teach a trainer nothing.
     */
    public SurrogateEncoder withRendering(StateDict decoderWeights) {
        GraphBuilder g = new GraphBuilder(name + "_rendering");
        String image = g.input(input, 1, 3, -1, -1);
        Map<String, String> encoded = g.inline(graph, Map.of(input, image), "e_");
        Map<String, String> decoded = g.inline(TaeGraphs.decoderBeforeLastStage(decoderWeights),
                Map.of(TaeGraphs.LATENT, encoded.get(output)), "d_");
        encoded.forEach((out, value) -> g.output(value, out));
        g.output(decoded.get(TaeGraphs.IMAGE), RENDERED);
        return new SurrogateEncoder(name, g.graph(), input, output, features, RENDERED);
    }

    /** A TAE-family encoder built from its weights, with its downsampling stages as features. */
    public static SurrogateEncoder tae(String name, StateDict weights) {
        GraphProto graph = TaeGraphs.encoderWithStages(weights);
        List<String> stages = graph.getOutputList().stream().map(o -> o.getName())
                .filter(n -> !n.equals(TaeGraphs.LATENT)).toList();
        return new SurrogateEncoder(name, graph, TaeGraphs.IMAGE, TaeGraphs.LATENT, stages);
    }

    /** Largest ONNX file accepted; exported VAE and CLIP vision encoders are a few hundred MB. */
    static final long MAX_ONNX_BYTES = 1L << 30;

    /**
     * A user's ONNX encoder: one image input [1,3,H,W] in [0,1] (H and W may be symbolic; they are bound to the
     * image's size when the loss graph is built) and its first output as the latent. ONNX files are data, never run
     * as code; they must use the default domain at the engine's opset, keep their weights inside the file and use
     * only ops the differentiator knows (it names any other when the protection starts).
     */
    public static SurrogateEncoder onnx(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_ONNX_BYTES) {
            throw new CheckpointException(file + ": " + size + " bytes is more than the " + MAX_ONNX_BYTES
                    + "-byte limit for an ONNX encoder");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new CheckpointException(file + ": not an ONNX model (" + e.getMessage() + ")", e);
        }
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            boolean standard = opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx");
            if (standard && opset.getVersion() != GraphBuilder.OPSET) {
                throw new CheckpointException(file + ": exported at opset " + opset.getVersion() + "; Scrim needs "
                        + "opset " + GraphBuilder.OPSET + " (torch.onnx.export(..., opset_version="
                        + GraphBuilder.OPSET + "))");
            }
        }
        GraphProto graph = model.getGraph();
        for (NodeProto n : graph.getNodeList()) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new CheckpointException(file + ": node '" + n.getName() + "' uses custom op " + n.getDomain()
                        + "." + n.getOpType() + ", which Scrim cannot differentiate");
            }
        }
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new CheckpointException(file + ": weight '" + t.getName() + "' is stored in an external file; "
                        + "export with the weights inside the .onnx file");
            }
        }
        List<String> initializers = graph.getInitializerList().stream().map(TensorProto::getName).toList();
        List<String> inputs = graph.getInputList().stream().map(v -> v.getName())
                .filter(n -> !initializers.contains(n)).toList();
        if (inputs.size() != 1 || graph.getOutputCount() == 0) {
            throw new CheckpointException(file + ": an encoder needs exactly one image input and an output, this "
                    + "graph has inputs " + inputs + " and " + graph.getOutputCount() + " outputs");
        }
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        return new SurrogateEncoder(name, graph, inputs.get(0), graph.getOutput(0).getName(), List.of());
    }
}
