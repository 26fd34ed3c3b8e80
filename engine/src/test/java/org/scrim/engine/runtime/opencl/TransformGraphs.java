package org.scrim.engine.runtime.opencl;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.scrim.engine.autodiff.Differentiator;
import org.scrim.engine.protect.Losses;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.protect.ImageTransform;

/**
 * The two graphs protection's AttackModel builds for one encoder seen through a transform: the forward x -> E(T(x)),
 * and the loss w * |E(T(x)) - target|^2 with its gradient with respect to x (inputs x, target, weight).
 */
final class TransformGraphs {
    private TransformGraphs() {}

    /** {@code encoder} adds the encoder's nodes to the builder, from the transformed image to the latent. */
    static ModelProto forward(String name, ImageTransform t, long[] image,
            BiFunction<GraphBuilder, String, String> encoder) {
        GraphBuilder g = new GraphBuilder(name);
        g.output(encoder.apply(g, t.apply(g, g.input("x", image), image)));
        return g.build();
    }

    static ModelProto lossAndGradient(String name, ImageTransform t, long[] image, long[] latent,
            BiFunction<GraphBuilder, String, String> encoder) {
        GraphBuilder g = new GraphBuilder(name);
        String z = encoder.apply(g, t.apply(g, g.input("x", image), image));
        String target = g.input("target", latent);
        String weight = g.input("weight");
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put("x", image);
        shapes.put(target, latent);
        shapes.put(weight, new long[0]);
        String loss = g.op("Mul", Losses.squaredDistance(g, z, target, Losses.Reduction.SUM), weight);
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("loss_out").addInput(loss).addOutput("loss")
                .build());
        g.output("loss");
        return Differentiator.gradient(g.graph(), "loss", List.of("x"), shapes);
    }
}
