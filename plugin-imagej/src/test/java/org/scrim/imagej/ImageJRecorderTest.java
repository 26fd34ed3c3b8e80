package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.ProtectionTarget;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.testing.SharedData;
import org.scrim.engine.runtime.cpu.OrtRuntime;

/**
 * The Macro Recorder records Mask Style... as a user runs it from the menu and dialog in the real ImageJ, with every
 * option the dialog set, and the recorded line replays to the same bytes.
 */
class ImageJRecorderTest {
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void recordedMacroReplaysToTheSameBytes(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path input = tmp.resolve("chelsea96.png");
        BufferedImage small = RealImageJ.writeChelsea(input, 96);

        String log = ij.drive(RecorderSession.class, input.toString(), tmp.toString());

        String recorded = Files.readString(tmp.resolve("recorded.ijm"));
        System.out.println("Recorded: " + recorded.strip());
        for (String expected : List.of("run(\"Mask Style...\", \"", "strength=0.14", "effort=default", "decoy=pattern",
                "more_options", "seed=7", "steps=3", "work=" + ProtectRequest.DEFAULT_WORK_SIZE,
                "models=taef2+taesana")) {
            assertTrue(recorded.contains(expected), "the recorded macro lacks " + expected + ": " + recorded
                    + "\nImageJ printed: " + log);
        }
        byte[] interactive = Files.readAllBytes(tmp.resolve("interactive.png"));
        assertArrayEquals(interactive, Files.readAllBytes(tmp.resolve("replayed.png")),
                "replaying the recorded macro gave other bytes than the dialog run");
        Verifier verifier = new Verifier(List.of(ModelStore.standard(SharedData.path("models")).surrogate("taef2")),
                new OrtRuntime(1), 512);
        double closeness = verifier.verify(ImageTensors.fromImage(small),
                ImageTensors.fromImage(ImageIO.read(tmp.resolve("interactive.png").toFile())),
                ProtectionTarget.mask(Decoy.PATTERN, 7), true).primaryCloseness();
        assertTrue(closeness > 0.05, "the dialog run barely moved the latent: closeness " + closeness);
    }
}
