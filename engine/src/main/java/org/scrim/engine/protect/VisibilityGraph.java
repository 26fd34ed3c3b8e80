package org.scrim.engine.protect;

import ai.onnx.proto.OnnxMl.ModelProto;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;

/**
 * The one definition of {@link Quality#visibility} (its formula is documented there), as a graph. {@link #model}
 * measures x against clip(x + s*d), so the visibility projection of each protection step runs where x and d are kept
 * and reads back one number per scale it tries; {@link #between} measures two images, which Quality runs.
 */
final class VisibilityGraph {
    /** The figure, shape [1]. */
    static final String VISIBILITY = "visibility";
    /** {@link #between}'s inputs, both [1,3,H,W]. */
    static final String ORIGINAL = "original";
    static final String CHANGED = "changed";
    /** {@link #between}'s terms: 1 - luma SSIM, added edge contrast, 1 - chroma SSIM (shape [1] or scalar). */
    static final String[] TERMS = {"luma_dissimilarity", "edge", "chroma_dissimilarity"};

    private VisibilityGraph() {}

    /** Inputs {@link StepGraph#IMAGE} x, {@link StepGraph#PERTURBATION} d (both [1,3,H,W]) and scalar s. */
    static ModelProto model(long[] shape) {
        GraphBuilder g = new GraphBuilder("visibility");
        String x = g.input(StepGraph.IMAGE, shape);
        String d = g.input(StepGraph.PERTURBATION, shape);
        String s = g.input(StepGraph.SCALE);
        String changed = GraphImageOps.clip01(g, g.op("Add", x, g.op("Mul", s, d)));
        g.output(figure(g, terms(g, x, changed, shape)), VISIBILITY);
        return g.build();
    }

    /** The figure and its {@link #TERMS} between inputs {@link #ORIGINAL} and {@link #CHANGED}. */
    static ModelProto between(long[] shape) {
        GraphBuilder g = new GraphBuilder("visibility_between");
        String[] t = terms(g, g.input(ORIGINAL, shape), g.input(CHANGED, shape), shape);
        g.output(figure(g, t), VISIBILITY);
        for (int k = 0; k < t.length; k++) {
            g.output(t[k], TERMS[k]);
        }
        return g.build();
    }

    /** The weighted sum of the terms. */
    private static String figure(GraphBuilder g, String[] t) {
        return g.op("Sum", weighted(g, t[0], Quality.VIS_A), weighted(g, t[1], Quality.VIS_E),
                weighted(g, t[2], Quality.VIS_C));
    }

    /** {1 - luma ssim, edge, 1 - chroma ssim} of two [1,3,H,W] images. */
    private static String[] terms(GraphBuilder g, String original, String changed, long[] shape) {
        String y1 = luma(g, original);
        String y2 = luma(g, changed);
        String[] c1 = chroma(g, original, y1);
        String[] c2 = chroma(g, changed, y2);
        // the SSIM maps of luma, Cb and Cr at once, the planes as channels
        String a = g.op("Concat", new String[] {y1, c1[0], c1[1]}, Attr.i("axis", 1));
        String b = g.op("Concat", new String[] {y2, c2[0], c2[1]}, Attr.i("axis", 1));
        long[] planes = {1, 3, shape[2], shape[3]};
        String mu1 = box(g, a, planes);
        String mu2 = box(g, b, planes);
        String dissimilarity = dissimilarity(g, a, b, mu1, mu2, planes);
        String perPlane = g.op("ReduceMean", new String[] {dissimilarity}, Attr.ints("axes", 0, 2, 3),
                Attr.i("keepdims", 0));
        String luma = GraphImageOps.slice(g, perPlane, 0, 0, 1);
        String chroma = g.op("ReduceMean", new String[] {GraphImageOps.slice(g, perPlane, 0, 1, 3)},
                Attr.i("keepdims", 0));
        String added = g.op("Sub", absDeviation(g, y2, GraphImageOps.slice(g, mu2, 1, 0, 1)),
                absDeviation(g, y1, GraphImageOps.slice(g, mu1, 1, 0, 1)));
        String edge = g.op("ReduceMean", new String[] {g.op("Relu", added)}, Attr.i("keepdims", 0));
        return new String[] {luma, edge, chroma};
    }

    /** Rec. 709 luma, as ImageTensors.luma: [1,1,H,W]. */
    private static String luma(GraphBuilder g, String image) {
        return g.op("Sum", channel(g, image, 0, ImageTensors.LUMA_R),
                channel(g, image, 1, ImageTensors.LUMA_G), channel(g, image, 2, ImageTensors.LUMA_B));
    }

    /**
     * Blue- and red-difference planes (Rec. 709 Cb and Cr, scaled to [-0.5,0.5]) shifted by 0.5 into [0,1], so
     * SSIM's mean term sees no signed values: each [1,1,H,W].
     */
    private static String[] chroma(GraphBuilder g, String image, String y) {
        return new String[] {difference(g, GraphImageOps.slice(g, image, 1, 2, 3), y, ImageTensors.LUMA_B),
            difference(g, GraphImageOps.slice(g, image, 1, 0, 1), y, ImageTensors.LUMA_R)};
    }

    /** 0.5 + (c - y) / (2 (1 - w)): a colour-difference plane shifted into [0,1]. */
    private static String difference(GraphBuilder g, String c, String y, float lumaWeight) {
        String scaled = g.op("Div", g.op("Sub", c, y),
                g.scalar("range", 2 * (1 - lumaWeight)));
        return g.op("Add", g.scalar("half", 0.5f), scaled);
    }

    private static String channel(GraphBuilder g, String image, int c, float weight) {
        return g.op("Mul", g.scalar("luma_w", weight), GraphImageOps.slice(g, image, 1, c, c + 1));
    }

    /** A (2r+1)^2 box mean, r = Quality's radius: edge pixels repeated, rows then columns. */
    private static String box(GraphBuilder g, String x, long[] shape) {
        int r = Quality.VISIBILITY_BOX_RADIUS;
        String padded = GraphImageOps.replicatePad(g, x, shape, r, r, r, r);
        String rows = g.op("AveragePool", new String[] {padded}, Attr.ints("kernel_shape", 1, 2 * r + 1));
        return g.op("AveragePool", new String[] {rows}, Attr.ints("kernel_shape", 2 * r + 1, 1));
    }

    /** 1 - the SSIM map, per pixel (its mean loses no digits to 1 - mean near 1). */
    private static String dissimilarity(GraphBuilder g, String y1, String y2, String mu1, String mu2, long[] shape) {
        String s11 = box(g, mul(g, y1, y1), shape);
        String s22 = box(g, mul(g, y2, y2), shape);
        String s12 = box(g, mul(g, y1, y2), shape);
        String v1 = g.op("Sub", s11, mul(g, mu1, mu1));
        String v2 = g.op("Sub", s22, mul(g, mu2, mu2));
        String cov = g.op("Sub", s12, mul(g, mu1, mu2));
        String two = g.scalar("two", 2f);
        String c1 = g.scalar("c1", Quality.C1);
        String c2 = g.scalar("c2", Quality.C2);
        String num = mul(g, g.op("Add", mul(g, mul(g, two, mu1), mu2), c1),
                g.op("Add", mul(g, two, cov), c2));
        String den = mul(g, g.op("Sum", mul(g, mu1, mu1), mul(g, mu2, mu2), c1),
                g.op("Sum", v1, v2, c2));
        return g.op("Sub", g.scalar("one", 1f), g.op("Div", num, den));
    }

    /** |y - mu|. */
    private static String absDeviation(GraphBuilder g, String y, String mu) {
        return g.op("Abs", g.op("Sub", y, mu));
    }

    private static String weighted(GraphBuilder g, String term, double weight) {
        return mul(g, term, g.scalar("weight", (float) weight));
    }

    private static String mul(GraphBuilder g, String a, String b) {
        return g.op("Mul", a, b);
    }
}
