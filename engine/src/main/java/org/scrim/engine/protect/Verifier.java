package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Measures a protection: how far the protected image's latent moved toward its target, plainly and after the
 * manipulations images meet on the way to a training set, and how visible the change is. Latents are measured at
 * the analysis size (the long side trainers use, and the size the protection was computed at); JPEG is applied to the
 * full-size file as a website would, the other manipulations at the analysis size.
 */
public final class Verifier {
    /** A manipulation of the protected image and how it applies to target images at the analysis size. */
    private record Manipulation(String name, boolean onFullSize, UnaryOperator<RgbImage> apply) {}

    private static final long NOISE_SEED = 0x5C121L;
    /** The name of the figure without manipulation. */
    public static final String PLAIN = "none";

    /**
     * Every figure, in report order. Closeness ({@link #closeness}) is the mean over the encoders; {@code
     * byEncoder} and {@code poisonByEncoder} give each encoder's, by its name; {@code aiView} and {@code
     * poisonAiView} are the closeness of what the AI-view decoder renders (null when not measured or no such term).
     */
    public record Report(Map<String, Double> closeness, Map<String, Double> poisonCloseness,
            Map<String, Map<String, Double>> byEncoder, Map<String, Map<String, Double>> poisonByEncoder,
            Double aiView, Double poisonAiView, double shiftVsNoise, double psnr, double ssim, double visibility,
            Butteraugli.Score butteraugli, String target) {
        /** The headline figure: closeness without manipulation (the mask's, else the poison's). */
        public double primaryCloseness() {
            return (closeness.isEmpty() ? poisonCloseness : closeness).get(PLAIN);
        }
    }

    /** The model whose decoder renders the AI view: its encoder and decoder weights. */
    public record AiViewModel(StateDict encoder, StateDict decoder) {}

    private final List<SurrogateEncoder> encoders;
    private final Runtime runtime;
    private final int analysisSize;
    private final AiViewModel aiViewModel;

    public Verifier(List<SurrogateEncoder> encoders, Runtime runtime, int analysisSize) {
        this(encoders, runtime, analysisSize, null);
    }

    /**
     * @param aiViewModel when not null, the report carries the AI-view closeness: 1 - rms(D(E(x+d)) - D(E(t))) /
     *                    rms(D(E(x)) - D(E(t))) with this model's encoder E and decoder D, at the analysis size
     */
    public Verifier(List<SurrogateEncoder> encoders, Runtime runtime, int analysisSize,
            AiViewModel aiViewModel) {
        this.encoders = List.copyOf(encoders);
        this.runtime = runtime;
        this.analysisSize = analysisSize;
        this.aiViewModel = aiViewModel;
    }

    /** The full set of manipulations (the {@code verify} command). */
    public Report verify(RgbImage original, RgbImage protectedImage, ProtectionTarget target) {
        return verify(original, protectedImage, target, false);
    }

    /**
     * @param quick only the plain figure, JPEG 75 and 0.5x downscale (what {@code protect} prints)
     */
    public Report verify(RgbImage original, RgbImage protectedImage, ProtectionTarget target, boolean quick) {
        original.requireSameSize(protectedImage);
        List<Manipulation> manipulations = manipulations(quick);
        RgbImage o = Transforms.downscale(original, analysisSize);
        RgbImage p = o.width() == original.width() ? protectedImage
                : Transforms.downscale(protectedImage, analysisSize);
        ProtectionTarget.Images targetImages = target.imagesFor(o);
        Figures mask = new Figures();
        Figures poison = new Figures();
        double shift;
        List<List<Tensor>> plain = null;
        try (Encoders enc = new Encoders()) {
            for (Manipulation m : manipulations) {
                RgbImage om = m.onFullSize ? Transforms.downscale(m.apply.apply(original), analysisSize)
                        : m.apply.apply(o);
                RgbImage pm = m.onFullSize ? Transforms.downscale(m.apply.apply(protectedImage), analysisSize)
                        : m.apply.apply(p);
                List<Tensor> zo = enc.encode(om);
                List<Tensor> zp = enc.encode(pm);
                if (m.name.equals(PLAIN)) {
                    plain = List.of(zo, zp);
                }
                if (target.mode().masks()) {
                    mask.add(m.name, zo, zp, enc.encode(m.apply.apply(targetImages.mask())));
                }
                if (target.mode().poisons()) {
                    List<RgbImage> anchors = targetImages.anchors().stream().map(m.apply).toList();
                    poison.add(m.name, zo, zp, enc.meanLatents(anchors));
                }
            }
            shift = shiftVsNoise(enc, o, p, plain.get(0), plain.get(1));
        }
        Double aiView = null;
        Double poisonAiView = null;
        if (aiViewModel != null) {
            try (TaeCodec codec = new TaeCodec(aiViewModel.encoder(), aiViewModel.decoder(), runtime)) {
                Tensor renderedO = codec.decode(codec.encode(o.tensor()));
                Tensor renderedP = codec.decode(codec.encode(p.tensor()));
                if (target.mode().masks()) {
                    aiView = closeness(renderedO, renderedP, codec.decode(codec.encode(targetImages.mask().tensor())));
                }
                if (target.mode().poisons()) {
                    poisonAiView = closeness(renderedO, renderedP, codec.decode(ProtectionTarget.meanLatents(
                            image -> List.of(codec.encode(image)), targetImages.anchors()).get(0)));
                }
            }
        }
        return new Report(mask.mean, poison.mean, mask.byEncoder, poison.byEncoder, aiView, poisonAiView, shift,
                Quality.psnr(original, protectedImage), Quality.ssim(original, protectedImage),
                new Ssimulacra(original).score(protectedImage), new Butteraugli(original).score(protectedImage),
                target.describe());
    }

    /**
     * 1 - |after - target| / |before - target|: how far {@code after} (the protected image's latent, or its
     * rendering) has come from {@code before} (the original's) toward the target; 1 = at the target, 0 = unmoved,
     * negative = farther. 0 when the original is already at the target. The one definition of closeness: reports,
     * the AI view and the decoy choice all use it.
     */
    public static double closeness(Tensor before, Tensor after, Tensor target) {
        double from = Math.sqrt(before.squaredDistance(target));
        return from > 0 ? 1 - Math.sqrt(after.squaredDistance(target)) / from : 0;
    }

    /** Closeness per manipulation: the mean over encoders and each encoder's, in report order. */
    private final class Figures {
        final Map<String, Double> mean = new LinkedHashMap<>();
        final Map<String, Map<String, Double>> byEncoder = new LinkedHashMap<>();

        void add(String manipulation, List<Tensor> zo, List<Tensor> zp, List<Tensor> zt) {
            double sum = 0;
            for (int e = 0; e < zo.size(); e++) {
                double c = closeness(zo.get(e), zp.get(e), zt.get(e));
                byEncoder.computeIfAbsent(encoders.get(e).name(), k -> new LinkedHashMap<>()).put(manipulation, c);
                sum += c;
            }
            mean.put(manipulation, sum / zo.size());
        }
    }

    private List<Manipulation> manipulations(boolean quick) {
        List<Manipulation> list = new ArrayList<>();
        list.add(new Manipulation(PLAIN, false, t -> t));
        list.add(new Manipulation("jpeg75", true, t -> Transforms.jpegRoundTrip(t, 75)));
        if (!quick) {
            list.add(new Manipulation("jpeg90", true, t -> Transforms.jpegRoundTrip(t, 90)));
        }
        list.add(new Manipulation("downscale", false,
                t -> Transforms.downscale(t, Math.max(1, Math.max(t.width(), t.height()) / 2))));
        if (!quick) {
            list.add(new Manipulation("noise", false, t -> Transforms.gaussianNoise(t, 0.05, NOISE_SEED)));
            list.add(new Manipulation("blur", false, t -> Transforms.blur(t, 1.0)));
        }
        return list;
    }

    /**
     * How far the latent moved, over how far random noise of the same strength (RMS) moves it; {@code zo} and
     * {@code zp} are the latents of {@code o} and {@code p}, already computed.
     */
    private static double shiftVsNoise(Encoders enc, RgbImage o, RgbImage p, List<Tensor> zo, List<Tensor> zp) {
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
        List<Tensor> zn = enc.encode(new RgbImage(noisy, o.width(), o.height()));
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

        List<Tensor> encode(RgbImage image) {
            return model(image).encode(image.tensor());
        }

        List<Tensor> meanLatents(List<RgbImage> images) {
            return ProtectionTarget.meanLatents(model(images.get(0)), images);
        }

        private AttackModel model(RgbImage image) {
            return bySize.computeIfAbsent(image.width() + "x" + image.height(),
                    k -> new AttackModel(encoders, Transforms.chain(), image.tensor().shape(), runtime, false));
        }

        @Override
        public void close() {
            bySize.values().forEach(AttackModel::close);
        }
    }
}
