package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/**
 * The verifier's per-encoder, per-view and AI-view figures are what a direct computation with the codecs gives.
 */
class VerifierTest {
    private static final int SIZE = 96;

    @TempDir
    Path cache;

    @Test
    void perEncoderAndAiViewClosenessMatchADirectComputation() throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), cache, false);
        ComputeRuntime runtime = new OrtRuntime(2);
        RgbImage original = Transforms.downscale(ImageFiles.read(SharedData.path("images/chelsea.png")).toRgb(),
                SIZE);
        ProtectionTarget target = ProtectionTarget.mask(Decoy.MOSAIC, 3);
        RgbImage decoy = target.maskImage(original);
        // a stand-in for a protection: a fifth of the way to the decoy, so every figure is well above 0
        RgbImage moved = blend(original, decoy, 0.2f);
        List<SurrogateEncoder> encoders = new ArrayList<>();
        for (String name : ModelStore.DEFAULT_ENCODERS) {
            encoders.add(store.surrogate(name));
        }
        StateDict f2Encoder = store.encoderWeights("taef2");
        StateDict f2Decoder = store.decoderWeights("taef2");
        Verifier.Report r = new Verifier(encoders, runtime, SIZE, new Verifier.AiViewModel(f2Encoder, f2Decoder))
                .verify(original, moved, target, true);

        // the own-size view: the bucket of multiples of 64 (96x64 trimmed to 64x64), the decoy viewed alike
        TrainerViews.View own = TrainerViews.bucket(original.width(), original.height(), SIZE);
        UnaryOperator<RgbImage> plainView = own::apply;
        UnaryOperator<RgbImage> mirrored = own.mirror()::apply;
        UnaryOperator<RgbImage> half = t -> {
            RgbImage v = own.apply(t);
            return Transforms.downscale(v, Math.max(v.width(), v.height()) / 2);
        };
        double sum = 0;
        for (String name : ModelStore.DEFAULT_ENCODERS) {
            try (TaeCodec codec = new TaeCodec(store.encoderWeights(name), null, runtime)) {
                double plain = direct(codec::encode, plainView, original, moved, decoy);
                assertEquals(plain, r.byEncoder().get(name).get(Verifier.PLAIN), 1e-6, name);
                assertEquals(direct(codec::encode, mirrored, original, moved, decoy),
                        r.byEncoder().get(name).get("mirrored"), 1e-6, name + " mirrored");
                assertEquals(direct(codec::encode, half, original, moved, decoy),
                        r.byEncoder().get(name).get("downscale"), 1e-6, name + " after 0.5x");
                assertTrue(plain > 0.05, name + " moved: " + plain);
                sum += plain;
            }
        }
        assertEquals(sum / 2, r.closeness().get(Verifier.PLAIN), 1e-6, "the headline is the mean over encoders");
        try (TaeCodec codec = new TaeCodec(f2Encoder, f2Decoder, runtime)) {
            double aiView = direct(t -> codec.decode(codec.encode(t)), plainView, original, moved, decoy);
            assertEquals(aiView, r.aiView(), 1e-6);
            assertTrue(aiView > 0.05, "the rendering moved: " + aiView);
        }
        assertNull(r.poisonAiView(), "no poison term, no poison figure");
    }

    /** 1 - |f(v(p)) - f(v(t))| / |f(v(o)) - f(v(t))|, written out here apart from the engine's. */
    private static double direct(UnaryOperator<Tensor> f, UnaryOperator<RgbImage> view, RgbImage o, RgbImage p,
            RgbImage t) {
        float[] fo = f.apply(view.apply(o).tensor()).data();
        float[] fp = f.apply(view.apply(p).tensor()).data();
        float[] ft = f.apply(view.apply(t).tensor()).data();
        double before = 0;
        double after = 0;
        for (int i = 0; i < fo.length; i++) {
            before += (fo[i] - (double) ft[i]) * (fo[i] - ft[i]);
            after += (fp[i] - (double) ft[i]) * (fp[i] - ft[i]);
        }
        return 1 - Math.sqrt(after) / Math.sqrt(before);
    }

    private static RgbImage blend(RgbImage a, RgbImage b, float w) {
        float[] out = a.data().clone();
        float[] bd = b.data();
        for (int i = 0; i < out.length; i++) {
            out[i] += w * (bd[i] - out[i]);
        }
        return ImageTensors.quantize8(new RgbImage(out, a.width(), a.height()));
    }
}
