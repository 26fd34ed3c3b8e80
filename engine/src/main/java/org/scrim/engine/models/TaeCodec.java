package org.scrim.engine.models;

import java.util.Map;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.Tensor;

/** A TAE encoder/decoder pair as forward-only sessions on the chosen backend: encoding, and the "AI view". */
public final class TaeCodec implements AutoCloseable {
    private final GraphSession encoder;
    private final GraphSession decoder;

    public TaeCodec(StateDict encoderWeights, StateDict decoderWeights, ComputeRuntime runtime) {
        this.encoder = runtime.open(GraphBuilder.model(TaeGraphs.encoder(encoderWeights)));
        GraphSession dec = null;
        try {
            dec = decoderWeights == null ? null
                    : runtime.open(GraphBuilder.model(TaeGraphs.decoder(decoderWeights)));
        } finally {
            if (dec == null && decoderWeights != null) {
                encoder.close();
            }
        }
        this.decoder = dec;
    }

    /** [1,3,H,W] in [0,1] -> latent [1,C,H/8,W/8]. */
    public Tensor encode(Tensor image) {
        return encoder.run(Map.of(TaeGraphs.IMAGE, image)).get(TaeGraphs.LATENT);
    }

    /** Latent -> image [1,3,H,W] (not clamped). */
    public Tensor decode(Tensor latent) {
        if (decoder == null) {
            throw new IllegalStateException("no decoder weights were loaded");
        }
        return decoder.run(Map.of(TaeGraphs.LATENT, latent)).get(TaeGraphs.IMAGE);
    }

    @Override
    public void close() {
        encoder.close();
        if (decoder != null) {
            decoder.close();
        }
    }
}
