package org.scrim.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.testing.CraftedPng;

/**
 * Tagging files from the internet: a damaged or crafted PNG (its chunks, compressed text, XMP) and any XMP packet
 * are read and tagged, or refused with an IOException naming the file; a tagged file reads back.
 */
class MetadataFuzzTest {
    private static final Path DIR = FuzzContract.scratch("metadata");
    private static final NoAiTags TAGS = new NoAiTags(DataMining.PROHIBITED_AI_ML_TRAINING, "no training",
            List.of("Ann Artist"), "(c) Ann", null, Provenance.metadataOnly());
    private static final byte[] PLAIN_PNG;

    static {
        try {
            PLAIN_PNG = CraftedPng.plain();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @AfterAll
    static void cleanUp() throws IOException {
        FuzzContract.delete(DIR);
    }

    @FuzzTest(maxDuration = "30s")
    void pngMetadata(byte[] content) throws IOException {
        readAndTag(Files.write(DIR.resolve("in.png"), content));
    }

    /** The packet as a PNG's uncompressed XMP chunk, the plainest way for a packet to reach the XMP parser. */
    @FuzzTest(maxDuration = "30s")
    void xmpPacket(byte[] packet) throws IOException {
        byte[] chunk = CraftedPng.ascii("XML:com.adobe.xmp\0\0\0\0\0");
        byte[] data = new byte[chunk.length + packet.length];
        System.arraycopy(chunk, 0, data, 0, chunk.length);
        System.arraycopy(packet, 0, data, chunk.length, packet.length);
        readAndTag(Files.write(DIR.resolve("xmp.png"), CraftedPng.withChunk(PLAIN_PNG, "iTXt", data)));
    }

    private static void readAndTag(Path in) throws IOException {
        Path out = DIR.resolve("out.png");
        FuzzContract.onlyDocumentedFailures(() -> {
            MetadataReader.read(in);
            MetadataWriter.tag(in, out, TAGS);
            if (!MetadataReader.read(out).prohibitsAiTraining()) {
                throw new AssertionError("a tagged file does not read back as tagged: " + new String(
                        Files.readAllBytes(out), StandardCharsets.ISO_8859_1));
            }
        });
        Files.deleteIfExists(out);
    }
}
