package org.scrim.engine.usecase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.UnsupportedImageException;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.Ensemble;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.NotEnoughMemoryException;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.CraftedPng;
import org.scrim.engine.testing.SharedData;

/** The file use case: what each front end gets from it, on a small copy of a shared image for speed. */
class FileProtectorTest {
    private static final int SIZE = 96;
    private static FileProtector protector;
    private static Path dir;

    @BeforeAll
    static void load(@TempDir Path temp) throws IOException {
        dir = temp;
        protector = new FileProtector(new Ensemble(List.of(new Ensemble.Member("taef2", "ab", SurrogateEncoder.tae(
                "taef2", StateDict.read(SharedData.path("models/taef2_encoder.pth")))))), new OrtRuntime(2));
        RgbImage small = Transforms.downscale(ImageFiles.read(SharedData.path("images/chelsea.png")).toRgb(), SIZE);
        ImageIO.write(ImageTensors.toImage(small), "png", dir.resolve("small.png").toFile());
    }

    private static ProtectRequest request() {
        return ProtectRequest.builder(Mode.MASK, Strength.of(Preset.HIGH, null, null, 3)).decoy(Decoy.PATTERN).seed(4)
                .workSize(SIZE).build();
    }

    @Test
    void writesTheTaggedFileWithItsProvenanceAndVerifiesIt() throws IOException {
        Path out = dir.resolve("small.protected.png");
        List<String> phases = new ArrayList<>();
        FileProtector.Outcome done = protector.protect(dir.resolve("small.png"), out, request(),
                FileProtector.Tagging.prohibitAiTraining(), true, new ProgressListener() {
                    @Override
                    public void phase(String name) {
                        phases.add(name);
                    }
                });
        assertEquals("pattern", done.decoy());
        assertNotNull(done.report(), "verification was asked");
        assertTrue(done.report().primaryCloseness() > 0.05, "the written file moved the latent: " + done.report());
        assertTrue(phases.contains("verifying"), phases.toString());
        Provenance provenance = MetadataReader.read(out).provenance();
        assertEquals(new Provenance("mask", "high", "taef2 sha256:ab", Provenance.scrimVersion(), "pattern", 4L),
                provenance);
    }

    @Test
    void untaggedAndUnverifiedWhenNotAsked() throws IOException {
        Path out = dir.resolve("plain.png");
        FileProtector.Outcome done = protector.protect(dir.resolve("small.png"), out, request(), null, false,
                ProgressListener.NONE);
        assertNull(done.report());
        assertNull(MetadataReader.read(out).provenance());
    }

    /** A format Scrim cannot write is refused before minutes of work, with the output named. */
    @Test
    void refusesAnUnwritableOutputBeforeTheWork() {
        Path out = dir.resolve("small.webp");
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> protector.protect(
                dir.resolve("small.png"), out, request(), null, false, new ProgressListener() {
                    @Override
                    public void step(int done, int total) {
                        throw new AssertionError("protection started");
                    }
                }));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        assertFalse(Files.exists(out));
    }

    /**
     * What a protection needs is known from the header: a 570 KB-class PNG claiming 14000x14000 pixels is refused
     * for memory before it is decoded (its data is cut short, so decoding it first would fail otherwise).
     */
    @Test
    void anImageTooLargeToProtectIsRefusedBeforeDecoding() throws IOException {
        assertTrue(java.lang.Runtime.getRuntime().maxMemory() < 9L << 30, "this test needs a heap under 9 GiB");
        Path huge = Files.write(dir.resolve("huge.png"), CraftedPng.claiming(14000, 14000));
        NotEnoughMemoryException e = assertThrows(NotEnoughMemoryException.class, () -> protector.protect(huge,
                dir.resolve("huge.protected.png"), request(), null, false, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("14000x14000 pixels need about"), e.getMessage());
    }
}
