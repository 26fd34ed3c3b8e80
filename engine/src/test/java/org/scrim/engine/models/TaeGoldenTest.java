package org.scrim.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scrim.engine.modelio.StateDict;
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
}
