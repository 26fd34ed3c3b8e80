package org.scrim.engine.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scrim.engine.tensor.Tensor;

/**
 * Builds ONNX graphs node by node. Every graph the engine runs (models, losses, transformations, gradients) is made
 * here, so names stay unique and opsets consistent.
 */
public final class GraphBuilder {
    /** Opset of every graph the engine builds (LayerNormalization needs 17). */
    public static final int OPSET = 17;
    private static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();

    public GraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** Continues an existing graph: its nodes, initializers, inputs and outputs stay, and their names are taken. */
    public GraphBuilder(GraphProto base) {
        graph.mergeFrom(base);
        base.getInputList().forEach(v -> names.add(v.getName()));
        base.getInitializerList().forEach(t -> names.add(t.getName()));
        base.getNodeList().forEach(n -> {
            names.add(n.getName());
            n.getOutputList().forEach(names::add);
        });
    }

    /** A name not used yet in this graph, derived from {@code hint}. */
    public String fresh(String hint) {
        String name = hint;
        while (!names.add(name)) {
            int n = counters.merge(hint, 1, Integer::sum);
            name = hint + "_" + n;
        }
        return name;
    }

    /** Declares a float input; a negative dimension becomes a symbolic one. */
    public String input(String name, long... shape) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("name already used in graph: " + name);
        }
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT_VALUE, shape));
        return name;
    }

    /**
     * Exposes {@code value} as the float graph output {@code name}, through an Identity node, so the output has the
     * caller's name whatever op made the value.
     */
    public void output(String value, String name) {
        node(NodeProto.newBuilder().setOpType("Identity").setName(fresh("out_" + name)).addInput(value)
                .addOutput(name).build());
        output(name);
    }

    /** Marks an existing value as a float graph output (shape left to the runtime). */
    public void output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
    }

    public String initializer(String hint, Tensor t) {
        String name = fresh(hint);
        graph.addInitializer(floatTensor(name, t));
        return name;
    }

    public String scalar(String hint, float value) {
        return initializer(hint, new Tensor(new float[] {value}));
    }

    public String int64s(String hint, long... values) {
        String name = fresh(hint);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        graph.addInitializer(TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length)
                .setRawData(ByteString.copyFrom(buf.array())));
        return name;
    }

    /** Adds a node without attributes, with one output, and returns the output's name. */
    public String op(String opType, String... inputs) {
        return ops(opType, 1, inputs)[0];
    }

    /** Adds a node with one output and returns the output's name. */
    public String op(String opType, String[] inputs, AttributeProto... attrs) {
        return ops(opType, 1, inputs, attrs)[0];
    }

    /** The sum of {@code values}: the value itself when there is one (no node), else one Sum node. */
    public String sum(List<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a sum needs at least one value");
        }
        return values.size() == 1 ? values.get(0) : op("Sum", values.toArray(String[]::new));
    }

    /** Adds a node with {@code outputs} outputs and returns their names. */
    public String[] ops(String opType, int outputs, String[] inputs, AttributeProto... attrs) {
        String[] out = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            out[i] = fresh(opType.toLowerCase());
        }
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(fresh("n_" + opType));
        for (String in : inputs) {
            node.addInput(in);
        }
        for (String o : out) {
            node.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return out;
    }

    /** Sets metadata {@code key} to {@code value} on the node that makes {@code output}. */
    public void annotateProducer(String output, String key, String value) {
        for (NodeProto.Builder n : graph.getNodeBuilderList()) {
            if (n.getOutputList().contains(output)) {
                n.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
                return;
            }
        }
        throw new IllegalArgumentException("no node makes '" + output + "'");
    }

    /** Adds a prepared node as is; its output names are reserved. */
    public void node(NodeProto node) {
        for (String o : node.getOutputList()) {
            if (!o.isEmpty()) {
                names.add(o);
            }
        }
        graph.addNode(node);
    }

    /**
     * Copies every node and initializer of {@code sub} into this graph under fresh names, with the sub-graph's inputs
     * bound to values of this graph. Returns the new names of the sub-graph's outputs, by their old names. This is
     * how one loss graph holds several encoders (an ensemble) or a transformation before an encoder.
     */
    public Map<String, String> inline(GraphProto sub, Map<String, String> inputBinding, String prefix) {
        Map<String, String> rename = new HashMap<>(inputBinding);
        for (ValueInfoProto in : sub.getInputList()) {
            if (!rename.containsKey(in.getName())
                    && sub.getInitializerList().stream().noneMatch(t -> t.getName().equals(in.getName()))) {
                throw new IllegalArgumentException("sub-graph input '" + in.getName() + "' is not bound");
            }
        }
        for (TensorProto init : sub.getInitializerList()) {
            if (inputBinding.containsKey(init.getName())) {
                continue;
            }
            String name = fresh(prefix + init.getName());
            rename.put(init.getName(), name);
            graph.addInitializer(init.toBuilder().setName(name));
        }
        for (NodeProto n : sub.getNodeList()) {
            NodeProto.Builder copy = n.toBuilder().clearInput().clearOutput().setName(fresh(prefix + n.getName()));
            for (String in : n.getInputList()) {
                copy.addInput(in.isEmpty() ? in : rename.getOrDefault(in, in));
            }
            for (String o : n.getOutputList()) {
                if (o.isEmpty()) {
                    copy.addOutput(o);
                } else {
                    String name = fresh(prefix + o);
                    rename.put(o, name);
                    copy.addOutput(name);
                }
            }
            graph.addNode(copy);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        for (ValueInfoProto o : sub.getOutputList()) {
            outputs.put(o.getName(), rename.get(o.getName()));
        }
        return outputs;
    }

    public GraphProto graph() {
        return graph.build();
    }

    /** The graph as a model for a session, without the nodes its outputs do not need ({@link #withoutUnusedNodes}). */
    public ModelProto build() {
        return model(withoutUnusedNodes(graph.build()));
    }

    /** The inputs of {@code g} that no initializer gives: the values a run must be fed. */
    public static List<ValueInfoProto> inputsToFeed(GraphProto g) {
        Set<String> initialised = new HashSet<>();
        g.getInitializerList().forEach(t -> initialised.add(t.getName()));
        return g.getInputList().stream().filter(in -> !initialised.contains(in.getName())).toList();
    }

    /**
     * {@code g} with only the nodes (and initializers) its outputs depend on. {@link #inline} copies a whole
     * sub-graph, so a session that reads one of its outputs (an encoder's latent, where the graph also renders it
     * through a decoder) would otherwise run the rest for nothing. Nodes are in topological order, as ONNX requires.
     */
    public static GraphProto withoutUnusedNodes(GraphProto g) {
        Set<String> needed = new HashSet<>();
        g.getOutputList().forEach(o -> needed.add(o.getName()));
        boolean[] keep = new boolean[g.getNodeCount()];
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            NodeProto n = g.getNode(i);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                keep[i] = true;
                needed.addAll(n.getInputList());
            }
        }
        GraphProto.Builder pruned = g.toBuilder().clearNode().clearInitializer();
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                pruned.addNode(g.getNode(i));
            }
        }
        // an initializer that is also a declared input stays, or the input would become a required one
        g.getInputList().forEach(in -> needed.add(in.getName()));
        g.getInitializerList().stream().filter(t -> needed.contains(t.getName())).forEach(pruned::addInitializer);
        return pruned.build();
    }

    /** Wraps a graph as a model with the engine's opset. */
    public static ModelProto model(GraphProto g) {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("scrim")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g).build();
    }

    public static TensorProto floatTensor(String name, Tensor t) {
        ByteBuffer buf = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(t.data());
        TensorProto.Builder b = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(buf.array()));
        for (long d : t.shape()) {
            b.addDims(d);
        }
        return b.build();
    }

    public static ValueInfoProto valueInfo(String name, int elemType, long... shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.addDim(shape[i] < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(name + "_d" + i)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(shape[i]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }
}
