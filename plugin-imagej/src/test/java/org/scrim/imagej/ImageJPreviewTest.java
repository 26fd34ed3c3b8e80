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
        Path input = tmp.resolve("chelsea320.png");
        RealImageJ.writeChelsea(input, 320);
        previewAndCancel(tmp, input);
    }

    /**
     * A 16-bit colour TIFF opens as a composite of three channels: its preview protects the colour picture (its
     * channels each moved differently, the latent of the picture as shown moved toward the decoy), and Cancel gives
     * back all three channels.
     */
    @Test
    @Timeout(value = RealImageJ.RUN_SECONDS + 60, unit = TimeUnit.SECONDS)
    void aColourCompositePreviewsAsOneColourPictureAndCancelRestoresEveryChannel(@TempDir Path tmp)
            throws Exception {
        BufferedImage image = RealImageJ.writeChelsea(tmp.resolve("chelsea320.png"), 320);
        Path input = tmp.resolve("chelsea320.tif");
        ImageIO.write(RealImageJ.sixteenBitColour(image), "tiff", input.toFile());
        previewAndCancel(tmp, input);
        image = ImageIO.read(tmp.resolve("shown.png").toFile());
        BufferedImage strong = ImageIO.read(tmp.resolve("preview-0.14.png").toFile());
        long alike = 0;
        long changed = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int q = strong.getRGB(x, y);
                if (p != q) {
                    changed++;
                    int r = ((q >> 16) & 0xff) - ((p >> 16) & 0xff);
                    int g = ((q >> 8) & 0xff) - ((p >> 8) & 0xff);
                    int b = (q & 0xff) - (p & 0xff);
                    alike += r == g && g == b ? 1 : 0;
                }
            }
        }
        assertTrue(alike < changed / 2, alike + " of " + changed + " changed pixels moved alike on every channel: "
                + "previewed as grey slices rather than as one colour picture");
    }

    /** Drives {@link PreviewSession} on {@code input} and checks what it saved against the picture as shown. */
    private static void previewAndCancel(Path tmp, Path input) throws Exception {
        RealImageJ ij = RealImageJ.install(tmp.resolve("ImageJ"));
        String log = ij.drive(PreviewSession.class, input.toString(), tmp.toString());
        BufferedImage image = ImageIO.read(tmp.resolve("shown.png").toFile());
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
