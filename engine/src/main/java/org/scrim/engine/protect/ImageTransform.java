package org.scrim.engine.protect;

import org.scrim.engine.onnx.GraphBuilder;

/**
 * A differentiable image manipulation written as ONNX nodes, for expectation over transformations: the loss graph
 * applies it between the perturbed image and the encoder. Implementations use only ops the engine's autodiff
 * differentiates (Conv, ConvTranspose, elementwise arithmetic, Clip, Concat, Slice, Resize, AveragePool, ...).
 */
public interface ImageTransform {
    /** Adds the nodes to {@code g}, reading {@code image} of shape {@code shape}; returns the result's value name. */
    String apply(GraphBuilder g, String image, long[] shape);

    /** The shape {@link #apply} produces from an input of {@code shape}. */
    long[] outputShape(long[] shape);

    /** Short description for logs and reports, e.g. {@code jpeg(q=75)}. */
    String describe();
}
