package org.scrim.engine.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.CheckpointException;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProgressListener;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Protector;
import org.scrim.engine.protect.Transforms;
import org.scrim.engine.protect.Verifier;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;
import org.scrim.engine.runtime.cpu.OrtRuntime;

/** A user's ONNX encoder with symbolic H and W can be loaded, differentiated and attacked; bad files are refused. */
class OnnxEncoderTest {
    @TempDir
    Path dir;

    /** A small conv encoder as an exporter would write it: symbolic image size, its own names. */
    private static ModelProto tinyEncoder() {
        GraphBuilder g = new GraphBuilder("user_encoder");
        String x = g.input("pixel_values", 1, 3, -1, -1);
        Random r = new Random(3);
        String h = g.op("Relu", new String[] {g.op("Conv", new String[] {x, g.initializer("w1", random(r, 8, 3, 3, 3)),
                g.initializer("b1", random(r, 8))}, Attr.ints("pads", 1, 1, 1, 1), Attr.ints("strides", 2, 2))});
        String z = g.op("Conv", new String[] {h, g.initializer("w2", random(r, 4, 8, 3, 3))},
                Attr.ints("pads", 1, 1, 1, 1), Attr.ints("strides", 2, 2));
        g.node(NodeProto.newBuilder().setOpType("Identity").setName("out").addInput(z).addOutput("latent_dist")
                .build());
        g.output("latent_dist");
        return g.build();
    }

    private static Tensor random(Random r, long... shape) {
        float[] d = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (r.nextGaussian() * 0.3);
        }
        return new Tensor(d, shape);
    }

    @Test
    void aUsersOnnxEncoderIsAttackable() throws IOException {
        Path file = Files.write(dir.resolve("my_encoder.onnx"), tinyEncoder().toByteArray());
        SurrogateEncoder encoder = new ModelStore(List.of(), dir, false).surrogate(file.toString());
        RgbImage image = Transforms.downscale(ImageFiles.read(SharedData.path("images/coffee.png")).toRgb(), 80);
        // steps enough for the views: each sees a mirrored or shifted bucket of the image, not one fixed view
        ProtectRequest request = new ProtectRequest(Mode.MASK, Preset.HIGH, null, Decoy.MOSAIC, null, List.of(), 1,
                80, 16);
        Protector.Protection p = new Protector(List.of(encoder), new OrtRuntime(2)).protect(image, request,
                ProgressListener.NONE);
        Verifier.Report report = new Verifier(List.of(encoder), new OrtRuntime(2), 80)
                .verify(image, ImageTensors.quantize8(p.image()), p.target(), true);
        assertTrue(report.primaryCloseness() > 0.05, "the user's encoder latent moved: " + report);
    }

    @Test
    void refusesFilesItCannotUseWithTheReason() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "this is not protobuf at all \u0000\u00ff");
        CheckpointException e = assertThrows(CheckpointException.class, () -> SurrogateEncoder.onnx(garbage));
        assertTrue(e.getMessage().contains("garbage.onnx: not an ONNX model"), e.getMessage());

        ModelProto old = tinyEncoder().toBuilder().clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).build();
        Path oldFile = Files.write(dir.resolve("old.onnx"), old.toByteArray());
        e = assertThrows(CheckpointException.class, () -> SurrogateEncoder.onnx(oldFile));
        assertTrue(e.getMessage().contains("opset 11") && e.getMessage().contains("opset_version=17"), e.getMessage());

        ModelProto custom = tinyEncoder().toBuilder().setGraph(tinyEncoder().getGraph().toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("FusedThing").setDomain("com.vendor").setName("fused")
                        .addInput("latent_dist").addOutput("extra"))).build();
        Path customFile = Files.write(dir.resolve("custom.onnx"), custom.toByteArray());
        e = assertThrows(CheckpointException.class, () -> SurrogateEncoder.onnx(customFile));
        assertTrue(e.getMessage().contains("custom op com.vendor.FusedThing"), e.getMessage());
    }
}
