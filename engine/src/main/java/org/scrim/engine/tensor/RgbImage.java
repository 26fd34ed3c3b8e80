package org.scrim.engine.tensor;

import java.util.Arrays;

/**
 * An RGB image as the engine computes on it: width x height pixels, three planes of float32 samples in [0,1], each
 * plane row by row (red, then green, then blue: the [1,3,H,W] tensor the encoders take). The extents are checked
 * once, here, so code that takes an {@code RgbImage} checks nothing again; sizes are always given width first.
 * The samples are shared, not copied: callers must not change them. {@link #colours} says what the samples mean as
 * colours (sRGB unless the file's profile says otherwise), for judging how visible a change is.
 */
public final class RgbImage {
    public static final int CHANNELS = 3;

    private final Tensor tensor;
    private final int width;
    private final int height;
    private final RgbColours colours;

    /** An image over {@code planes} (R, G, B planes of width x height, row by row). */
    public RgbImage(float[] planes, int width, int height) {
        this(planes, width, height, RgbColours.SRGB);
    }

    /** An image over {@code planes} whose samples are in {@code colours}. */
    public RgbImage(float[] planes, int width, int height, RgbColours colours) {
        if (width < 1 || height < 1 || (long) CHANNELS * width * height != planes.length) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) CHANNELS * Math.max(width, 0) * Math.max(height, 0) + " samples, got " + planes.length);
        }
        this.tensor = new Tensor(planes, 1, CHANNELS, height, width);
        this.width = width;
        this.height = height;
        this.colours = colours;
    }

    /** The image a [1,3,H,W] tensor holds, sharing its samples; anything else is refused naming {@code what}. */
    public static RgbImage of(Tensor tensor, String what) {
        long[] s = tensor.shape();
        if (s.length != 4 || s[0] != 1 || s[1] != CHANNELS || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException(what + " must be an RGB tensor [1,3,H,W], got " + Arrays.toString(s));
        }
        return new RgbImage(tensor.data(), (int) s[3], (int) s[2]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** What the samples mean as colours. */
    public RgbColours colours() {
        return colours;
    }

    /** The same samples, taken in {@code colours}. */
    public RgbImage withColours(RgbColours colours) {
        return new RgbImage(data(), width, height, colours);
    }

    /** Pixels in one plane: width x height. */
    public int pixels() {
        return width * height;
    }

    /** The samples, plane after plane (shared: do not modify). */
    public float[] data() {
        return tensor.data();
    }

    /** The samples as the [1,3,H,W] tensor the graphs take (shared). */
    public Tensor tensor() {
        return tensor;
    }

    /** Refuses {@code other} unless it has this image's size: the pairs compared or combined must match. */
    public void requireSameSize(RgbImage other) {
        if (other.width != width || other.height != height) {
            throw new IllegalArgumentException("images differ in size: " + width + "x" + height + " vs "
                    + other.width + "x" + other.height);
        }
    }

    /** A copy whose samples the caller may change. */
    public RgbImage copy() {
        return new RgbImage(data().clone(), width, height, colours);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
