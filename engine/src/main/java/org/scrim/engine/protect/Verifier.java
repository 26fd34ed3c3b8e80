package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Measures a protection: how far the protected image's latent moved toward its target at the views trainers take of
 * it ({@link TrainerViews}: its own size with the area capped at the analysis size squared, the smaller buckets,
 * mirrored, cropped off the encoders' grids) and after the manipulations images meet on the way to a training set,
 * and how visible the change is. JPEG is applied to the full-size file as a website would, then viewed; the other
 * manipulations to the view at the analysis size. Targets are made on the image at the analysis size (as the
 * protection makes them) and viewed alike.
 */
public final class Verifier {
    /**
     * A manipulation: what happens to the file before a trainer views it ({@code onFile}), the view, and what
     * happens to the view ({@code after}); targets go through the same three.
     */
    private record Manipulation(String name, UnaryOperator<RgbImage> onFile, TrainerViews.View view,
            UnaryOperator<RgbImage> after) {}

    private static final long NOISE_SEED = 0x5C121L;
    /** The name of the figure at the image's own size (capped at the analysis size), without manipulation. */
    public static final String PLAIN = "none";
    /**
     * The figures a verdict rests on: the trainers' views (own size, the smaller buckets, mirrored, cropped) and
     * JPEG 75 and a 0.5x downscale, since a scraper or trainer may do any of these before the model sees the image.
     */
    public static final List<String> JUDGED = List.of(PLAIN, "768", "512", "mirrored", "cropped", "jpeg75",
            "downscale");

    /**
     * Every figure, in report order. Closeness ({@link #closeness}) is the mean over the encoders; {@code
     * byEncoder} and {@code poisonByEncoder} give each encoder's, by its name; {@code aiView} and {@code
     * poisonAiView} are the closeness of what the AI-view decoder renders (null when not measured or no such term);
     * {@code views} says what each figure's view is, by the figure's name ("1024x1024 mirrored").
     */
    public record Report(Map<String, Double> closeness, Map<String, Double> poisonCloseness,
            Map<String, Map<String, Double>> byEncoder, Map<String, Map<String, Double>> poisonByEncoder,
            Double aiView, Double poisonAiView, double shiftVsNoise, double psnr, double ssim, double visibility,
            Butteraugli.Score butteraugli, String target, Map<String, String> views) {
        /** The headline figure: closeness at the image's own size (the mask's, else the poison's). */
        public double primaryCloseness() {
            return (closeness.isEmpty() ? poisonCloseness : closeness).get(PLAIN);
        }
    }

    /** The model whose decoder renders the AI view: its encoder and decoder weights. */
    public record AiViewModel(StateDict encoder, StateDict decoder) {}

    private final List<SurrogateEncoder> encoders;
    private final ComputeRuntime runtime;
    private final int analysisSize;
    private final AiViewModel aiViewModel;

    /** @param analysisSize the largest trainer resolution: the own-size view's area is capped at its square */
    public Verifier(List<SurrogateEncoder> encoders, ComputeRuntime runtime, int analysisSize) {
        this(encoders, runtime, analysisSize, null);
    }

    /**
     * @param aiViewModel when not null, the report carries the AI-view closeness: 1 - rms(D(E(x+d)) - D(E(t))) /
     *                    rms(D(E(x)) - D(E(t))) with this model's encoder E and decoder D, at the own-size view
     */
    public Verifier(List<SurrogateEncoder> encoders, ComputeRuntime runtime, int analysisSize,
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
     * @param quick the judged figures only ({@link #JUDGED}: what {@code protect} prints), without JPEG 90, noise
     *              and blur
     */
    public Report verify(RgbImage original, RgbImage protectedImage, ProtectionTarget target, boolean quick) {
        original.requireSameSize(protectedImage);
        List<Manipulation> manipulations = manipulations(original.width(), original.height(), quick);
        RgbImage reference = TrainerViews.reference(original, analysisSize);
        ProtectionTarget.Images targetImages = target.imagesFor(reference);
        Figures mask = new Figures();
        Figures poison = new Figures();
        Map<String, String> views = new LinkedHashMap<>();
        Viewer viewer = new Viewer();
        double shift;
        RgbImage plainO = null;
        RgbImage plainP = null;
        List<List<Tensor>> plain = null;
        try (Encoders enc = new Encoders()) {
            for (Manipulation m : manipulations) {
                RgbImage om = viewer.view(original, m);
                RgbImage pm = viewer.view(protectedImage, m);
                views.put(m.name, describe(m, pm));
                List<Tensor> zo = enc.encode(om);
                List<Tensor> zp = enc.encode(pm);
                if (m.name.equals(PLAIN)) {
                    plain = List.of(zo, zp);
                    plainO = om;
                    plainP = pm;
                }
                if (target.mode().masks()) {
                    mask.add(m.name, zo, zp, enc.encode(viewer.view(targetImages.mask(), m)));
                }
                if (target.mode().poisons()) {
                    List<RgbImage> anchors = targetImages.anchors().stream().map(a -> viewer.view(a, m)).toList();
                    poison.add(m.name, zo, zp, enc.meanLatents(anchors));
                }
            }
            shift = shiftVsNoise(enc, plainO, plainP, plain.get(0), plain.get(1));
        }
        Double aiView = null;
        Double poisonAiView = null;
        if (aiViewModel != null) {
            TrainerViews.View own = manipulations.get(0).view;
            try (TaeCodec codec = new TaeCodec(aiViewModel.encoder(), aiViewModel.decoder(), runtime)) {
                Tensor renderedO = codec.decode(codec.encode(plainO.tensor()));
                Tensor renderedP = codec.decode(codec.encode(plainP.tensor()));
                if (target.mode().masks()) {
                    aiView = closeness(renderedO, renderedP,
                            codec.decode(codec.encode(own.apply(targetImages.mask()).tensor())));
                }
                if (target.mode().poisons()) {
                    poisonAiView = closeness(renderedO, renderedP, codec.decode(ProtectionTarget.meanLatents(
                            image -> List.of(codec.encode(image)),
                            targetImages.anchors().stream().map(own::apply).toList()).get(0)));
                }
            }
        }
        return new Report(mask.mean, poison.mean, mask.byEncoder, poison.byEncoder, aiView, poisonAiView, shift,
                Quality.psnr(original, protectedImage), Quality.ssim(original, protectedImage),
                new Ssimulacra(original).score(protectedImage), new Butteraugli(original).score(protectedImage),
                target.describe(), views);
    }

    /** What a figure's view is, for reports: "1024x1024 mirrored", "JPEG 75, 1024x1024". */
    private static String describe(Manipulation m, RgbImage viewed) {
        return switch (m.name) {
            case "jpeg75", "jpeg90" -> "JPEG " + m.name.substring(4) + ", " + m.view.describe();
            case "downscale", "noise", "blur" -> m.name + ", " + viewed.width() + "x" + viewed.height();
            default -> m.view.describe();
        };
    }

    /**
     * Views images, keeping each source's resize to a bucket's size for the other views of that bucket (a 6000x4000
     * file is resized once for its own size, its mirror and its crop).
     */
    private static final class Viewer {
        private final Map<List<Object>, RgbImage> resized = new HashMap<>();

        RgbImage view(RgbImage source, Manipulation m) {
            TrainerViews.View v = m.view;
            RgbImage file = m.onFile.apply(source);
            RgbImage r = file == source
                    ? resized.computeIfAbsent(List.of(source, v.resizedWidth(), v.resizedHeight()),
                            k -> TrainerViews.resize(source, v.resizedWidth(), v.resizedHeight()))
                    : TrainerViews.resize(file, v.resizedWidth(), v.resizedHeight());
            return m.after.apply(v.cut(r));
        }
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

    /**
     * The manipulations of a {@code width} x {@code height} image, the own-size view ({@link #PLAIN}) first: the
     * smaller buckets, the own size mirrored and cropped, JPEG 75 (and 90) of the file, a 0.5x downscale (and noise
     * and blur) of the own-size view.
     */
    private List<Manipulation> manipulations(int width, int height, boolean quick) {
        UnaryOperator<RgbImage> none = t -> t;
        Map<Integer, TrainerViews.View> buckets = TrainerViews.buckets(width, height, analysisSize);
        TrainerViews.View own = buckets.get(analysisSize);
        List<Manipulation> list = new ArrayList<>();
        buckets.forEach((resolution, view) -> list.add(new Manipulation(
                resolution == analysisSize ? PLAIN : String.valueOf(resolution), none, view, none)));
        list.add(new Manipulation("mirrored", none, own.mirror(), none));
        list.add(new Manipulation("cropped", none, TrainerViews.crop(own), none));
        list.add(new Manipulation("jpeg75", t -> Transforms.jpegRoundTrip(t, 75), own, none));
        if (!quick) {
            list.add(new Manipulation("jpeg90", t -> Transforms.jpegRoundTrip(t, 90), own, none));
        }
        list.add(new Manipulation("downscale", none, own,
                t -> Transforms.downscale(t, Math.max(1, Math.max(t.width(), t.height()) / 2))));
        if (!quick) {
            list.add(new Manipulation("noise", none, own, t -> Transforms.gaussianNoise(t, 0.05, NOISE_SEED)));
            list.add(new Manipulation("blur", none, own, t -> Transforms.blur(t, 1.0)));
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
