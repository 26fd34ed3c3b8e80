package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * The budget that holds the change's colour below its luma where the image is flat protects more than the same
 * budget on every channel, at the same butteraugli: on an image kept out of the shaping's tuning (shipwreck), small
 * and with few steps for speed.
 */
class BudgetShapeTest {
    private static final int SIZE = 128;
    private static List<SurrogateEncoder> encoders;
    private static RgbImage image;

    @BeforeAll
    static void load() throws IOException {
        encoders = List.of(SurrogateEncoder.tae("taef2", StateDict.read(SharedData.path("models/taef2_encoder.pth"))));
        image = Transforms.downscale(ImageFiles.read(SharedData.path("images/shipwreck.jpg")).toRgb(), SIZE)
                .withColours(RgbColours.SRGB);
    }

    @Test
    void lessColourWhereFlatMovesTheLatentFurtherAtTheSameButteraugli() {
        ProtectRequest request = new ProtectRequest(Mode.MASK, Preset.DEFAULT, null, Decoy.PATTERN, null, List.of(),
                1, SIZE, 8);
        double[] channels = closenessAndButteraugli(PerceptualBudget.Shape.CHANNELS, request);
        double[] shaped = closenessAndButteraugli(PerceptualBudget.Shape.EVENED, request);
        double bound = request.butteraugliBound();
        System.out.printf("closeness %.3f -> %.3f at butteraugli %.2f and %.2f (bound %.1f)%n", channels[0],
                shaped[0], channels[1], shaped[1], bound);
        for (double[] r : new double[][] {channels, shaped}) {
            assertTrue(r[1] <= bound * 1.02 && r[1] >= bound * 0.9, "both land on the bound: " + r[1]);
        }
        assertTrue(shaped[0] > channels[0] + 0.01, "the shaped budget protects more: " + shaped[0] + " against "
                + channels[0]);
    }

    private static double[] closenessAndButteraugli(PerceptualBudget.Shape shape, ProtectRequest request) {
        Protector.Protection p = new Protector(encoders, new OrtRuntime(2), shape).protect(image, request,
                ProgressListener.NONE);
        RgbImage stored = ImageTensors.quantize8(p.image());
        double closeness = new Verifier(encoders, new OrtRuntime(2), SIZE).verify(image, stored, p.target(), true)
                .primaryCloseness();
        return new double[] {closeness, new Butteraugli(image).score(stored).max()};
    }
}
