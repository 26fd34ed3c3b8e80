package org.scrim.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import org.scrim.engine.tensor.RgbImage;

/**
 * Converts an ImageJ processor region to the engine's RGB image (values in [0,1]) and writes a protection back.
 * RGB and 8-bit use value/255. 16- and 32-bit use the display range (min to max maps to 0 to 1): it is what the user
 * sees and what an export shows, while the type's full range would squeeze most images into a few gray levels. The
 * change is added back in the image's own units (change x range), so values outside the display range, which the
 * encoder saw clipped, keep their offset instead of being clipped in the result. A colour composite's three channels
 * are one picture's red, green and blue ({@link #isColourComposite}).
 */
final class ProcessorTensors {
    private ProcessorTensors() {}

    /**
     * Whether ImageJ shows {@code imp} as one colour picture made of three grey channels: a composite of three
     * channels, one slice and one frame, as ImageJ opens a 48-bit (16 bits per channel) colour TIFF. Channels 1, 2
     * and 3 are taken as red, green and blue, each through its own display range ({@link #planes}).
     */
    static boolean isColourComposite(ImagePlus imp) {
        return imp.isComposite() && imp.getNChannels() == 3 && imp.getNSlices() == 1 && imp.getNFrames() == 1;
    }

    /**
     * Why Scrim cannot take {@code imp} as one picture, or null when it can: a composite other than a colour one
     * (2 or 4+ channels, or channels over slices or frames) has no single RGB picture to protect, and protecting its
     * channels one by one as grey images would change what they show together.
     */
    static String refusal(ImagePlus imp) {
        if (!imp.isComposite() || isColourComposite(imp)) {
            return null;
        }
        return imp.getTitle() + " is a composite of " + imp.getNChannels() + " channels"
                + (imp.getNSlices() * imp.getNFrames() > 1 ? " over " + imp.getNSlices() * imp.getNFrames()
                        + " slices or frames" : "")
                + ": Scrim protects one colour picture, a composite of exactly 3 channels (red, green, blue) and one "
                + "slice. Make the picture you want to protect first (Image > Color > Stack to RGB, or Image > "
                + "Duplicate... the channels or slice)";
    }

    /**
     * The planes of what {@code imp} shows, to protect or verify: the current slice's processor, or a colour
     * composite's three channels ({@link #planes(ImagePlus, ImageStack)}). Refuses other composites.
     */
    static ImageProcessor[] shown(ImagePlus imp) {
        String refusal = refusal(imp);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        return isColourComposite(imp) ? planes(imp, imp.getStack()) : new ImageProcessor[] {imp.getProcessor()};
    }

    /**
     * The red, green and blue planes of the colour composite {@code imp}, as processors on the pixels of
     * {@code stack} (its own, or a copy of it), each with its channel's display range: a 16-bit colour image is
     * worked as ImageJ shows it and as ImageJ's PNG and JPEG exports write it, which is what the artist judges,
     * where the type's full range would work on colours nobody sees (ImageJ stretches each channel on opening).
     */
    static ImageProcessor[] planes(ImagePlus imp, ImageStack stack) {
        LUT[] luts = imp.getLuts();
        ImageProcessor[] planes = new ImageProcessor[3];
        for (int c = 0; c < 3; c++) {
            planes[c] = stack.getProcessor(c + 1);
            planes[c].setMinAndMax(luts[c].min, luts[c].max);
        }
        return planes;
    }

    /**
     * The region {@code r} of one picture: an RGB or grey processor (the grey value in all three channels), or
     * three grey planes as red, green and blue.
     */
    static RgbImage toRgb(ImageProcessor[] planes, Rectangle r) {
        int plane = r.width * r.height;
        float[] rgb = new float[3 * plane];
        if (planes.length == 3) {
            for (int c = 0; c < 3; c++) {
                readGrey(planes[c], r, rgb, c * plane);
            }
        } else if (planes[0] instanceof ColorProcessor ip) {
            for (int y = 0; y < r.height; y++) {
                for (int x = 0; x < r.width; x++) {
                    int i = y * r.width + x;
                    int c = ip.getPixel(r.x + x, r.y + y);
                    rgb[i] = ((c >> 16) & 0xff) / 255f;
                    rgb[plane + i] = ((c >> 8) & 0xff) / 255f;
                    rgb[2 * plane + i] = (c & 0xff) / 255f;
                }
            }
        } else {
            readGrey(planes[0], r, rgb, 0);
            System.arraycopy(rgb, 0, rgb, plane, plane);
            System.arraycopy(rgb, 0, rgb, 2 * plane, plane);
        }
        return new RgbImage(rgb, r.width, r.height);
    }

    /** One grey plane of {@code r} into {@code out} from {@code offset}, in [0,1]. */
    private static void readGrey(ImageProcessor ip, Rectangle r, float[] out, int offset) {
        double min = offset(ip);
        double scale = scale(ip);
        for (int y = 0; y < r.height; y++) {
            for (int x = 0; x < r.width; x++) {
                out[offset + y * r.width + x] = (float) Math.max(0, Math.min(1,
                        (ip.getPixelValue(r.x + x, r.y + y) - min) / scale));
            }
        }
    }

    /**
     * Adds {@code changed - original} to the pixels of {@code r} of the planes {@link #toRgb} read, only where
     * {@code mask} (the selection's mask, the size of {@code r}; null for all of {@code r}) is set. A grey image
     * takes the channels' mean change; three planes take a channel each.
     */
    static void applyChange(ImageProcessor[] planes, Rectangle r, ImageProcessor mask, RgbImage original,
            RgbImage changed) {
        int plane = r.width * r.height;
        float[] o = original.data();
        float[] c = changed.data();
        for (int y = 0; y < r.height; y++) {
            for (int x = 0; x < r.width; x++) {
                int i = y * r.width + x;
                if (mask != null && mask.get(x, y) == 0) {
                    continue;
                }
                int px = r.x + x;
                int py = r.y + y;
                if (planes.length == 3) {
                    for (int k = 0; k < 3; k++) {
                        addGrey(planes[k], px, py, c[k * plane + i] - o[k * plane + i]);
                    }
                } else if (planes[0] instanceof ColorProcessor ip) {
                    int old = ip.getPixel(px, py);
                    int red = channel((old >> 16) & 0xff, c[i] - o[i]);
                    int green = channel((old >> 8) & 0xff, c[plane + i] - o[plane + i]);
                    int blue = channel(old & 0xff, c[2 * plane + i] - o[2 * plane + i]);
                    ip.putPixel(px, py, (old & 0xff000000) | (red << 16) | (green << 8) | blue);
                } else {
                    addGrey(planes[0], px, py, ((c[i] - o[i]) + (c[plane + i] - o[plane + i])
                            + (c[2 * plane + i] - o[2 * plane + i])) / 3.0);
                }
            }
        }
    }

    /** Adds {@code change} (tensor units) to a grey pixel, in the image's own units, clipped to its type. */
    private static void addGrey(ImageProcessor ip, int x, int y, double change) {
        double max = ip instanceof ShortProcessor ? 65535 : ip instanceof FloatProcessor ? Double.MAX_VALUE : 255;
        double low = ip instanceof FloatProcessor ? -Double.MAX_VALUE : 0;
        double v = Math.max(low, Math.min(max, ip.getPixelValue(x, y) + change * scale(ip)));
        ip.putPixelValue(x, y, ip instanceof FloatProcessor ? v : Math.round(v));
    }

    private static int channel(int old, float change) {
        return Math.max(0, Math.min(255, Math.round(old + change * 255)));
    }

    private static double offset(ImageProcessor ip) {
        return ip instanceof ShortProcessor || ip instanceof FloatProcessor ? ip.getMin() : 0;
    }

    /** Image units per tensor unit. */
    private static double scale(ImageProcessor ip) {
        if (ip instanceof ShortProcessor || ip instanceof FloatProcessor) {
            double range = ip.getMax() - ip.getMin();
            return range > 0 ? range : 1;
        }
        return 255;
    }
}
