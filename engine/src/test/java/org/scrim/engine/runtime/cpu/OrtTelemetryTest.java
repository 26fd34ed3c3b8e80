package org.scrim.engine.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * ONNX Runtime stores and sends nothing about an artist's runs: a JVM that opens and runs a session, started with a
 * fresh home folder and without the opt-out variable, leaves no telemetry database, device id or debug log.
 */
class OrtTelemetryTest {
    @Test
    void aSessionLeavesNoTelemetryBehind(@TempDir Path home) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RunOneSession.class.getName()).redirectErrorStream(true);
        child.environment().remove(OrtEnvironments.OPT_OUT);
        child.environment().put("HOME", home.toString());
        child.environment().put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish: " + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("ran 4.0"), output);
        assertEquals(List.of(), filesUnder(home), "ONNX Runtime wrote under the fresh home folder");
        assertFalse(Files.exists(Path.of(System.getProperty("java.io.tmpdir"), "mat-debug-" + process.pid() + ".log")),
                "ONNX Runtime's telemetry SDK left its debug log in the temporary folder");
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** The child: one session through the engine's runtime, as any front door opens it. */
    public static final class RunOneSession {
        public static void main(String[] args) {
            GraphBuilder g = new GraphBuilder("double");
            String x = g.input("x", 1, 1, 1, 1);
            g.output(g.op("Add", x, x), "y");
            try (OrtModel model = new OrtModel(g.build(), 1)) {
                float y = model.run(Map.of("x", new Tensor(new float[] {2f}, 1, 1, 1, 1))).get("y").data()[0];
                System.out.println("ran " + y);
            }
        }
    }
}
