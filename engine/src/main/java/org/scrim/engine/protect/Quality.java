package org.scrim.engine.protect;

import java.util.Arrays;
import java.util.Map;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Image quality figures between an original and a changed image of the same size.
 *
 * <ul>
 *   <li>{@link #psnr}: over all three channels, peak 1.
 *   <li>{@link #ssim}: Wang et al. 2004 on Rec. 709 luma of the gamma-encoded values, 11x11 Gaussian window
 *       (sigma 1.5), K1 = 0.01, K2 = 0.03, edge pixels repeated at the borders; the mean of the SSIM map.
 *   <li>{@link #visibility}: a cheap stand-in for SSIMULACRA ({@link Ssimulacra}, lower = less visible), fast
 *       enough to evaluate several times at every optimisation step; see the method for its formula and
 *       calibration. Bounds and reports use {@link Ssimulacra} itself.
 * </ul>
 */
public final class Quality {
    static final float C1 = 0.01f * 0.01f;
    static final float C2 = 0.03f * 0.03f;
    private static final double SSIM_SIGMA = 1.5;
    private static final int SSIM_BAND_ROWS = 128;
    /** Box radius of the visibility figure's SSIM window: 7x7, about the support of the sigma-1.5 Gaussian. */
    static final int VISIBILITY_BOX_RADIUS = 3;

    private Quality() {}

    /** Peak signal-to-noise ratio in dB (peak 1); infinite for identical images. */
    public static double psnr(RgbImage a, RgbImage b) {
        a.requireSameSize(b);
        double mse = a.tensor().squaredDistance(b.tensor()) / a.data().length;
        return mse == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(mse);
    }

    /** Mean SSIM on luma (see the class comment), taken in bands of rows so large images need little memory. */
    public static double ssim(RgbImage a, RgbImage b) {
        a.requireSameSize(b);
        int h = a.height();
        int w = a.width();
        float[] kernel = PlaneFilters.gaussianKernel(SSIM_SIGMA, 5);
        int r = kernel.length / 2;
        int margined = Math.min(h, SSIM_BAND_ROWS + 2 * r) * w;
        float[] y1 = new float[margined];
        float[] y2 = new float[margined];
        float[] product = new float[margined];
        float[] scratch = new float[margined];
        int rows = Math.min(h, SSIM_BAND_ROWS) * w;
        float[] mu1 = new float[rows];
        float[] mu2 = new float[rows];
        float[] s11 = new float[rows];
        float[] s22 = new float[rows];
        float[] s12 = new float[rows];
        double sum = 0;
        for (int top = 0; top < h; top += SSIM_BAND_ROWS) {
            int bottom = Math.min(h, top + SSIM_BAND_ROWS);
            int from = Math.max(0, top - r);
            int to = Math.min(h, bottom + r);
            ImageTensors.lumaRows(a, from, to, y1);
            ImageTensors.lumaRows(b, from, to, y2);
            int n = (to - from) * w;
            PlaneFilters.convolveRows(y1, 0, w, h, top, bottom, kernel, scratch, mu1);
            PlaneFilters.convolveRows(y2, 0, w, h, top, bottom, kernel, scratch, mu2);
            for (int i = 0; i < n; i++) {
                product[i] = y1[i] * y1[i];
            }
            PlaneFilters.convolveRows(product, 0, w, h, top, bottom, kernel, scratch, s11);
            for (int i = 0; i < n; i++) {
                product[i] = y2[i] * y2[i];
            }
            PlaneFilters.convolveRows(product, 0, w, h, top, bottom, kernel, scratch, s22);
            for (int i = 0; i < n; i++) {
                product[i] = y1[i] * y2[i];
            }
            PlaneFilters.convolveRows(product, 0, w, h, top, bottom, kernel, scratch, s12);
            for (int i = 0; i < (bottom - top) * w; i++) {
                float m1 = mu1[i];
                float m2 = mu2[i];
                float v1 = s11[i] - m1 * m1;
                float v2 = s22[i] - m2 * m2;
                float cov = s12[i] - m1 * m2;
                sum += (2 * m1 * m2 + C1) * (2 * cov + C2) / ((m1 * m1 + m2 * m2 + C1) * (v1 + v2 + C2));
            }
        }
        return sum / ((double) w * h);
    }

    /**
     * Visibility of the change from {@code original} to {@code changed}, on the scale of {@code ssimulacra_main}
     * (SSIMULACRA 1: lower is less visible; random +-8/255 sign noise on a 512x512 photo is about 0.14-0.17).
     *
     * <p>Formula: {@code V = A*(1 - ssim) + E*edge + C*(1 - chroma)}, where ssim is the mean SSIM of luma with a 7x7
     * box window, edge is the mean of max(0, |y2 - mu2| - |y1 - mu1|) on luma (local contrast the change adds where
     * the original had less, the term SSIMULACRA weighs most) and chroma the mean SSIM of the Cb and Cr planes (colour
     * changes, which SSIMULACRA sees in its Lab channels). A and E are a least-squares fit (relative error) to
     * ssimulacra_main over perturbed shared images, and C the fit with A and E held, over 42 cases random and
     * structured (toward a decoy), see VisibilityCalibrationTest. The joint fit of all three is a little closer on
     * those cases but let optimised perturbations through that ssimulacra scores higher, so the figure keeps the
     * stricter luma weights. Both terms grow with the size of a fixed perturbation, so V is monotone in its scale.
     *
     * <p>{@link VisibilityGraph} is the one definition: the protection runs it where its image is kept, and this
     * runs it on ONNX Runtime.
     */
    public static double visibility(RgbImage original, RgbImage changed) {
        return runVisibility(original, changed).get(VisibilityGraph.VISIBILITY).data()[0];
    }

    static final double VIS_A = 0.69;
    static final double VIS_E = 1.17;
    static final double VIS_C = 0.04;

    /** The visibility figure's terms {1 - luma ssim, edge, 1 - chroma ssim}, exposed for calibration. */
    static double[] visibilityTerms(RgbImage original, RgbImage changed) {
        Map<String, Tensor> out = runVisibility(original, changed);
        return Arrays.stream(VisibilityGraph.TERMS).mapToDouble(t -> out.get(t).data()[0]).toArray();
    }

    /**
     * A private one-thread ONNX Runtime session, not a caller's runtime, on purpose: this is the reference figure,
     * the one VisibilityGraphTest checks the graph on each device against and VisibilityCalibrationTest fits, so it
     * must not depend on the device a caller picked. The protection never calls it: it reads the same graph on its
     * own runtime, where its image is kept.
     */
    private static Map<String, Tensor> runVisibility(RgbImage original, RgbImage changed) {
        original.requireSameSize(changed);
        try (GraphSession s = new OrtRuntime(1).open(VisibilityGraph.between(original.tensor().shape()))) {
            return s.run(Map.of(VisibilityGraph.ORIGINAL, original.tensor(), VisibilityGraph.CHANGED,
                    changed.tensor()));
        }
    }
}
