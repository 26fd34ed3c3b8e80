package org.scrim.engine.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.runtime.cpu.OrtRuntime;

/** The TAEF2 encoder and decoder on ONNX Runtime reproduce the upstream PyTorch outputs. */
class TaeGoldenTest {
    private static TaeCodec codec;

    @BeforeAll
    static void load() throws IOException {
        codec = new TaeCodec(StateDict.read(GoldenTestCases.model("taef2_encoder.pth")),
                StateDict.read(GoldenTestCases.model("taef2_decoder.pth")), new OrtRuntime(2));
    }

    @AfterAll
    static void close() {
        codec.close();
    }

    static List<String> cases() throws IOException {
        return GoldenTestCases.names();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void encoderMatchesReference(String name) throws IOException {
        Tensor latent = codec.encode(GoldenTestCases.array(name, "input"));
        GoldenTestCases.assertClose(GoldenTestCases.array(name, "latent"), latent, name + " latent");
        assertEquals(32, latent.dim(1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decoderMatchesReference(String name) throws IOException {
        Tensor decoded = codec.decode(GoldenTestCases.array(name, "latent"));
        GoldenTestCases.assertClose(GoldenTestCases.array(name, "decoded"), decoded, name + " decoded");
    }

    @Test
    void theDecoderBeforeItsLastStageGivesWhatTheLastUpsamplingTakes() throws IOException {
        StateDict weights = StateDict.read(GoldenTestCases.model("taef2_decoder.pth"));
        GraphProto full = TaeGraphs.decoder(weights);
        NodeProto lastUpsampling = full.getNodeList().stream().filter(n -> n.getOpType().equals("Resize"))
                .reduce((a, b) -> b).orElseThrow();
        GraphBuilder withFeatures = new GraphBuilder(full);
        withFeatures.output(lastUpsampling.getInput(0), "features");
        Tensor latent = GoldenTestCases.array(GoldenTestCases.names().get(0), "latent");
        OrtRuntime runtime = new OrtRuntime(2);
        try (GraphSession whole = runtime.open(GraphBuilder.model(withFeatures.graph()));
                GraphSession cut = runtime.open(GraphBuilder.model(TaeGraphs.decoderBeforeLastStage(weights)))) {
            Tensor expected = whole.run(Map.of(TaeGraphs.LATENT, latent)).get("features");
            Tensor features = cut.run(Map.of(TaeGraphs.LATENT, latent)).get(TaeGraphs.IMAGE);
            assertArrayEquals(new long[] {1, 64, latent.dim(2) * 4, latent.dim(3) * 4}, features.shape());
            assertArrayEquals(expected.data(), features.data(), 1e-5f);
        }
    }
}
