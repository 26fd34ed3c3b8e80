package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.PlanarImage;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * A file in Adobe RGB is judged through its profile, as ssimulacra_main reads two PNGs that carry it: taken as
 * sRGB, this change read 5% lower than the tool (below the band sRGB files keep), so a protection could meet its
 * bound by Scrim's figure and break it by the tool's.
 */
class WideGamutVisibilityTest {
    private static final Path TOOL = Path.of("/usr/bin/ssimulacra_main");

    @Test
    void adobeRgbChangeReadsAsTheToolReadsIt(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(TOOL),
                "ssimulacra_main is needed and not installed: apt-get install libjxl-devtools");
        PlanarImage original = ImageFiles.read(SharedData.path("images/rocket.jpg"));
        assertTrue(original.iccProfile() != null && !original.colours().isSrgb(), "rocket.jpg carries Adobe RGB");
        float[] changed = original.colour().data().clone();
        Random random = new Random(3);
        for (int i = 0; i < changed.length; i++) {
            int level = Math.round(changed[i] * 255) + random.nextInt(7) - 3;
            changed[i] = Math.max(0, Math.min(255, level)) / 255f;
        }
        PlanarImage changedImage = original.withColour(new Tensor(changed, original.colour().shape()));
        Path originalPng = dir.resolve("original.png");
        Path changedPng = dir.resolve("changed.png");
        ImageFiles.write(original, originalPng);
        ImageFiles.write(changedImage, changedPng);

        double scrim = new Ssimulacra(original.rgbView()).score(new RgbImage(changed, original.width(),
                original.height()));
        Process p = new ProcessBuilder(TOOL.toString(), originalPng.toString(), changedPng.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "ssimulacra_main failed: " + out);
        String[] lines = out.split("\\R");
        double tool = Double.parseDouble(lines[lines.length - 1].trim());
        double ratio = scrim / tool;
        // the same band VisibilityCalibrationTest holds sRGB images to
        assertTrue(ratio > 0.97 && ratio < 1.25, "Scrim reads " + scrim + ", ssimulacra_main " + tool);
    }
}
