package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.scrim.engine.tensor.RgbImage;

/**
 * Checks {@link Butteraugli} against libjxl's {@code butteraugli_main} (Debian libjxl-devtools): 8-bit PNG crops of
 * the shared images under noise, blur, JPEG, colour-only noise and changes shaped as a protection's (within the
 * per-pixel budget, toward a decoy) are scored by both; the max distance and the 3-norm must agree within 5%. Fails
 * naming the package where the tool is not installed.
 */
class ButteraugliTest {
    private static final Path TOOL = Path.of("/usr/bin/butteraugli_main");
    private static final Path DIR = Path.of("target", "butteraugli");
    /** Crop side: small enough to keep the test fast, large enough for the half scale and the widest blur. */
    private static final int CROP = 160;

    record Case(String name, double toolMax, double toolNorm, double max, double norm) {}

    @Test
    void agreesWithButteraugliMain() throws Exception {
        assertTrue(Files.isExecutable(TOOL),
                "butteraugli_main is needed and not installed: apt-get install libjxl-devtools");
        Files.createDirectories(DIR);
        List<Case> cases = new ArrayList<>();
        for (String image : new String[] {"astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg",
            "starry_night.jpg", "the_scream.jpg", "shipwreck.jpg"}) {
            RgbImage orig = crop(TestImages.load(image), CROP, CROP + 24);
            String stem = image.replaceAll("\\..*", "");
            Path origPng = write(orig, stem + "_orig");
            Butteraugli ours = new Butteraugli(orig);
            float[] signs = TestImages.signs(orig.data().length, 5);
            List<Object[]> changes = new ArrayList<>();
            for (int k : new int[] {1, 3, 8}) {
                changes.add(new Object[] {"sign " + k + "/255", TestImages.perturb(orig, signs, k / 255f)});
            }
            changes.add(new Object[] {"gaussian noise 0.02", Transforms.gaussianNoise(orig, 0.02, 3)});
            changes.add(new Object[] {"blur 0.8", Transforms.blur(orig, 0.8)});
            changes.add(new Object[] {"blur 2", Transforms.blur(orig, 2)});
            changes.add(new Object[] {"jpeg 90", Transforms.jpegRoundTrip(orig, 90)});
            changes.add(new Object[] {"jpeg 40", Transforms.jpegRoundTrip(orig, 40)});
            changes.add(new Object[] {"chroma-only sign 6/255", TestImages.perturb(orig, TestImages.chromaOnly(signs), 6 / 255f)});
            float[] bound = PerceptualBudget.bound(orig, 12 / 255f).data();
            float[] masked = new float[signs.length];
            for (int i = 0; i < masked.length; i++) {
                masked[i] = signs[i] * bound[i % bound.length];
            }
            changes.add(new Object[] {"budget-masked sign 12/255", TestImages.perturb(orig, masked, 1f)});
            changes.add(new Object[] {"toward pattern decoy 6/255", TestImages.perturb(orig, TestImages.towardPattern(orig),
                    6 / 255f)});
            for (Object[] c : changes) {
                RgbImage stored = ImageTensors.quantize8((RgbImage) c[1]);
                String name = stem + " " + c[0];
                double[] tool = tool(origPng, write(stored, name.replaceAll("[^A-Za-z0-9]+", "_")));
                Butteraugli.Score s = ours.score(stored);
                cases.add(new Case(name, tool[0], tool[1], s.max(), s.pnorm3()));
            }
        }
        System.out.printf("%-44s %9s %9s %7s   %9s %9s %7s%n", "case", "tool max", "max", "ratio", "tool 3n", "3-norm",
                "ratio");
        double worst = 0;
        for (Case c : cases) {
            System.out.printf("%-44s %9.4f %9.4f %7.4f   %9.4f %9.4f %7.4f%n", c.name(), c.toolMax(), c.max(),
                    c.max() / c.toolMax(), c.toolNorm(), c.norm(), c.norm() / c.toolNorm());
            worst = Math.max(worst, Math.max(Math.abs(c.max() / c.toolMax() - 1), Math.abs(c.norm() / c.toolNorm() - 1)));
        }
        System.out.printf("worst relative difference %.2f%% over %d cases%n", 100 * worst, cases.size());
        for (Case c : cases) {
            assertEquals(c.toolMax(), c.max(), 0.05 * c.toolMax(), "max distance strays from the tool: " + c.name());
            assertEquals(c.toolNorm(), c.norm(), 0.05 * c.toolNorm(), "3-norm strays from the tool: " + c.name());
        }
    }

    /** Tiles with margins give the whole image's figures (the margin covers every filter at both scales). */
    @Test
    void tilesGiveTheWholeImagesFigures() {
        RgbImage orig = crop(TestImages.load("chelsea.png"), 300, 236);
        RgbImage changed = ImageTensors.quantize8(TestImages.perturb(orig, TestImages.signs(orig.data().length, 9),
                4 / 255f));
        Butteraugli.Score whole = new Butteraugli(orig).score(changed);
        Butteraugli.Score tiled = new Butteraugli(orig, 64, Butteraugli.MARGIN).score(changed);
        assertEquals(whole.max(), tiled.max(), 1e-4 * whole.max());
        assertEquals(whole.pnorm3(), tiled.pnorm3(), 1e-4 * whole.pnorm3());
        // tiles without a margin change the figures beyond that tolerance: the check above can fail
        Butteraugli.Score cut = new Butteraugli(orig, 64, 0).score(changed);
        System.out.printf("whole %s, tiled %s, tiled without margins %s%n", whole, tiled, cut);
        assertTrue(Math.abs(cut.pnorm3() - whole.pnorm3()) > 1e-3 * whole.pnorm3(), "margins made no difference");
    }

    @Test
    void identicalImagesAreAtZeroAndMoreChangeReadsHigher() {
        RgbImage orig = crop(TestImages.load("coffee.png"), 96, 96);
        Butteraugli b = new Butteraugli(orig);
        assertEquals(0, b.score(orig).max(), 1e-6);
        float[] signs = TestImages.signs(orig.data().length, 2);
        double small = b.score(TestImages.perturb(orig, signs, 2 / 255f)).max();
        double large = b.score(TestImages.perturb(orig, signs, 6 / 255f)).max();
        assertTrue(small > 0 && large > small, small + " then " + large);
    }

    /** butteraugli_main's max distance and 3-norm for a pair of files. */
    private static double[] tool(Path a, Path b) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(TOOL.toString(), a.toString(), b.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "butteraugli_main failed: " + out);
        double max = Double.NaN;
        double norm = Double.NaN;
        for (String line : out.split("\\R")) {
            if (line.startsWith("3-norm:")) {
                norm = Double.parseDouble(line.substring("3-norm:".length()).trim());
            } else if (line.matches("[0-9.eE+-]+")) {
                max = Double.parseDouble(line);
            }
        }
        assertTrue(!Double.isNaN(max) && !Double.isNaN(norm), "unexpected butteraugli_main output: " + out);
        return new double[] {max, norm};
    }

    /** The central w x h of an image. */
    static RgbImage crop(RgbImage image, int w, int h) {
        int x0 = (image.width() - w) / 2;
        int y0 = (image.height() - h) / 2;
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(image.data(), c * image.pixels() + (y0 + y) * image.width() + x0, out,
                        c * w * h + y * w, w);
            }
        }
        return new RgbImage(out, w, h);
    }

    private static Path write(RgbImage t, String name) throws IOException {
        Path p = DIR.resolve(name + ".png");
        ImageIO.write(ImageTensors.toImage(t), "png", p.toFile());
        return p;
    }
}
