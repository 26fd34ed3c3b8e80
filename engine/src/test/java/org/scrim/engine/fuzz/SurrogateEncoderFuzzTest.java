package org.scrim.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.scrim.engine.models.SurrogateEncoder;

/** A user's .onnx encoder is untrusted input: loading it only ever fails with an explained error. */
class SurrogateEncoderFuzzTest {
    private static final Path DIR = FuzzContract.scratch("onnx");

    @AfterAll
    static void cleanUp() throws IOException {
        FuzzContract.delete(DIR);
    }

    @FuzzTest(maxDuration = "30s")
    void onnxFile(byte[] content) throws IOException {
        Path file = Files.write(DIR.resolve("encoder.onnx"), content);
        FuzzContract.onlyDocumentedFailures(() -> SurrogateEncoder.onnx(file));
    }
}
