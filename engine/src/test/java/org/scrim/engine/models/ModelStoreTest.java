package org.scrim.engine.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.models.ModelStore.KnownFile;
import org.scrim.engine.testing.SharedData;

class ModelStoreTest {
    @TempDir
    Path dir;

    @Test
    void findsTheSharedWeightsAndChecksTheirHash() throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), dir.resolve("cache"), false);
        Path p = store.resolve(ModelStore.TAEF2.encoder());
        assertEquals("taef2_encoder.pth", p.getFileName().toString());
    }

    /**
     * A known name means the pinned model even with a file of that name in the current folder (a substituted file,
     * zeroed weights, would be attacked in its place); a file is taken only where the name looks like a path.
     */
    @Test
    void aKnownNameIsAlwaysThePinnedModelAndAFileMustLookLikeAPath() throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), dir.resolve("cache"), false);
        Path stray = Path.of(ModelStore.DEFAULT_MODEL).toAbsolutePath();
        assertTrue(!Files.exists(stray), stray + " is in the way of this test");
        try {
            Files.writeString(stray, "not the weights");
            Path pinned = store.encoderFile(ModelStore.DEFAULT_MODEL);
            assertEquals(ModelStore.TAEF2.encoder().sha256(), ModelStore.sha256(pinned));
            assertTrue(!store.encoderWeights(ModelStore.DEFAULT_MODEL).keys().isEmpty(), "the pinned weights are read");
            assertEquals(Path.of("./" + ModelStore.DEFAULT_MODEL), store.encoderFile("./" + ModelStore.DEFAULT_MODEL),
                    "a path to the file is taken as the file");
        } finally {
            Files.deleteIfExists(stray);
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> store.encoderFile("taefx"));
        assertTrue(unknown.getMessage().contains("unknown model 'taefx'"), unknown.getMessage());
        Path user = Files.writeString(dir.resolve("mine.pth"), "weights");
        assertEquals(user, store.encoderFile(user.toString()));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> store.encoderFile("absent.pth"));
    }

    @Test
    void refusesAFileWithTheWrongHash() throws IOException {
        Files.writeString(dir.resolve("taef2_encoder.pth"), "not the weights");
        ModelStore store = new ModelStore(List.of(dir), dir.resolve("cache"), false);
        IOException e = assertThrows(IOException.class, () -> store.resolve(ModelStore.TAEF2.encoder()));
        assertTrue(e.getMessage().contains("corrupt or not the published one"), e.getMessage());
    }

    @Test
    void downloadWithAWrongHashIsRefusedAndLeavesNoPartialFile() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/m.pth", ex -> {
            byte[] body = "tampered".getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            Path cache = dir.resolve("cache");
            KnownFile f = new KnownFile("m.pth", ModelStore.TAEF2.encoder().sha256(),
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/m.pth");
            ModelStore store = new ModelStore(List.of(cache), cache, true);
            IOException e = assertThrows(IOException.class, () -> store.resolve(f));
            assertTrue(e.getMessage().contains("has sha256"), e.getMessage());
            try (var files = Files.list(cache)) {
                assertEquals(0, files.count(), "partial download must be deleted");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offlineDownloadSaysWhereToPutTheFile() {
        Path cache = dir.resolve("cache");
        KnownFile f = new KnownFile("m.pth", "00", "http://127.0.0.1:9/m.pth");
        ModelStore store = new ModelStore(List.of(cache), cache, true);
        IOException e = assertThrows(IOException.class, () -> store.resolve(f));
        assertTrue(e.getMessage().contains("could not download m.pth") && e.getMessage().contains("SCRIM_MODELS"),
                e.getMessage());
    }
}
