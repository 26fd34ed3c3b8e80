package org.scrim.imagej;

import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import org.scrim.engine.tensor.RgbImage;

/**
 * Converts an ImageJ processor region to the engine's RGB image (values in [0,1]) and writes a protection back.
 * RGB and 8-bit use value/255. 16- and 32-bit use the display range (min to max maps to 0 to 1): it is what the user
 * sees and what an export shows, while the type's full range would squeeze most images into a few gray levels. The
 * change is added back in the image's own units (change x range), so values outside the display range, which the
 * encoder saw clipped, keep their offset instead of being clipped in the result.
 */
final class ProcessorTensors {
    private ProcessorTensors() {}

    static RgbImage toRgb(ImageProcessor ip, Rectangle r) {
        int plane = r.width * r.height;
        float[] rgb = new float[3 * plane];
        boolean colour = ip instanceof ColorProcessor;
        double min = offset(ip);
        double scale = scale(ip);
        for (int y = 0; y < r.height; y++) {
            for (int x = 0; x < r.width; x++) {
                int i = y * r.width + x;
                if (colour) {
                    int c = ip.getPixel(r.x + x, r.y + y);
                    rgb[i] = ((c >> 16) & 0xff) / 255f;
                    rgb[plane + i] = ((c >> 8) & 0xff) / 255f;
                    rgb[2 * plane + i] = (c & 0xff) / 255f;
                } else {
                    float v = (float) Math.max(0, Math.min(1, (ip.getPixelValue(r.x + x, r.y + y) - min) / scale));
                    rgb[i] = v;
                    rgb[plane + i] = v;
                    rgb[2 * plane + i] = v;
                }
            }
        }
        return new RgbImage(rgb, r.width, r.height);
    }

    /**
     * Adds {@code changed - original} to the pixels of {@code r}, only where {@code mask} (the selection's mask, the
     * size of {@code r}; null for all of {@code r}) is set. Gray images take the channels' mean change.
     */
    static void applyChange(ImageProcessor ip, Rectangle r, ImageProcessor mask, RgbImage original,
            RgbImage changed) {
        int plane = r.width * r.height;
        float[] o = original.data();
        float[] c = changed.data();
        boolean colour = ip instanceof ColorProcessor;
        double scale = scale(ip);
        double max = ip instanceof ShortProcessor ? 65535 : ip instanceof FloatProcessor ? Double.MAX_VALUE : 255;
        double low = ip instanceof FloatProcessor ? -Double.MAX_VALUE : 0;
        for (int y = 0; y < r.height; y++) {
            for (int x = 0; x < r.width; x++) {
                int i = y * r.width + x;
                if (mask != null && mask.get(x, y) == 0) {
                    continue;
                }
                int px = r.x + x;
                int py = r.y + y;
                if (colour) {
                    int old = ip.getPixel(px, py);
                    int red = channel((old >> 16) & 0xff, c[i] - o[i]);
                    int green = channel((old >> 8) & 0xff, c[plane + i] - o[plane + i]);
                    int blue = channel(old & 0xff, c[2 * plane + i] - o[2 * plane + i]);
                    ip.putPixel(px, py, (old & 0xff000000) | (red << 16) | (green << 8) | blue);
                } else {
                    double change = ((c[i] - o[i]) + (c[plane + i] - o[plane + i])
                            + (c[2 * plane + i] - o[2 * plane + i])) / 3.0 * scale;
                    double v = Math.max(low, Math.min(max, ip.getPixelValue(px, py) + change));
                    ip.putPixelValue(px, py, ip instanceof FloatProcessor ? v : Math.round(v));
                }
            }
        }
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
