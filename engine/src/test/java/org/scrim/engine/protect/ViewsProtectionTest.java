package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * A perturbation computed at the trainer's view holds there; one computed at a smaller working size and upsampled
 * (what the default did before: 512 px for a 1024 px painting) reads weak at the image's own size, though strong at
 * the size it was computed at. Small copies and few steps, for speed: 192 px and 96 px stand for 1024 and 512.
 */
class ViewsProtectionTest {
    private static final int SIZE = 192;
    private static final int STEPS = 6;

    @Test
    void aPerturbationAtTheTrainersViewHoldsThereAndAnUpsampledOneDoesNot() throws IOException {
        List<SurrogateEncoder> encoders = List.of(SurrogateEncoder.tae("taef2",
                StateDict.read(SharedData.path("models/taef2_encoder.pth"))));
        OrtRuntime runtime = new OrtRuntime(2);
        Protector protector = new Protector(encoders, runtime);
        RgbImage image = Transforms.downscale(ImageFiles.read(SharedData.path("images/astronaut.png")).toRgb(), SIZE);
        ProtectionTarget target = ProtectionTarget.mask(Decoy.PATTERN, 1);

        Protector.Protection atViews = protector.protect(image, request(SIZE), ProgressListener.NONE);
        // the former default: computed on a half-size copy, the change upsampled onto the image and scaled to the
        // same visibility bound
        RgbImage half = Transforms.downscale(image, SIZE / 2);
        Protector.Protection small = protector.protect(half, request(SIZE / 2), ProgressListener.NONE);
        RgbImage upsampled = Finishing.finish(image, difference(small.image(), half), Preset.DEFAULT.epsilon,
                Preset.DEFAULT.maxVisibility);

        Verifier verifier = new Verifier(encoders, runtime, SIZE);
        double withViews = verifier.verify(image, ImageTensors.quantize8(atViews.image()), target, true)
                .primaryCloseness();
        double withoutViews = verifier.verify(image, ImageTensors.quantize8(upsampled), target, true)
                .primaryCloseness();
        double atItsOwnSize = new Verifier(encoders, runtime, SIZE / 2)
                .verify(half, ImageTensors.quantize8(small.image()), target, true).primaryCloseness();
        assertTrue(withoutViews < atItsOwnSize - 0.1, "the upsampled change reads weak at the image's own size ("
                + withoutViews + ") and strong where it was computed (" + atItsOwnSize + ")");
        assertTrue(withViews >= withoutViews + 0.1, "computed at the trainer's view: " + withViews
                + " against " + withoutViews + " upsampled");
    }

    private static ProtectRequest request(int workSize) {
        return new ProtectRequest(Mode.MASK, Preset.DEFAULT, null, Decoy.PATTERN, null, List.of(), 1, workSize, STEPS);
    }

    private static Tensor difference(RgbImage protectedImage, RgbImage original) {
        float[] p = protectedImage.data();
        float[] o = original.data();
        float[] d = new float[p.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = p[i] - o[i];
        }
        return new Tensor(d, original.tensor().shape());
    }
}
