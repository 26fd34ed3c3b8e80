package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.tensor.Tensor;

/**
 * Measures a protection: how far the protected image's latent moved toward its target, plainly and after the
 * manipulations images meet on the way to a training set, and how visible the change is. Latents are measured at
 * the analysis size (the long side trainers use, and the size the protection was computed at); JPEG is applied to the
 * full-size file as a website would, the other manipulations at the analysis size.
 */
public final class Verifier {
    /** A manipulation of the protected image and how it applies to target images at the analysis size. */
    private record Manipulation(String name, boolean onFullSize, UnaryOperator<Tensor> apply) {}

    private static final long NOISE_SEED = 0x5C121L;
    /** The name of the figure without manipulation. */
    public static final String PLAIN = "none";

    /** Every figure, in report order. Closeness is 1 - |E(x+d)-E(t)| / |E(x)-E(t)|: 1 = at the target, 0 = unmoved. */
    public record Report(Map<String, Double> closeness, Map<String, Double> poisonCloseness, double shiftVsNoise,
            double psnr, double ssim, double visibility, String target) {
        /** The headline figure: closeness without manipulation (the mask's, else the poison's). */
        public double primaryCloseness() {
            return (closeness.isEmpty() ? poisonCloseness : closeness).get(PLAIN);
        }
    }

    private final List<SurrogateEncoder> encoders;
    private final Runtime runtime;
    private final int analysisSize;

    public Verifier(List<SurrogateEncoder> encoders, Runtime runtime, int analysisSize) {
        this.encoders = List.copyOf(encoders);
        this.runtime = runtime;
        this.analysisSize = analysisSize;
    }

    /** The full set of manipulations (the {@code verify} command). */
    public Report verify(Tensor original, Tensor protectedImage, ProtectionTarget target) {
        return verify(original, protectedImage, target, false);
    }

    /**
     * @param quick only the plain figure, JPEG 75 and 0.5x downscale (what {@code protect} prints)
     */
    public Report verify(Tensor original, Tensor protectedImage, ProtectionTarget target, boolean quick) {
        ImageTensors.requireSameShape(original, protectedImage);
        List<Manipulation> manipulations = manipulations(quick);
        Tensor o = Transforms.downscale(original, analysisSize);
        Tensor p = o.size() == original.size() ? protectedImage : Transforms.downscale(protectedImage, analysisSize);
        ProtectionTarget.Images targetImages = target.imagesFor(o);
        Map<String, Double> mask = new LinkedHashMap<>();
        Map<String, Double> poison = new LinkedHashMap<>();
        double shift;
        List<List<Tensor>> plain = null;
        try (Encoders enc = new Encoders()) {
            for (Manipulation m : manipulations) {
                Tensor om = m.onFullSize ? Transforms.downscale(m.apply.apply(original), analysisSize) : m.apply.apply(o);
                Tensor pm = m.onFullSize ? Transforms.downscale(m.apply.apply(protectedImage), analysisSize)
                        : m.apply.apply(p);
                List<Tensor> zo = enc.encode(om);
                List<Tensor> zp = enc.encode(pm);
                if (m.name.equals(PLAIN)) {
                    plain = List.of(zo, zp);
                }
                if (target.mode().masks()) {
                    mask.put(m.name, closeness(zo, zp, enc.encode(m.apply.apply(targetImages.mask()))));
                }
                if (target.mode().poisons()) {
                    List<Tensor> anchors = targetImages.anchors().stream().map(m.apply).toList();
                    poison.put(m.name, closeness(zo, zp, enc.meanLatents(anchors)));
                }
            }
            shift = shiftVsNoise(enc, o, p, plain.get(0), plain.get(1));
        }
        return new Report(mask, poison, shift, Quality.psnr(original, protectedImage),
                Quality.ssim(original, protectedImage), new Ssimulacra(original).score(protectedImage),
                target.describe());
    }

    private List<Manipulation> manipulations(boolean quick) {
        List<Manipulation> list = new ArrayList<>();
        list.add(new Manipulation(PLAIN, false, t -> t));
        list.add(new Manipulation("jpeg75", true, t -> Transforms.jpegRoundTrip(t, 75)));
        if (!quick) {
            list.add(new Manipulation("jpeg90", true, t -> Transforms.jpegRoundTrip(t, 90)));
        }
        list.add(new Manipulation("downscale", false,
                t -> Transforms.downscale(t, (int) Math.max(1, Math.max(t.dim(2), t.dim(3)) / 2))));
        if (!quick) {
            list.add(new Manipulation("noise", false, t -> Transforms.gaussianNoise(t, 0.05, NOISE_SEED)));
            list.add(new Manipulation("blur", false, t -> Transforms.blur(t, 1.0)));
        }
        return list;
    }

    /** Mean over encoders of 1 - |zp - zt| / |zo - zt|. */
    private static double closeness(List<Tensor> zo, List<Tensor> zp, List<Tensor> zt) {
        double sum = 0;
        for (int e = 0; e < zo.size(); e++) {
            double before = Math.sqrt(zo.get(e).squaredDistance(zt.get(e)));
            double after = Math.sqrt(zp.get(e).squaredDistance(zt.get(e)));
            sum += before > 0 ? 1 - after / before : 0;
        }
        return sum / zo.size();
    }

    /**
     * How far the latent moved, over how far random noise of the same strength (RMS) moves it; {@code zo} and
     * {@code zp} are the latents of {@code o} and {@code p}, already computed.
     */
    private static double shiftVsNoise(Encoders enc, Tensor o, Tensor p, List<Tensor> zo, List<Tensor> zp) {
        float[] a = o.data();
        float[] b = p.data();
        double rms = 0;
        for (int i = 0; i < a.length; i++) {
            rms += (b[i] - a[i]) * (double) (b[i] - a[i]);
        }
        rms = Math.sqrt(rms / a.length);
        Random r = new Random(NOISE_SEED);
        float[] noisy = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            noisy[i] = Math.max(0f, Math.min(1f, a[i] + (float) (r.nextBoolean() ? rms : -rms)));
        }
        List<Tensor> zn = enc.encode(new Tensor(noisy, o.shape()));
        double moved = 0;
        double random = 0;
        for (int e = 0; e < zo.size(); e++) {
            moved += Math.sqrt(zp.get(e).squaredDistance(zo.get(e)));
            random += Math.sqrt(zn.get(e).squaredDistance(zo.get(e)));
        }
        return random > 0 ? moved / random : 0;
    }

    /** Forward-only encoder sessions, one per image size met, closed together. */
    private final class Encoders implements AutoCloseable {
        private final Map<String, AttackModel> bySize = new LinkedHashMap<>();

        List<Tensor> encode(Tensor image) {
            return model(image).encode(image);
        }

        List<Tensor> meanLatents(List<Tensor> images) {
            return ProtectionTarget.meanLatents(model(images.get(0)), images);
        }

        private AttackModel model(Tensor image) {
            return bySize.computeIfAbsent(image.dim(2) + "x" + image.dim(3),
                    k -> new AttackModel(encoders, Transforms.chain(), image.shape(), runtime));
        }

        @Override
        public void close() {
            bySize.values().forEach(AttackModel::close);
        }
    }
}
