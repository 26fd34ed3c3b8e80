package org.scrim.engine.tensor;

import java.awt.color.ICC_Profile;
import java.awt.color.ICC_ProfileRGB;
import java.nio.ByteBuffer;

/**
 * What an image's samples mean as colours: each channel's tone curve to linear light, then a 3x3 matrix to linear
 * sRGB. The protection changes the samples as they are stored (what a trainer's loader reads), but how visible the
 * change is depends on the colours a viewer sees: in a wider space such as Adobe RGB the same step in a sample is a
 * larger step in colour. Read from matrix-and-curve RGB profiles (Adobe RGB, Display P3, ProPhoto, sRGB); images
 * without a profile, or with one of another kind, are taken as sRGB.
 */
public final class RgbColours {
    /** sRGB: the samples are gamma-encoded sRGB, as images without a profile are taken to be. */
    public static final RgbColours SRGB = new RgbColours(null, null);

    /**
     * Linear sRGB (D65) to the ICC connection space's XYZ (D50), Bradford-adapted, as sRGB profiles state their
     * colorants; its inverse takes a profile's colorants to linear sRGB.
     */
    private static final double[][] SRGB_TO_D50 = {
        {0.4360747, 0.3850649, 0.1430804}, {0.2225045, 0.7168786, 0.0606169}, {0.0139322, 0.0971045, 0.7141733},
    };
    /** How far from sRGB's curve and from the identity a profile may be and still be taken as sRGB itself. */
    private static final double SRGB_TOLERANCE = 2e-3;
    private static final int[] TRC_TAGS = {ICC_Profile.icSigRedTRCTag, ICC_Profile.icSigGreenTRCTag,
        ICC_Profile.icSigBlueTRCTag};

    /** Per channel, the linear values of 4096 evenly spaced samples; null for sRGB. */
    private final double[][] linear8;
    /** Row-major 3x3, the channels' linear values to linear sRGB; null for sRGB. */
    private final double[] toLinearSrgb;

    private RgbColours(double[][] linear8, double[] toLinearSrgb) {
        this.linear8 = linear8;
        this.toLinearSrgb = toLinearSrgb;
    }

    /** Whether the samples are sRGB (callers then use sRGB's own curve and matrix). */
    public boolean isSrgb() {
        return linear8 == null;
    }

    /**
     * Linear sRGB of the sample triple (r, g, b) into {@code out}: values outside [0,1] are colours outside sRGB's
     * gamut, kept so a difference there still counts. Each curve is interpolated in a table of 4096 levels.
     */
    public void linearSrgb(float r, float g, float b, double[] out) {
        double lr = linear(0, r);
        double lg = linear(1, g);
        double lb = linear(2, b);
        double[] m = toLinearSrgb;
        out[0] = m[0] * lr + m[1] * lg + m[2] * lb;
        out[1] = m[3] * lr + m[4] * lg + m[5] * lb;
        out[2] = m[6] * lr + m[7] * lg + m[8] * lb;
    }

    private double linear(int channel, float v) {
        double[] table = linear8[channel];
        double at = Math.max(0, Math.min(1, v)) * (table.length - 1);
        int i = (int) at;
        if (i >= table.length - 1) {
            return table[table.length - 1];
        }
        double f = at - i;
        return table[i] + f * (table[i + 1] - table[i]);
    }

    /**
     * The colours an embedded ICC profile gives: {@link #SRGB} when there is none, when it is not an RGB profile
     * made of colorants and tone curves (a lookup-table profile is not read), or when it is sRGB to within {@value
     * #SRGB_TOLERANCE}, so sRGB files are measured exactly as before.
     */
    public static RgbColours fromIcc(byte[] profile) {
        if (profile == null) {
            return SRGB;
        }
        ICC_Profile icc;
        try {
            icc = ICC_Profile.getInstance(profile);
        } catch (IllegalArgumentException e) {
            return SRGB;
        }
        if (!(icc instanceof ICC_ProfileRGB rgb)) {
            return SRGB;
        }
        double[][] table = new double[3][];
        for (int c = 0; c < 3; c++) {
            ToneCurve curve = ToneCurve.parse(icc.getData(TRC_TAGS[c]));
            if (curve == null) {
                return SRGB;
            }
            table[c] = new double[4096];
            for (int k = 0; k < table[c].length; k++) {
                table[c][k] = curve.linear(k / (double) (table[c].length - 1));
            }
        }
        double[] matrix = multiply(invert(SRGB_TO_D50), rgb.getMatrix());
        return isSrgb(table, matrix) ? SRGB : new RgbColours(table, matrix);
    }

    /** The sRGB transfer function, inverted: a gamma-encoded sRGB value's linear light. */
    public static double srgbLinear(double v) {
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    private static boolean isSrgb(double[][] table, double[] matrix) {
        for (int i = 0; i < 9; i++) {
            if (Math.abs(matrix[i] - (i % 4 == 0 ? 1 : 0)) > SRGB_TOLERANCE) {
                return false;
            }
        }
        for (double[] t : table) {
            for (int k = 0; k < t.length; k += 16) {
                double v = k / (double) (t.length - 1);
                if (Math.abs(t[k] - srgbLinear(v)) > SRGB_TOLERANCE) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A profile's tone curve: an ICC 'curv' (identity, gamma or table) or 'para' (functions 0 to 4) tag. */
    private interface ToneCurve {
        double linear(double v);

        /** The curve a tag holds, or null when it is of another type or cut short. */
        static ToneCurve parse(byte[] tag) {
            if (tag == null || tag.length < 12) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(tag);
            int type = b.getInt(0);
            if (type == 0x63757276) { // 'curv'
                long count = b.getInt(8) & 0xffffffffL;
                if (count == 0) {
                    return v -> v;
                }
                if (12 + 2 * count > tag.length) {
                    return null;
                }
                if (count == 1) {
                    double gamma = (b.getShort(12) & 0xffff) / 256.0;
                    return v -> Math.pow(v, gamma);
                }
                double[] entries = new double[(int) count];
                for (int i = 0; i < entries.length; i++) {
                    entries[i] = (b.getShort(12 + 2 * i) & 0xffff) / 65535.0;
                }
                return v -> {
                    double at = v * (entries.length - 1);
                    int i = Math.min(entries.length - 2, (int) at);
                    return entries[i] + (at - i) * (entries[i + 1] - entries[i]);
                };
            }
            if (type == 0x70617261) { // 'para'
                int function = b.getShort(8) & 0xffff;
                int[] counts = {1, 3, 4, 5, 7};
                if (function >= counts.length || 12 + 4 * counts[function] > tag.length) {
                    return null;
                }
                double[] p = new double[7];
                for (int i = 0; i < counts[function]; i++) {
                    p[i] = b.getInt(12 + 4 * i) / 65536.0;
                }
                double g = p[0];
                double a = p[1];
                double bb = p[2];
                double c = p[3];
                double d = p[4];
                double e = p[5];
                double f = p[6];
                return switch (function) {
                    case 0 -> v -> Math.pow(v, g);
                    case 1 -> v -> v >= -bb / a ? Math.pow(a * v + bb, g) : 0;
                    case 2 -> v -> v >= -bb / a ? Math.pow(a * v + bb, g) + c : c;
                    case 3 -> v -> v >= d ? Math.pow(a * v + bb, g) : c * v;
                    default -> v -> v >= d ? Math.pow(a * v + bb, g) + e : c * v + f;
                };
            }
            return null;
        }
    }

    private static double[] multiply(double[][] a, float[][] b) {
        double[] out = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    out[3 * i + j] += a[i][k] * b[k][j];
                }
            }
        }
        return out;
    }

    private static double[][] invert(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                // cofactor of m[j][i], over the determinant
                int r0 = (j + 1) % 3;
                int r1 = (j + 2) % 3;
                int c0 = (i + 1) % 3;
                int c1 = (i + 2) % 3;
                inv[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
            }
        }
        return inv;
    }
}
