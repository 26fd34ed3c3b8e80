package org.scrim.engine.protect;

/**
 * The fast preview the editors show while the choices change: a few steps on a crop around the centre, shown at 1:1
 * and protected at the scale the whole image is (an image over the working size is protected shrunk and the change
 * upsampled), so its grain is the result's. ImageJ and Krita both preview by this rule ({@code scrim info} gives it
 * to Krita).
 */
public final class Preview {
    /** Steps of a preview: seconds on a CPU, and enough for the change's look (not its strength) to settle. */
    public static final int STEPS = 3;
    /** The crop's side at 1:1, when the image is larger. */
    public static final int SIDE = 256;
    /**
     * The largest crop: on a large image the crop grows past {@link #SIDE} until its working size reaches the
     * engine's smallest ({@link ProtectRequest#MIN_WORK_SIZE}), up to this.
     */
    public static final int MAX_SIDE = 512;

    private Preview() {}

    /** Where in a {@code width} x {@code height} area the preview is, and the working size it is protected at. */
    public record Crop(int x, int y, int width, int height, int workSize) {}

    /**
     * The crop of a {@code width} x {@code height} area that is protected at {@code workSize}: shrunk as the whole
     * area's change is ({@link Protector#protect}: to the working size, and to the largest trainer view's size).
     */
    public static Crop crop(int width, int height, int workSize) {
        double scale = Math.min(workSize / (double) Math.max(1, Math.max(width, height)),
                TrainerViews.bucketScale(width, height, TrainerViews.LARGEST));
        int side = Math.min(MAX_SIDE, Math.max(SIDE, (int) Math.ceil(ProtectRequest.MIN_WORK_SIZE / scale)));
        int w = Math.min(side, width);
        int h = Math.min(side, height);
        return new Crop((width - w) / 2, (height - h) / 2, w, h,
                Math.max(ProtectRequest.MIN_WORK_SIZE, (int) Math.round(Math.max(w, h) * scale)));
    }

    /** {@code full}'s request as a preview of {@code crop}: the same strength and decoy, {@link #STEPS} steps. */
    public static ProtectRequest request(ProtectRequest full, Decoy decoy, Crop crop) {
        return new ProtectRequest(full.mode(), full.preset(), full.maxVisibility(), decoy, full.decoyImage(),
                full.anchors(), full.seed(), crop.workSize(), STEPS);
    }
}
