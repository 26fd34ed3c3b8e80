package org.scrim.engine.protect;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.scrim.engine.statement.Provenance;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Where a protection pulls the latent: the decoy restyling of the image (mask) and/or the anchors (poison). It makes
 * the target images at any size, so the optimisation (at the working size) and verification (at any size, after
 * any manipulation) measure against the same thing.
 */
public record ProtectionTarget(Mode mode, Decoy decoy, RgbImage decoyImage, List<RgbImage> anchors, long seed) {
    static ProtectionTarget of(ProtectRequest request, Decoy decoy) {
        return new ProtectionTarget(request.mode(), decoy, request.decoyImage(), request.anchors(), request.seed());
    }

    /** A mask target with a procedural decoy: what {@code scrim verify --decoy NAME --seed N} rebuilds. */
    public static ProtectionTarget mask(Decoy decoy, long seed) {
        return new ProtectionTarget(Mode.MASK, decoy, null, List.of(), seed);
    }

    /**
     * The target a protected file was made for, as verification rebuilds it: the decoy and seed the file recorded
     * ({@code recorded} may be null) unless given here; a decoy (name or image) makes a mask target, anchors a
     * poison one, both together both.
     *
     * @param file named in the error when no target can be rebuilt
     */
    public static ProtectionTarget rebuild(String file, Provenance recorded, Decoy decoy, RgbImage decoyImage,
            List<RgbImage> anchors, Long seed) {
        long s = seed != null ? seed : recorded != null && recorded.seed() != null ? recorded.seed() : 1;
        Decoy d = decoy != null ? decoy : recorded != null && recorded.decoy() != null ? Decoy.parse(recorded.decoy())
                : null;
        boolean masks = d != null || decoyImage != null;
        if (!masks && anchors.isEmpty()) {
            throw new IllegalArgumentException(file + " names no decoy in its metadata: give the decoy style, the "
                    + "decoy image or the anchor images it was protected with");
        }
        Mode mode = masks && !anchors.isEmpty() ? Mode.BOTH : masks ? Mode.MASK : Mode.POISON;
        return new ProtectionTarget(mode, d, decoyImage, anchors, s);
    }

    /** The decoy of {@code image} (same size), for the mask term. */
    public RgbImage maskImage(RgbImage image) {
        return decoyImage != null ? ImageTensors.fitTo(decoyImage, image.width(), image.height())
                : Decoys.render(decoy, image, seed);
    }

    /** The anchors fitted to {@code image}'s size, for the poison term. */
    public List<RgbImage> anchorImages(RgbImage image) {
        return anchors.stream().map(a -> ImageTensors.fitTo(a, image.width(), image.height())).toList();
    }

    public String describe() {
        String m = decoyImage != null ? "decoy image" : decoy != null ? "decoy " + decoy.cliName() : null;
        String p = anchors.isEmpty() ? null : anchors.size() + " anchor image" + (anchors.size() > 1 ? "s" : "");
        return m != null && p != null ? m + " + " + p : m != null ? m : p;
    }

    /** The target images at one image size: the decoy (null without a mask term) and the fitted anchors. */
    public record Images(RgbImage mask, List<RgbImage> anchors) {}

    /** Renders the decoy and fits the anchors once for {@code image}'s size. */
    public Images imagesFor(RgbImage image) {
        return new Images(mode.masks() ? maskImage(image) : null,
                mode.poisons() ? anchorImages(image) : List.of());
    }

    /**
     * The pulls for one attack model at image {@code x}: target latents (and features) seen through its
     * transformation. Several pulls (mask and poison, several encoders, their features) are weighted by their
     * starting distances, times the model's {@link AttackModel#pullWeight}, so each has the say it is given; a single
     * one needs no weight, since the optimiser ignores the gradient's scale, and x is then not encoded.
     */
    List<AttackModel.Term> terms(AttackModel model, RgbImage x, Images images) {
        List<List<Tensor>> targets = targetValues(model, images);
        List<Tensor> clean = targets.size() * targets.get(0).size() > 1 ? model.encodePulled(x.tensor()) : null;
        List<AttackModel.Term> terms = new ArrayList<>();
        for (List<Tensor> values : targets) {
            for (int k = 0; k < values.size(); k++) {
                float weight = clean == null ? 1 : (float) (model.pullWeight(k)
                        / Math.max(clean.get(k).squaredDistance(values.get(k)), 1e-12));
                terms.add(new AttackModel.Term(k, values.get(k), weight));
            }
        }
        return terms;
    }

    /**
     * {@code terms} (made by {@link #terms} for {@code model}) with their targets made again through the model's
     * transformation as it is fed now (the step's view), their weights kept: the weights set each pull's say once.
     */
    List<AttackModel.Term> retarget(AttackModel model, Images images, List<AttackModel.Term> terms) {
        List<Tensor> targets = targetValues(model, images).stream().flatMap(List::stream).toList();
        List<AttackModel.Term> again = new ArrayList<>();
        for (int k = 0; k < terms.size(); k++) {
            AttackModel.Term t = terms.get(k);
            again.add(new AttackModel.Term(t.output(), targets.get(k), t.weight()));
        }
        return again;
    }

    /** What the model pulls of the decoy (mask) and the anchors' mean (poison), in that order. */
    private List<List<Tensor>> targetValues(AttackModel model, Images images) {
        List<List<Tensor>> targets = new ArrayList<>();
        if (mode.masks()) {
            targets.add(model.encodePulled(images.mask().tensor()));
        }
        if (mode.poisons()) {
            targets.add(meanLatents(model::encodePulled, images.anchors()));
        }
        return targets;
    }

    /** Mean latent of the images, per encoder: a folder of anchors acts as one concept. */
    static List<Tensor> meanLatents(AttackModel model, List<RgbImage> images) {
        return meanLatents(model::encode, images);
    }

    /** Mean of {@code encode}'s latents (one per encoder) over the images. */
    static List<Tensor> meanLatents(Function<Tensor, List<Tensor>> encode, List<RgbImage> images) {
        List<Tensor> sum = null;
        for (RgbImage img : images) {
            List<Tensor> z = encode.apply(img.tensor());
            if (sum == null) {
                sum = new ArrayList<>();
                for (Tensor t : z) {
                    sum.add(t.copy());
                }
            } else {
                for (int e = 0; e < z.size(); e++) {
                    float[] acc = sum.get(e).data();
                    float[] add = z.get(e).data();
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += add[i];
                    }
                }
            }
        }
        for (Tensor t : sum) {
            float[] acc = t.data();
            for (int i = 0; i < acc.length; i++) {
                acc[i] /= images.size();
            }
        }
        return sum;
    }

}
