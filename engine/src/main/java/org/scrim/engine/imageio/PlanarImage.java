package org.scrim.engine.imageio;

import java.awt.color.ColorSpace;
import java.util.Arrays;
import javax.imageio.metadata.IIOMetadata;
import org.scrim.engine.tensor.RgbColours;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * An image as the engine sees it: colour planes as float32 in [0,1] with layout [C,H,W] (C = 1 gray or 3 RGB), and
 * beside them everything needed to write the file back unchanged except for its colour values: the alpha plane as
 * the exact original samples (protection never touches it), the bit depth, the source format, the ICC profile and
 * the source's javax.imageio metadata.
 *
 * <p>Samples map to floats as {@code s / (2^bitDepth - 1)}; writing quantises with round to nearest, so unchanged
 * pixels come back bit-exact. Instances are immutable apart from the tensor's backing array, which callers must not
 * modify: use {@link #withRgb(RgbImage)} or {@link #withColour(Tensor)} to get a changed image.
 */
public final class PlanarImage {
    private final Tensor colour;
    private final int[] alpha;
    private final int bitDepth;
    private final ImageFormat format;
    private final byte[] iccProfile;
    private final IIOMetadata metadata;
    private final ColorSpace decodedColorSpace;

    PlanarImage(Tensor colour, int[] alpha, int bitDepth, ImageFormat format, byte[] iccProfile,
            IIOMetadata metadata, ColorSpace decodedColorSpace) {
        if (colour.rank() != 3 || (colour.dim(0) != 1 && colour.dim(0) != 3)) {
            throw new IllegalArgumentException("colour planes must be [1 or 3, H, W], got " + colour);
        }
        if (bitDepth != 8 && bitDepth != 16) {
            throw new IllegalArgumentException("bit depth must be 8 or 16, got " + bitDepth);
        }
        if (alpha != null && alpha.length != colour.dim(1) * colour.dim(2)) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " samples for a " + colour + " image");
        }
        this.colour = colour;
        this.alpha = alpha;
        this.bitDepth = bitDepth;
        this.format = format;
        this.iccProfile = iccProfile;
        this.metadata = metadata;
        this.decodedColorSpace = decodedColorSpace;
    }

    /** The colour planes, [C,H,W] float32 in [0,1]. Shares storage: do not modify. */
    public Tensor colour() {
        return colour;
    }

    public int channels() {
        return (int) colour.dim(0);
    }

    public int height() {
        return (int) colour.dim(1);
    }

    public int width() {
        return (int) colour.dim(2);
    }

    public boolean hasAlpha() {
        return alpha != null;
    }

    /** The alpha plane's original samples (0 .. 2^bitDepth - 1), row-major [H,W], a copy; null without alpha. */
    public int[] alphaSamples() {
        return alpha == null ? null : alpha.clone();
    }

    /** 8 or 16: the sample depth of the source, kept when writing (JPEG is always written with 8). */
    public int bitDepth() {
        return bitDepth;
    }

    public ImageFormat format() {
        return format;
    }

    /** What the samples mean as colours, from the embedded profile (sRGB without one). */
    public RgbColours colours() {
        return RgbColours.fromIcc(iccProfile);
    }

    /** The embedded ICC profile's bytes (a copy), or null when the source has none. */
    public byte[] iccProfile() {
        return iccProfile == null ? null : iccProfile.clone();
    }

    /** The source's javax.imageio image metadata (format specific), written back with the pixels; may be null. */
    public IIOMetadata metadata() {
        return metadata;
    }

    /**
     * The colour space the decoder gave the pixels. The JDK JPEG writer recodes the pixels unless a JPEG is written
     * back with this very object beside its metadata, so ImageFiles keeps it for that.
     */
    ColorSpace decodedColorSpace() {
        return decodedColorSpace;
    }

    /**
     * The colour as RGB for reading only: an RGB image's own planes (no copy, so a large image is not held twice), a
     * gray image's replicated as {@link #toRgb} does.
     */
    public RgbImage rgbView() {
        return channels() == 3 ? new RgbImage(colour.data(), width(), height(), colours()) : toRgb();
    }

    /** The colour as RGB for the encoder: a copy, gray replicated to three channels. */
    public RgbImage toRgb() {
        int plane = height() * width();
        float[] src = colour.data();
        float[] rgb = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(src, channels() == 3 ? c * plane : 0, rgb, c * plane, plane);
        }
        return new RgbImage(rgb, width(), height(), colours());
    }

    /**
     * This image with its colour taken from {@code rgb} (a perturbed {@link #toRgb()}), whose samples it takes as
     * they are: the caller passes them on. A gray image takes the mean of the three channels: the gray value closest
     * (least squares) to the perturbed RGB, so a perturbation the encoder saw replicated on all channels is kept
     * whole. Values outside [0,1] are kept here and clamped when written; NaN or infinite values are refused.
     */
    public PlanarImage withRgb(RgbImage rgb) {
        if (rgb.width() != width() || rgb.height() != height()) {
            throw new IllegalArgumentException("withRgb needs " + width() + "x" + height() + ", got " + rgb);
        }
        if (channels() == 3) {
            return withColour(new Tensor(rgb.data(), 3, height(), width()));
        }
        int plane = height() * width();
        float[] src = rgb.data();
        float[] gray = new float[plane];
        for (int i = 0; i < plane; i++) {
            gray[i] = (src[i] + src[plane + i] + src[2 * plane + i]) / 3f;
        }
        return withColour(new Tensor(gray, 1, height(), width()));
    }

    /** This image with new [C,H,W] colour planes of the same shape; everything else is kept. */
    public PlanarImage withColour(Tensor newColour) {
        if (!Arrays.equals(newColour.shape(), colour.shape())) {
            throw new IllegalArgumentException("new colour planes " + newColour + " do not match " + colour);
        }
        for (float v : newColour.data()) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("colour planes contain " + v + ": refusing to write such an image");
            }
        }
        return new PlanarImage(newColour, alpha, bitDepth, format, iccProfile, metadata, decodedColorSpace);
    }

    @Override
    public String toString() {
        return "PlanarImage[" + format + " " + width() + "x" + height() + " C=" + channels()
                + (hasAlpha() ? "+alpha" : "") + " " + bitDepth + "-bit" + (iccProfile != null ? " ICC" : "") + "]";
    }
}
