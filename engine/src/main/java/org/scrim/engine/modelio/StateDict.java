package org.scrim.engine.modelio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.scrim.engine.tensor.Tensor;

/** Named float32 parameters read from a model file, with the file they came from for error messages. */
public final class StateDict {
    private final Path source;
    private final Map<String, Tensor> tensors;

    public StateDict(Path source, Map<String, Tensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Reads a PyTorch zip checkpoint (.pth/.pt/.ckpt) or a .safetensors file, chosen by content. */
    public static StateDict read(Path file) throws IOException {
        return SafetensorsReader.looksLike(file) ? SafetensorsReader.read(file) : TorchCheckpointReader.read(file);
    }

    public Path source() {
        return source;
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The tensor under {@code key}, which must have the given shape. */
    public Tensor get(String key, long... expectedShape) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new CheckpointException(source + ": parameter '" + key + "' is missing");
        }
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new CheckpointException(source + ": parameter '" + key + "' has shape "
                    + Arrays.toString(t.shape()) + ", the architecture needs " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** The tensor under {@code key}, any shape. */
    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new CheckpointException(source + ": parameter '" + key + "' is missing");
        }
        return t;
    }
}
