package org.scrim.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.scrim.engine.modelio.StateDict;

/** Model files from the internet, read through StateDict.read: torch zip checkpoints and safetensors. */
class CheckpointFuzzTest {
    private static final Path DIR = FuzzContract.scratch("checkpoint");
    /** Storages every fuzzed zip holds, so fuzzed pickles reach the bounds checks of strided views. */
    private static final byte[] HALF_STORAGE = ramp(32);
    private static final byte[] FLOAT_STORAGE = ramp(32);

    @AfterAll
    static void cleanUp() throws IOException {
        FuzzContract.delete(DIR);
    }

    /** Any bytes as a model file: covers the format sniffing, the zip container and the safetensors header. */
    @FuzzTest(maxDuration = "30s")
    void checkpointFile(byte[] content) throws IOException {
        Path file = Files.write(DIR.resolve("model.bin"), content);
        FuzzContract.onlyDocumentedFailures(() -> StateDict.read(file));
    }

    /** The fuzz input is the data.pkl of a well-formed torch.save zip with two small storages. */
    @FuzzTest(maxDuration = "30s")
    void torchZipCheckpoint(byte[] pickle) throws IOException {
        Path file = DIR.resolve("model.pth");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, "archive/data.pkl", pickle);
            entry(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            entry(zip, "archive/data/0", HALF_STORAGE);
            entry(zip, "archive/data/1", FLOAT_STORAGE);
        }
        FuzzContract.onlyDocumentedFailures(() -> StateDict.read(file));
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] ramp(int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bytes; i++) {
            b.put((byte) (i * 37));
        }
        return b.array();
    }
}
