package org.scrim.engine.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.runtime.cpu.OrtEnvironments;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.onnx.NodeAttrs;
import org.scrim.engine.onnx.ShapeInference;

/**
 * Finite-difference checks of emitted gradients. The forward is built in float with {@link GraphBuilder}; double
 * checks convert every float tensor of the graph to double (ORT CPU runs many ops in double), float checks are for
 * float-only kernels (Conv, pooling, Resize, ...). The loss is sum(y * r) with a fixed random cotangent r, so every
 * output element is weighted differently, and the check compares the whole gradient by relative L2 error.
 */
final class GradCheck {
    private static final OrtEnvironment ENV = OrtEnvironments.get();

    /** How to draw input values: uniform in [-1, 1], in [0.5, 1.5], or well separated (no ties for max ops). */
    enum Values { SIGNED, POSITIVE, DISTINCT }

    private final boolean dbl;
    private final double step;
    private final double tolerance;
    private Values values = Values.SIGNED;
    private int opset = GraphBuilder.OPSET;

    private GradCheck(boolean dbl, double step, double tolerance) {
        this.dbl = dbl;
        this.step = step;
        this.tolerance = tolerance;
    }

    /** Double precision: central differences with step 1e-6 are accurate to about 1e-9 relative. */
    static GradCheck inDouble() {
        return new GradCheck(true, 1e-6, 1e-6);
    }

    /**
     * Float precision for float-only kernels: rounding error of a loss near 1 is about 1e-7, so a step of 1e-2 gives
     * difference quotients good to about 1e-5 for linear ops (no truncation error) and 1e-4 relative for smooth ones.
     */
    static GradCheck inFloat(double step, double tolerance) {
        return new GradCheck(false, step, tolerance);
    }

    GradCheck values(Values v) {
        this.values = v;
        return this;
    }

    GradCheck opset(int v) {
        this.opset = v;
        return this;
    }

    /** Builds the forward ({@code forward} declares inputs and returns the output), checks d loss / d wrt. */
    double check(Function<GraphBuilder, String> forward, String... wrt) {
        GraphBuilder b = new GraphBuilder("check");
        String y = forward.apply(b);
        GraphProto g0 = b.graph();
        long[] ys = ShapeInference.infer(g0, Map.of()).get(y);
        Random rnd = new Random(7);
        String weighted = b.op("Mul", y, b.initializer("r", randomTensor(rnd, ys, Values.SIGNED)));
        String loss = b.op("ReduceSum", new String[] {weighted}, Attr.i("keepdims", 0));
        GraphProto g = b.graph();
        if (dbl) {
            g = toDouble(g);
        }
        ModelProto forwardModel = model(g.toBuilder().clearOutput()
                .addOutput(GraphBuilder.valueInfo(loss, elemType(), new long[0])).build());
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (ValueInfoProto in : g.getInputList()) {
            long[] shape = in.getType().getTensorType().getShape().getDimList().stream()
                    .mapToLong(d -> d.getDimValue()).toArray();
            inputs.put(in.getName(), randomTensor(rnd, shape, values));
        }
        ModelProto grad = Differentiator.gradient(forwardModel, loss, List.of(wrt), Map.of());
        double worst = 0;
        try (OrtSession fwd = session(forwardModel); OrtSession bwd = session(grad)) {
            Map<String, double[]> out = run(bwd, inputs);
            assertEquals(run(fwd, inputs).get(loss)[0], out.get(loss)[0], 1e-6 * (1 + Math.abs(out.get(loss)[0])),
                    "loss of the gradient model");
            for (String w : wrt) {
                double[] analytic = out.get(Differentiator.gradName(w));
                double[] numeric = finiteDifferences(fwd, inputs, w, loss);
                assertEquals(numeric.length, analytic.length, "size of the gradient of " + w);
                double err = relativeError(analytic, numeric);
                assertTrue(err < tolerance, "gradient of " + w + ": relative L2 error " + err + " (tolerance "
                        + tolerance + ")\nanalytic " + Arrays.toString(head(analytic)) + "\nnumeric  "
                        + Arrays.toString(head(numeric)));
                worst = Math.max(worst, err);
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        return worst;
    }

    private double[] finiteDifferences(OrtSession fwd, Map<String, Tensor> inputs, String w, String loss) {
        float[] x = inputs.get(w).data();
        double[] base = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            base[i] = x[i];
        }
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] shifted = base.clone();
            shifted[i] = base[i] + step;
            double plus = runWith(fwd, inputs, w, shifted, loss);
            shifted[i] = base[i] - step;
            double minus = runWith(fwd, inputs, w, shifted, loss);
            grad[i] = (plus - minus) / (2 * step);
        }
        return grad;
    }

    private double runWith(OrtSession s, Map<String, Tensor> inputs, String w, double[] value, String loss) {
        Map<String, Object> feeds = new LinkedHashMap<>(inputs);
        feeds.put(w, value);
        return runRaw(s, feeds, inputs).get(loss)[0];
    }

    private Map<String, double[]> run(OrtSession s, Map<String, Tensor> inputs) {
        return runRaw(s, new LinkedHashMap<>(inputs), inputs);
    }

    /** Feeds are Tensors or double[] (perturbed copies), in the check's precision. */
    private Map<String, double[]> runRaw(OrtSession s, Map<String, Object> feeds, Map<String, Tensor> shapes) {
        Map<String, OnnxTensor> ort = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object> e : feeds.entrySet()) {
                double[] v = e.getValue() instanceof Tensor t ? toDoubles(t.data()) : (double[]) e.getValue();
                long[] shape = shapes.get(e.getKey()).shape();
                if (dbl) {
                    ort.put(e.getKey(), OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(v), shape));
                } else {
                    float[] f = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        f[i] = (float) v[i];
                    }
                    ort.put(e.getKey(), OnnxTensor.createTensor(ENV, FloatBuffer.wrap(f), shape));
                }
            }
            Map<String, double[]> out = new LinkedHashMap<>();
            try (OrtSession.Result r = s.run(ort)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    if (dbl) {
                        DoubleBuffer db = t.getDoubleBuffer();
                        double[] d = new double[db.remaining()];
                        db.get(d);
                        out.put(e.getKey(), d);
                    } else {
                        FloatBuffer fb = t.getFloatBuffer();
                        float[] f = new float[fb.remaining()];
                        fb.get(f);
                        out.put(e.getKey(), toDoubles(f));
                    }
                }
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            ort.values().forEach(OnnxTensor::close);
        }
    }

    static double relativeError(double[] analytic, double[] numeric) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < numeric.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        if (norm == 0) {
            throw new AssertionError("finite differences are all zero: the check would prove nothing");
        }
        return Math.sqrt(diff / norm);
    }

    private int elemType() {
        return dbl ? TensorProto.DataType.DOUBLE_VALUE : TensorProto.DataType.FLOAT_VALUE;
    }

    private ModelProto model(GraphProto g) {
        return GraphBuilder.model(g).toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static OrtSession session(ModelProto m) throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            return ENV.createSession(m.toByteArray(), so);
        }
    }

    static Tensor randomTensor(Random rnd, long[] shape, Values kind) {
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (kind) {
                case SIGNED -> rnd.nextFloat() * 2 - 1;
                case POSITIVE -> 0.5f + rnd.nextFloat();
                case DISTINCT -> 0.05f * i - 0.025f * v.length;
            };
        }
        if (kind == Values.DISTINCT) { // shuffle distinct, evenly spaced values
            for (int i = v.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        return new Tensor(v, shape);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] head(double[] v) {
        return Arrays.copyOf(v, Math.min(v.length, 8));
    }

    /** The same graph with every float tensor (inputs, initializers, Constant values, Cast targets) in double. */
    static GraphProto toDouble(GraphProto g) {
        GraphProto.Builder b = g.toBuilder().clearInitializer().clearNode().clearInput();
        for (ValueInfoProto in : g.getInputList()) {
            ValueInfoProto.Builder v = in.toBuilder();
            if (in.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT_VALUE) {
                v.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.DOUBLE_VALUE);
            }
            b.addInput(v);
        }
        g.getInitializerList().forEach(t -> b.addInitializer(toDouble(t)));
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder nb = n.toBuilder().clearAttribute();
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasT()) {
                    a = a.toBuilder().setT(toDouble(a.getT())).build();
                } else if (n.getOpType().equals("Cast") && a.getName().equals("to")
                        && a.getI() == TensorProto.DataType.FLOAT_VALUE) {
                    a = Attr.i("to", TensorProto.DataType.DOUBLE_VALUE);
                }
                nb.addAttribute(a);
            }
            b.addNode(nb);
        }
        return b.build();
    }

    private static TensorProto toDouble(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return t;
        }
        double[] v = NodeAttrs.values(t);
        ByteBuffer buf = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            buf.putDouble(d);
        }
        return t.toBuilder().clearFloatData().setDataType(TensorProto.DataType.DOUBLE_VALUE)
                .setRawData(ByteString.copyFrom(buf.array())).build();
    }
}
