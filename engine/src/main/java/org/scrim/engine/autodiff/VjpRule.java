package org.scrim.engine.autodiff;

/**
 * The vector-Jacobian product of one ONNX op: from the cotangents of a node's outputs, emit nodes computing the
 * cotangents of its inputs. Returns one name per input, null where that input needs no gradient.
 */
@FunctionalInterface
public interface VjpRule {
    String[] apply(VjpContext c);
}
