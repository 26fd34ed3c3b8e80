package org.scrim.engine.protect;

import javax.imageio.plugins.jpeg.JPEGQTable;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * Differentiable stand-in for a baseline JPEG round trip as javax.imageio (libjpeg 6b) does it: RGB to YCbCr,
 * 4:2:0 chroma (2x2 box average, triangle upsampling on decode = linear Resize), 8x8 orthonormal DCT as a stride-8
 * Conv with 64 basis kernels, quantisation with the IJG tables scaled for the quality, inverse DCT as the
 * ConvTranspose of the same kernels (the basis is orthonormal), back to RGB, clipped to [0,1]. Sizes that are not a
 * multiple of 16 are padded by edge replication, as the encoder does, and cropped back.
 *
 * <p>Rounding: c -> round(c/Q)*Q has zero gradient almost everywhere, and a straight-through estimator needs a
 * stop-gradient op the autodiff does not have. A constant per-coefficient attenuation would ignore the coefficient's
 * size, yet what JPEG does to a perturbation is a dead zone: coefficients below about Q/2 vanish, large ones pass.
 * So rounding is modelled by the smooth dead zone {@code c^3 / (c^2 + (a*Q)^2)} (a = {@value #DEAD_ZONE}): about 0
 * for |c| << aQ, about c for |c| >> aQ, slope bounded by 9/8. Its gradient tells the optimiser that small
 * high-frequency changes do not survive, which is the point of putting JPEG in the loop.
 */
final class JpegApproximation implements ImageTransform {
    /**
     * Knee of the dead zone in units of Q. Measured against javax JPEG on astronaut, chelsea and coffee at q = 50, 75,
     * 90, the approximation's PSNR to the real result peaks at 0.3 (0.01: -2.5 dB, 0.5: -0.4 dB).
     */
    static final double DEAD_ZONE = 0.3;
    private static final int BLOCK = 8;
    /** JFIF YCbCr (ITU-R BT.601 full range). */
    private static final float[][] RGB_TO_YCC = {
        {0.299f, 0.587f, 0.114f}, {-0.168736f, -0.331264f, 0.5f}, {0.5f, -0.418688f, -0.081312f}};
    private static final float[][] YCC_TO_RGB = {{1f, 0f, 1.402f}, {1f, -0.344136f, -0.714136f}, {1f, 1.772f, 0f}};

    private final int quality;

    JpegApproximation(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        }
        this.quality = quality;
    }

    @Override
    public String describe() {
        return "jpeg(q=" + quality + ")";
    }

    @Override
    public long[] outputShape(long[] shape) {
        return shape.clone();
    }

    @Override
    public String apply(GraphBuilder g, String image, long[] shape) {
        if (shape.length != 4 || shape[1] != 3) {
            throw new IllegalArgumentException(describe() + " needs an RGB image [N,3,H,W], got "
                    + java.util.Arrays.toString(shape));
        }
        long h = shape[2];
        long w = shape[3];
        long hp = roundUp(h, 2 * BLOCK);
        long wp = roundUp(w, 2 * BLOCK);
        String x = GraphImageOps.replicatePad(g, image, shape, 0, (int) (hp - h), 0, (int) (wp - w));

        // Level shift by -128 folded into the colour transform: DCT input is centred on 0 for all three planes.
        float[][] toYcc = scaled(RGB_TO_YCC, 255f);
        String ycc = GraphImageOps.colourMatrix(g, x, toYcc, new float[] {-128f, 0f, 0f});

        String y = GraphImageOps.slice(g, ycc, 1, 0, 1);
        String yOut = blockCodec(g, y, 1, JPEGQTable.K1Luminance);

        String chroma = GraphImageOps.slice(g, ycc, 1, 1, 3);
        String half = g.op("AveragePool", new String[] {chroma}, Attr.ints("kernel_shape", 2, 2),
                Attr.ints("strides", 2, 2));
        String halfOut = blockCodec(g, half, 2, JPEGQTable.K2Chrominance);
        String chromaOut = g.op("Resize", new String[] {halfOut, "", g.initializer("up2",
                new Tensor(new float[] {1, 1, 2, 2}, 4))}, Attr.s("mode", "linear"),
                Attr.s("coordinate_transformation_mode", "half_pixel"));

        String yccOut = g.op("Concat", new String[] {yOut, chromaOut}, Attr.i("axis", 1));
        float[] bias = new float[3];
        for (int c = 0; c < 3; c++) {
            bias[c] = 128f / 255f * YCC_TO_RGB[c][0];
        }
        String rgb = GraphImageOps.colourMatrix(g, yccOut, scaled(YCC_TO_RGB, 1f / 255f), bias);
        String cropped = GraphImageOps.slice(g, GraphImageOps.slice(g, rgb, 2, 0, h), 3, 0, w);
        return GraphImageOps.clip01(g, cropped);
    }

    /** DCT, dead-zone quantisation and inverse DCT of each of {@code planes} channels. */
    private String blockCodec(GraphBuilder g, String planes, int channels, JPEGQTable base) {
        float[] basis = dctBasis();
        float[] weights = new float[channels * basis.length];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(basis, 0, weights, c * basis.length, basis.length);
        }
        String kernels = g.initializer("dct", new Tensor(weights, channels * 64L, 1, BLOCK, BLOCK));
        String coeffs = g.op("Conv", new String[] {planes, kernels}, Attr.ints("strides", BLOCK, BLOCK),
                Attr.i("group", channels));

        int[] q = quantTable(base, quality);
        float[] knee = new float[channels * 64];
        for (int i = 0; i < knee.length; i++) {
            double k = DEAD_ZONE * q[i % 64];
            knee[i] = (float) (k * k);
        }
        String c2 = g.op("Mul", coeffs, coeffs);
        String c3 = g.op("Mul", c2, coeffs);
        String den = g.op("Add", c2, g.initializer("knee", new Tensor(knee, 1, channels * 64L, 1, 1)));
        String kept = g.op("Div", c3, den);

        return g.op("ConvTranspose", new String[] {kept, kernels}, Attr.ints("strides", BLOCK, BLOCK),
                Attr.i("group", channels));
    }

    /** The quantisation table javax.imageio writes at this quality (IJG scaling), in natural (row-major) order. */
    static int[] quantTable(JPEGQTable base, int quality) {
        float scale = quality < 50 ? 50f / quality : (200f - 2f * quality) / 100f;
        return base.getScaledInstance(scale, true).getTable();
    }

    /** Orthonormal 2-D DCT-II kernels [64,1,8,8]; kernel u*8+v holds vertical frequency u, horizontal v. */
    static float[] dctBasis() {
        float[] k = new float[64 * 64];
        for (int u = 0; u < BLOCK; u++) {
            for (int v = 0; v < BLOCK; v++) {
                double au = u == 0 ? Math.sqrt(1.0 / BLOCK) : Math.sqrt(2.0 / BLOCK);
                double av = v == 0 ? Math.sqrt(1.0 / BLOCK) : Math.sqrt(2.0 / BLOCK);
                for (int y = 0; y < BLOCK; y++) {
                    for (int x = 0; x < BLOCK; x++) {
                        k[(u * BLOCK + v) * 64 + y * BLOCK + x] = (float) (au * av
                                * Math.cos((2 * y + 1) * u * Math.PI / 16) * Math.cos((2 * x + 1) * v * Math.PI / 16));
                    }
                }
            }
        }
        return k;
    }

    private static float[][] scaled(float[][] m, float s) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] *= s;
            }
        }
        return out;
    }

    private static long roundUp(long v, long m) {
        return (v + m - 1) / m * m;
    }
}
