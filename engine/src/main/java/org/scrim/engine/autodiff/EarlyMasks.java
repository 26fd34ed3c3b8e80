package org.scrim.engine.autodiff;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;

/**
 * Has ONNX Runtime make each Relu mask of a differentiated graph (the backward's Greater(relu output, 0), one byte an
 * element) as soon as the forward has made that Relu's output, so the output (four bytes an element) is freed then
 * instead of being held through the rest of the forward and the backward until its mask is needed. With TAEF2 at
 * 512 px those outputs are most of a step's working memory.
 *
 * <p>ONNX Runtime runs the nodes in the order of a depth-first walk back from the graph's outputs: from the output
 * node that comes last in the graph first, and at each node through its latest input first (nodes its optimisers
 * add, such as its layout conversions, count as latest). So this adds, as the graph's last output, a value made from
 * one element of each mask by a chain in forward order: the walk from it computes the forward up to the first mask,
 * that mask, the forward up to the second, and so on, before the backward. That needs the graph's other outputs to
 * come from nodes the optimisers keep (the protection step's come from Adam's arithmetic; a gradient output straight
 * from a convolution would be walked first). It costs a few tiny nodes, and the other outputs' arithmetic is
 * unchanged; if the walk changes, only the memory is as before ({@code StepGraphMaskOrderTest} checks the order).
 */
public final class EarlyMasks {
    private EarlyMasks() {}

    /**
     * Adds the output {@code name} (a float [1,1]: read nothing from it) that orders the masks of {@code g}'s Relus;
     * adds nothing and returns false when the graph has none. Call it last, after every other node and output.
     */
    public static boolean order(GraphBuilder g, String name) {
        return order(g, name, 0);
    }

    /**
     * As {@link #order(GraphBuilder, String)}, for the masks of the nodes from index {@code firstNode} on: one part of
     * a graph (one encoder's gradient of several), whose masks are ordered apart from the others'.
     */
    public static boolean order(GraphBuilder g, String name, int firstNode) {
        List<String> masks = masksInForwardOrder(g.graph(), firstNode);
        if (masks.isEmpty()) {
            return false;
        }
        String start = g.int64s("mask_element_start", 0);
        String end = g.int64s("mask_element_end", 1);
        String axis = g.int64s("mask_element_axis", 1);
        List<String> elements = new ArrayList<>();
        for (String mask : masks) {
            String flat = g.op("Flatten", new String[] {mask}, Attr.i("axis", 0));
            elements.add(g.op("Slice", flat, start, end, axis));
        }
        // the chain's nodes come after every element, so the walk takes each link before that link's new element;
        // the first link pairs the first element with itself, so it is taken first too
        String chain = g.op("And", elements.get(0), elements.get(0));
        for (int k = 1; k < elements.size(); k++) {
            chain = g.op("And", chain, elements.get(k));
        }
        g.output(g.op("Cast", new String[] {chain}, Attr.i("to", TensorProto.DataType.FLOAT_VALUE)), name);
        return true;
    }

    /** The outputs of the Greater(x, 0) nodes whose x a Relu made (the Relu rule's masks), by the Relus' order. */
    static List<String> masksInForwardOrder(GraphProto graph) {
        return masksInForwardOrder(graph, 0);
    }

    private static List<String> masksInForwardOrder(GraphProto graph, int firstNode) {
        Map<String, Integer> reluAt = new HashMap<>();
        for (int i = firstNode; i < graph.getNodeCount(); i++) {
            NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Relu")) {
                reluAt.put(n.getOutput(0), i);
            }
        }
        List<NodeProto> masks = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getOpType().equals("Greater") && reluAt.containsKey(n.getInput(0))) {
                masks.add(n);
            }
        }
        masks.sort((a, b) -> Integer.compare(reluAt.get(a.getInput(0)), reluAt.get(b.getInput(0))));
        return masks.stream().map(n -> n.getOutput(0)).toList();
    }
}
