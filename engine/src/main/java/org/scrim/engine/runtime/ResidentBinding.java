package org.scrim.engine.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.Tensor;

/**
 * A host session run against a {@link SessionGroup}'s residents through {@code get} and {@code put}: how an OpenCL
 * group runs a graph it has no kernels for (copying the residents it reads).
 */
public final class ResidentBinding implements GraphSession {
    private final GraphSession session;
    private final SessionGroup group;
    private final List<String> inputs;

    public ResidentBinding(GraphSession session, ModelProto model, SessionGroup group) {
        this.session = session;
        this.group = group;
        this.inputs = GraphBuilder.inputsToFeed(model.getGraph()).stream().map(ValueInfoProto::getName).toList();
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        Map<String, Tensor> all = new LinkedHashMap<>(feeds);
        for (String in : inputs) {
            if (!all.containsKey(in)) {
                all.put(in, group.get(in));
            }
        }
        return group.carryIn(session.run(all));
    }

    @Override
    public String description() {
        return session.description();
    }

    @Override
    public void close() {
        session.close();
    }
}
