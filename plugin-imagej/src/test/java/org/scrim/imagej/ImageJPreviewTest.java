package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
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
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.testing.SharedData;

/**
 * The dialog's Preview in the real ImageJ under Xvfb ({@link PreviewSession}): it protects the centre crop of a
 * larger image (the latent moves toward the decoy), follows the strength slider, and Cancel gives back the image
 * byte for byte with no protected window and nothing in the Macro Recorder.
 */
class ImageJPreviewTest {
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void previewFollowsTheStrengthAndCancelRestoresTheImage(@TempDir Path tmp) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        Path input = tmp.resolve("chelsea320.png");
        BufferedImage image = RealImageJ.writeChelsea(input, 320);

        String log = ij.drive(PreviewSession.class, input.toString(), tmp.toString());
        assertTrue(log.contains("protected windows: 0"), "ImageJ printed: " + log);
        assertTrue(log.contains("recorded after cancel: []"), "a cancelled command left a line in the Recorder: "
                + log);

        Rectangle crop = Protect_Image.previewArea(new Rectangle(image.getWidth(), image.getHeight()),
                ProtectRequest.DEFAULT_WORK_SIZE);
        BufferedImage weak = ImageIO.read(tmp.resolve("preview-0.05.png").toFile());
        BufferedImage strong = ImageIO.read(tmp.resolve("preview-0.14.png").toFile());
        assertEquals(0, change(image, weak, outside(crop, image)), "the preview changed pixels outside its crop");
        double weakChange = change(image, weak, crop);
        double strongChange = change(image, strong, crop);
        System.out.println("ImageJ preview: mean change " + weakChange + " at strength 0.05, " + strongChange
                + " at 0.14");
        assertTrue(strongChange > 1.3 * weakChange, "the preview did not follow the strength: " + weakChange
                + " then " + strongChange);

        Verifier verifier = new Verifier(List.of(ModelStore.standard(SharedData.path("models")).surrogate("taef2")),
                new OrtRuntime(1), 256);
        double closeness = verifier.verify(ImageTensors.fromImage(sub(image, crop)),
                ImageTensors.fromImage(sub(strong, crop)), ProtectionTarget.mask(Decoy.PATTERN, 1), true)
                .primaryCloseness();
        System.out.println("ImageJ preview at 0.14: closeness " + closeness);
        assertTrue(closeness > 0.02, "the preview barely moved the latent toward the decoy: " + closeness);

        BufferedImage cancelled = ImageIO.read(tmp.resolve("cancelled.png").toFile());
        assertArrayEquals(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()),
                cancelled.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()),
                "Cancel did not give back the image as it was");
    }

    /** The part of the image left of and right of (or above and below) the crop, as one rectangle per side. */
    private static List<Rectangle> outside(Rectangle crop, BufferedImage image) {
        return List.of(new Rectangle(0, 0, crop.x, image.getHeight()),
                new Rectangle(crop.x + crop.width, 0, image.getWidth() - crop.x - crop.width, image.getHeight()),
                new Rectangle(0, 0, image.getWidth(), crop.y),
                new Rectangle(0, crop.y + crop.height, image.getWidth(), image.getHeight() - crop.y - crop.height));
    }

    private static double change(BufferedImage a, BufferedImage b, List<Rectangle> areas) {
        double sum = 0;
        for (Rectangle r : areas) {
            sum += change(a, b, r) * r.width * r.height;
        }
        return sum;
    }

    /** Mean absolute change per channel level over {@code r}. */
    private static double change(BufferedImage a, BufferedImage b, Rectangle r) {
        if (r.isEmpty()) {
            return 0;
        }
        long sum = 0;
        for (int y = r.y; y < r.y + r.height; y++) {
            for (int x = r.x; x < r.x + r.width; x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
                }
            }
        }
        return sum / (3.0 * r.width * r.height);
    }

    private static BufferedImage sub(BufferedImage image, Rectangle r) {
        return image.getSubimage(r.x, r.y, r.width, r.height);
    }
}
