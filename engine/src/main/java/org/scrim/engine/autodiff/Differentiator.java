package org.scrim.engine.autodiff;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ShapeInference;

/**
 * Reverse-mode differentiation of an ONNX graph, emitted as ONNX: one model computing the loss and its gradients
 * w.r.t. chosen inputs, which any runtime runs as one session. The backward reads the forward's activations (nothing is
 * recomputed) and only differentiates nodes on a path from a wanted input to the loss; weights stay constants.
 */
public final class Differentiator {
    private Differentiator() {}

    /** Output name of the gradient w.r.t. {@code input}. */
    public static String gradName(String input) {
        return "grad_" + input;
    }

    /** Differentiates an opset-17 graph. */
    public static ModelProto gradient(GraphProto forward, String loss, List<String> wrt, Map<String, long[]> inputShapes) {
        return gradient(GraphBuilder.model(forward), loss, wrt, inputShapes);
    }

    /**
     * Differentiates a model, keeping its opset imports (the backward uses that opset's forms, so opset 18+ models
     * with GroupNormalization work too). Graph outputs: {@code loss}, then {@code grad_<input>} for each wrt input.
     */
    public static ModelProto gradient(ModelProto forwardModel, String loss, List<String> wrt,
            Map<String, long[]> inputShapes) {
        GraphProto f = forwardModel.getGraph();
        ShapeInference.Analysis a = ShapeInference.analyze(f, inputShapes);
        checkArguments(f, a, loss, wrt);
        int elemType = a.type(loss);
        int opset = forwardModel.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToInt(o -> (int) o.getVersion()).findFirst().orElse(GraphBuilder.OPSET);

        List<NodeProto> nodes = f.getNodeList();
        Set<String> active = activeValues(nodes, a, loss, wrt);

        GraphBuilder b = new GraphBuilder(f.getName() + "_grad");
        reserveNames(b, f);
        for (String w : wrt) {
            if (!b.fresh(gradName(w)).equals(gradName(w))) {
                throw new IllegalArgumentException("the forward graph already uses the name " + gradName(w));
            }
        }
        Map<Double, String> scalars = new HashMap<>();
        Map<Integer, Map<Integer, String>> addedOutputs = new HashMap<>();
        Map<String, List<String>> cotangents = new HashMap<>();
        VjpContext seedContext = new VjpContext(b, a, NodeProto.getDefaultInstance(), new String[0], i -> false,
                elemType, opset, new HashMap<>(), scalars);
        long[] lossShape = a.shape(loss);
        cotangents.computeIfAbsent(loss, k -> new ArrayList<>()).add(seedContext.tensor(new double[] {1}, lossShape));

        for (int idx = nodes.size() - 1; idx >= 0; idx--) {
            NodeProto n = nodes.get(idx);
            if (n.getInputList().stream().noneMatch(active::contains)
                    || n.getOutputList().stream().noneMatch(cotangents::containsKey)) {
                continue;
            }
            String[] outGrads = n.getOutputList().stream().map(o -> total(b, cotangents.get(o), null))
                    .toArray(String[]::new);
            Map<Integer, String> added = new HashMap<>();
            VjpContext c = new VjpContext(b, a, n, outGrads, i -> i < n.getInputCount() && active.contains(n.getInput(i)),
                    elemType, opset, added, scalars);
            String[] inGrads = VjpRules.rule(n).apply(c);
            if (!added.isEmpty()) {
                addedOutputs.put(idx, added);
            }
            for (int i = 0; i < n.getInputCount(); i++) {
                if (!c.needs(i)) {
                    continue;
                }
                if (inGrads == null || i >= inGrads.length || inGrads[i] == null) {
                    throw new IllegalArgumentException(NodeAttrs.describe(n) + ": its rule gives no gradient for input "
                            + i + " ('" + n.getInput(i) + "'), which lies on the path to the loss");
                }
                cotangents.computeIfAbsent(n.getInput(i), k -> new ArrayList<>()).add(inGrads[i]);
            }
        }
        for (String w : wrt) {
            List<String> parts = cotangents.get(w);
            if (parts == null) { // the loss does not depend on this input
                parts = List.of(seedContext.zeros(a.shape(w)));
            }
            total(b, parts, gradName(w));
        }
        return assemble(forwardModel, a, b.graph(), addedOutputs, loss, wrt, elemType);
    }

    private static void checkArguments(GraphProto f, ShapeInference.Analysis a, String loss, List<String> wrt) {
        if (!a.shapes().containsKey(loss)) {
            throw new IllegalArgumentException("loss '" + loss + "' is not a value of graph '" + f.getName() + "'");
        }
        if (ShapeInference.numel(a.shape(loss)) != 1 || !a.isFloating(loss)) {
            throw new IllegalArgumentException("loss '" + loss + "' must be a float scalar, its shape is "
                    + java.util.Arrays.toString(a.shape(loss)));
        }
        Set<String> inputs = new HashSet<>();
        f.getInputList().forEach(v -> inputs.add(v.getName()));
        f.getInitializerList().forEach(t -> inputs.remove(t.getName()));
        for (String w : wrt) {
            if (!inputs.contains(w)) {
                throw new IllegalArgumentException("'" + w + "' is not a (non-initializer) input of graph '"
                        + f.getName() + "'");
            }
            if (a.type(w) != a.type(loss)) {
                throw new IllegalArgumentException("input '" + w + "' and loss '" + loss + "' differ in element type");
            }
        }
    }

    /** Float values that depend on a wrt input and that the loss depends on: the only ones differentiated. */
    private static Set<String> activeValues(List<NodeProto> nodes, ShapeInference.Analysis a, String loss,
            List<String> wrt) {
        Set<String> fromInputs = new HashSet<>(wrt);
        for (NodeProto n : nodes) {
            if (n.getInputList().stream().anyMatch(fromInputs::contains)) {
                n.getOutputList().stream().filter(o -> !o.isEmpty() && a.isFloating(o)).forEach(fromInputs::add);
            }
        }
        Set<String> toLoss = new HashSet<>(Set.of(loss));
        for (int i = nodes.size() - 1; i >= 0; i--) {
            NodeProto n = nodes.get(i);
            if (n.getOutputList().stream().anyMatch(toLoss::contains)) {
                toLoss.addAll(n.getInputList());
            }
        }
        fromInputs.retainAll(toLoss);
        return fromInputs;
    }

    private static void reserveNames(GraphBuilder b, GraphProto f) {
        f.getInputList().forEach(v -> b.fresh(v.getName()));
        f.getInitializerList().forEach(t -> b.fresh(t.getName()));
        for (NodeProto n : f.getNodeList()) {
            n.getOutputList().forEach(b::fresh);
            b.fresh(n.getName());
        }
    }

    /** The sum of a value's cotangent contributions (one Sum node for several); named {@code name} if given. */
    private static String total(GraphBuilder b, List<String> parts, String name) {
        if (parts == null) {
            return null;
        }
        if (parts.size() == 1 && name == null) {
            return parts.get(0);
        }
        String out = name != null ? name : b.fresh("grad_sum");
        NodeProto.Builder sum = NodeProto.newBuilder().setOpType(parts.size() == 1 ? "Identity" : "Sum")
                .setName(b.fresh("n_" + out)).addOutput(out);
        parts.forEach(sum::addInput);
        b.node(sum.build());
        return out;
    }

    private static ModelProto assemble(ModelProto forwardModel, ShapeInference.Analysis a, GraphProto backward,
            Map<Integer, Map<Integer, String>> addedOutputs, String loss, List<String> wrt, int elemType) {
        GraphProto f = forwardModel.getGraph();
        GraphProto.Builder g = f.toBuilder().clearOutput().clearInput().clearNode();
        for (ValueInfoProto in : f.getInputList()) { // concrete shapes: the backward is built for them
            g.addInput(GraphBuilder.valueInfo(in.getName(), a.type(in.getName()), a.shape(in.getName())));
        }
        for (int i = 0; i < f.getNodeCount(); i++) {
            NodeProto n = f.getNode(i);
            Map<Integer, String> added = addedOutputs.get(i);
            if (added != null) {
                NodeProto.Builder nb = n.toBuilder();
                added.forEach((k, name) -> {
                    while (nb.getOutputCount() <= k) {
                        nb.addOutput("");
                    }
                    nb.setOutput(k, name);
                });
                n = nb.build();
            }
            g.addNode(n);
        }
        g.addAllNode(backward.getNodeList()).addAllInitializer(backward.getInitializerList());
        g.addOutput(GraphBuilder.valueInfo(loss, elemType, a.shape(loss)));
        for (String w : wrt) {
            g.addOutput(GraphBuilder.valueInfo(gradName(w), elemType, a.shape(w)));
        }
        ModelProto.Builder m = forwardModel.toBuilder().setGraph(g);
        if (m.getOpsetImportCount() == 0) {
            m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(GraphBuilder.OPSET));
        }
        return m.build();
    }
}
