package org.scrim.engine.runtime.cpu;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/**
 * A {@link SessionGroup} on ONNX Runtime: residents are native tensors that its sessions read in place, and a carried
 * output replaces its resident without a copy. Kept on the Java heap instead, the residents (the targets of every
 * model, the optimiser's state) were copied into native memory for each run and the outputs back, which held the
 * targets twice while a step's working memory peaked and left the heap growing with each step's copies.
 */
final class HostSessionGroup implements SessionGroup {
    private final OrtEnvironment env = OrtEnvironments.get();
    private final int threads;
    private final Map<String, NativeTensor> residents = new HashMap<>();

    HostSessionGroup(int threads) {
        this.threads = threads;
    }

    @Override
    public GraphSession open(ModelProto model) {
        OrtModel session = new OrtModel(model, threads);
        List<String> inputs = GraphBuilder.inputsToFeed(model.getGraph()).stream().map(ValueInfoProto::getName)
                .toList();
        Set<String> carriedOutputs = model.getGraph().getOutputList().stream().map(ValueInfoProto::getName)
                .filter(n -> SessionGroup.carriedInto(n) != null).collect(Collectors.toSet());
        return new GraphSession() {
            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds) {
                Map<String, NativeTensor> copies = new HashMap<>();
                try {
                    Map<String, OnnxTensor> all = new HashMap<>();
                    for (String in : inputs) {
                        Tensor fed = feeds.get(in);
                        if (fed != null) {
                            NativeTensor copy = NativeTensor.copyOf(env, fed);
                            copies.put(in, copy);
                            all.put(in, copy.value());
                        } else {
                            all.put(in, resident(in).value());
                        }
                    }
                    OrtModel.Outputs out = session.run(all, carriedOutputs);
                    out.kept().forEach((name, value) -> replace(SessionGroup.carriedInto(name), value));
                    // a carried output that a later stage also reads comes back as a host copy
                    return carryIn(out.host());
                } finally {
                    copies.values().forEach(NativeTensor::close);
                }
            }

            @Override
            public String description() {
                return session.description();
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    @Override
    public void put(String name, Tensor value) {
        replace(name, NativeTensor.copyOf(env, value));
    }

    @Override
    public Tensor get(String name) {
        return resident(name).toHost();
    }

    private NativeTensor resident(String name) {
        NativeTensor t = residents.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no resident named '" + name + "'");
        }
        return t;
    }

    private void replace(String name, NativeTensor value) {
        NativeTensor old = residents.put(name, value);
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void close() {
        residents.values().forEach(NativeTensor::close);
        residents.clear();
    }
}
