package org.scrim.engine.runtime.cpu;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.HashMap;
import java.util.Map;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.ResidentBinding;
import org.scrim.engine.runtime.Runtime;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/** A {@link SessionGroup} on ONNX Runtime: residents are host tensors, fed to each run by name. */
final class HostSessionGroup implements SessionGroup {
    private final Runtime runtime;
    private final Map<String, Tensor> residents = new HashMap<>();

    HostSessionGroup(Runtime runtime) {
        this.runtime = runtime;
    }

    @Override
    public GraphSession open(ModelProto model) {
        return new ResidentBinding(runtime.open(model), model, this);
    }

    @Override
    public void put(String name, Tensor value) {
        residents.put(name, value);
    }

    @Override
    public Tensor get(String name) {
        Tensor t = residents.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no resident named '" + name + "'");
        }
        return t;
    }

    @Override
    public void close() {
        residents.clear();
    }
}
