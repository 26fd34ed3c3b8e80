package org.scrim.engine.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * ONNX Resize's {@code coordinate_transformation_mode}s the engine supports: where output index o reads from in the
 * input along one axis, for the gradient rule and the OpenCL kernel alike.
 */
public enum ResizeCoordinates {
    HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC;

    /** The mode of Resize node {@code n} (default half_pixel), or null for one not supported here. */
    public static ResizeCoordinates of(NodeProto n) {
        return switch (name(n)) {
            case "half_pixel" -> HALF_PIXEL;
            case "pytorch_half_pixel" -> PYTORCH_HALF_PIXEL;
            case "align_corners" -> ALIGN_CORNERS;
            case "asymmetric" -> ASYMMETRIC;
            default -> null;
        };
    }

    /** The attribute as written, for messages. */
    public static String name(NodeProto n) {
        return NodeAttrs.s(n, "coordinate_transformation_mode", "half_pixel");
    }

    /** The input coordinate output index {@code o} reads, resizing {@code in} to {@code out} by {@code scale}. */
    public double source(long o, long in, long out, double scale) {
        return switch (this) {
            case HALF_PIXEL -> (o + 0.5) / scale - 0.5;
            case PYTORCH_HALF_PIXEL -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case ALIGN_CORNERS -> out == 1 ? 0 : o * (in - 1.0) / (out - 1.0);
            case ASYMMETRIC -> o / scale;
        };
    }
}
