package org.scrim.engine.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.scrim.engine.modelio.CheckpointException;

/**
 * The property every reader of untrusted files keeps, whatever the bytes: it returns, or fails with a documented,
 * explained exception (CheckpointException, an IOException, an IllegalArgumentException with a message). Anything
 * else (NullPointerException, IndexOutOfBounds, NegativeArraySize, OutOfMemoryError, StackOverflowError, ...)
 * propagates and is a finding for Jazzer.
 *
 * <p>A normal {@code mvn test} replays each fuzz test's seeds and past findings from
 * {@code src/test/resources/org/scrim/engine/fuzz/<Class>Inputs/<method>/}. To fuzz one test (60 s each):
 * {@code JAZZER_FUZZ=1 mvn -o -pl engine test -Dtest='CheckpointFuzzTest#checkpointFile'}; adding
 * {@code JAZZER_INSTRUMENTATION_INCLUDES='org.scrim.**:com.google.gson.**'} (or {@code com.google.protobuf.**} for
 * ONNX) also guides the fuzzer through the parsing library. A crash is written into the inputs folder: fix it and
 * keep the file, under a name that says what it is, as a regression seed.
 */
final class FuzzContract {
    interface Parse {
        void run() throws IOException;
    }

    private FuzzContract() {}

    static void onlyDocumentedFailures(Parse parse) throws IOException {
        try {
            parse.run();
        } catch (CheckpointException | IOException e) {
            requireMessage(e);
        } catch (IllegalArgumentException e) {
            requireMessage(e);
        }
    }

    /**
     * As {@link #onlyDocumentedFailures}, and a documented exception must not wrap a runtime exception thrown by
     * Scrim's own code: readers that turn a library's runtime errors into an IOException would otherwise hide
     * their own bugs the same way.
     */
    static void onlyDocumentedFailuresNotHidingOwnBugs(Parse parse) throws IOException {
        try {
            parse.run();
        } catch (CheckpointException | IOException e) {
            requireMessage(e);
            if (e.getCause() instanceof RuntimeException cause && !(cause instanceof CheckpointException)
                    && cause.getStackTrace().length > 0
                    && cause.getStackTrace()[0].getClassName().startsWith("org.scrim.")) {
                throw cause;
            }
        } catch (IllegalArgumentException e) {
            requireMessage(e);
        }
    }

    private static void requireMessage(Exception e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("failure without a message, the user would not know what is wrong", e);
        }
    }

    /** A scratch folder for one fuzz test class; fuzz inputs that are files are rewritten there. */
    static Path scratch(String name) {
        try {
            return Files.createTempDirectory("scrim-fuzz-" + name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a scratch folder for fuzzing", e);
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
