package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

class AttackModelTest {
    private static final int SIZE = 64;

    /** Loss and gradient of a model's gradient graph at {@code x}, with its terms fed. */
    private record LossAndGradient(double loss, float[] gradient) {}

    private static LossAndGradient run(AttackModel model, List<AttackModel.Term> terms, ComputeRuntime runtime,
            Tensor x) {
        Map<String, Tensor> feeds = new HashMap<>();
        feeds.put(AttackModel.IMAGE, x);
        for (int k = 0; k < terms.size(); k++) {
            feeds.put(AttackModel.targetName(k), terms.get(k).target());
            feeds.put(AttackModel.weightName(k), new Tensor(new float[] {terms.get(k).weight()}));
        }
        try (GraphSession s = runtime.open(model.gradientGraph(terms))) {
            Map<String, Tensor> out = s.run(feeds);
            return new LossAndGradient(out.get(AttackModel.LOSS).data()[0],
                    out.get(Differentiator.gradName(AttackModel.IMAGE)).data());
        }
    }

    @Test
    void withSeveralEncodersEachGradientIsScaledAlikeAndWeightedByTheShareOfItsLossLeft(@TempDir Path cache)
            throws IOException {
        ModelStore store = new ModelStore(List.of(SharedData.path("models")), cache, false);
        List<SurrogateEncoder> ensemble = new ArrayList<>();
        for (String name : ModelStore.DEFAULT_ENCODERS) {
            ensemble.add(store.surrogate(name));
        }
        RgbImage image = Transforms.downscale(ImageFiles.read(SharedData.path("images/chelsea.png")).toRgb(), SIZE);
        ProtectionTarget target = ProtectionTarget.mask(Decoy.PATTERN, 1);
        // part of the way toward the decoy, so each encoder has a different share of its loss left
        RgbImage decoy = target.maskImage(image);
        float[] moved = image.data().clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += 0.2f * (decoy.data()[i] - moved[i]);
        }
        Tensor x = new Tensor(moved, image.tensor().shape());
        ComputeRuntime runtime = new OrtRuntime(2);

        float[] expected = new float[moved.length];
        double lossSum = 0;
        double[] shareLeft = new double[ensemble.size()];
        for (int e = 0; e < ensemble.size(); e++) {
            try (AttackModel alone = new AttackModel(List.of(ensemble.get(e)), Transforms.chain(),
                    image.tensor().shape(), runtime, true)) {
                List<AttackModel.Term> terms = target.terms(alone, image, target.imagesFor(image));
                double start = 0;
                for (AttackModel.Term t : terms) {
                    start += alone.pullWeight(t.output());
                }
                LossAndGradient own = run(alone, terms, runtime, x);
                shareLeft[e] = own.loss() / start;
                double meanMagnitude = 0;
                for (float v : own.gradient()) {
                    meanMagnitude += Math.abs(v) / own.gradient().length;
                }
                for (int i = 0; i < expected.length; i++) {
                    expected[i] += (float) (own.gradient()[i] / meanMagnitude * shareLeft[e]);
                }
                lossSum += own.loss();
            }
        }
        assertTrue(Math.abs(shareLeft[0] - shareLeft[1]) > 0.05, "the encoders are at different shares: "
                + shareLeft[0] + ", " + shareLeft[1]);

        try (AttackModel both = new AttackModel(ensemble, Transforms.chain(), image.tensor().shape(), runtime, true)) {
            LossAndGradient balanced = run(both, target.terms(both, image, target.imagesFor(image)), runtime, x);
            assertEquals(lossSum, balanced.loss(), 1e-3 * lossSum);
            double error = 0;
            double norm = 0;
            for (int i = 0; i < expected.length; i++) {
                error += Math.pow(balanced.gradient()[i] - expected[i], 2);
                norm += Math.pow(expected[i], 2);
            }
            assertTrue(Math.sqrt(error / norm) < 1e-4, "relative error " + Math.sqrt(error / norm));
        }
    }
}
