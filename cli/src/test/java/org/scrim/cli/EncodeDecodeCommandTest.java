package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.modelio.Npy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Quality;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/** {@code scrim encode} writes the golden latent of a golden crop; {@code scrim decode} renders it back. */
class EncodeDecodeCommandTest {
    @TempDir
    Path dir;

    @Test
    void encodeThenDecodeTheGoldenCrop() throws Exception {
        Path crop = SharedData.path("golden/chelsea_136x96.png");
        Path latent = dir.resolve("z.npy");
        Object[] r = ProtectCommandTest.scrim("encode", crop.toString(), "-o", latent.toString());
        assertEquals(0, r[0], (String) r[1]);
        Tensor z = Npy.read(latent);
        Tensor expected = Npy.read(SharedData.path("golden/chelsea_136x96.latent.npy"));
        assertArrayEquals(expected.shape(), z.shape());
        assertTrue(expected.maxAbsDiff(z) <= 1e-4f * expected.maxAbs(), "latent matches the reference");

        Path png = dir.resolve("decoded.png");
        r = ProtectCommandTest.scrim("decode", latent.toString(), "-o", png.toString());
        assertEquals(0, r[0], (String) r[1]);
        RgbImage decoded = ImageTensors.fromImage(javax.imageio.ImageIO.read(png.toFile()));
        RgbImage original = ImageTensors.fromImage(javax.imageio.ImageIO.read(crop.toFile()));
        assertTrue(Quality.psnr(original, decoded) > 20, "the decoder reconstructs the crop");
    }
}
