package org.scrim.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.scrim.engine.imageio.ImageFiles;

/**
 * Damaged or crafted PNG, JPEG and TIFF files. ImageFiles turns the JDK decoders' runtime errors into an
 * IOException naming the file, so this also checks that no such error comes from Scrim's own code.
 */
class ImageFilesFuzzTest {
    private static final Path DIR = FuzzContract.scratch("image");
    /** Small enough that a crafted header cannot make a valid-looking image exhaust the fuzzer's memory. */
    private static final long MAX_PIXELS = 4_000_000L;

    @AfterAll
    static void cleanUp() throws IOException {
        FuzzContract.delete(DIR);
    }

    @FuzzTest(maxDuration = "30s")
    void imageFile(byte[] content) throws IOException {
        Path file = Files.write(DIR.resolve("image"), content);
        FuzzContract.onlyDocumentedFailuresNotHidingOwnBugs(() -> ImageFiles.read(file, MAX_PIXELS));
    }
}
