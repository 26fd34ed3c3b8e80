package org.scrim.engine.models;

import ai.onnx.proto.OnnxMl.GraphProto;
import org.scrim.engine.modelio.StateDict;

/**
 * An image encoder that protections attack: an ONNX graph from an image input [1,3,H,W] in [0,1] to a latent
 * output. Several form an ensemble.
 */
public record SurrogateEncoder(String name, GraphProto graph, String input, String output) {
    /** A TAE-family encoder built from its weights. */
    public static SurrogateEncoder tae(String name, StateDict weights) {
        return new SurrogateEncoder(name, TaeGraphs.encoder(weights), TaeGraphs.IMAGE, TaeGraphs.LATENT);
    }
}
