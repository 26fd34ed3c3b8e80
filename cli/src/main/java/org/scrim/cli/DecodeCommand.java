package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scrim.engine.imageio.AtomicFiles;
import org.scrim.engine.modelio.Npy;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.protect.ImageTensors;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scrim decode LATENT.npy -o IMAGE.png}: what the model's decoder renders from a latent. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode a latent (.npy from 'scrim encode') with the model's decoder into a PNG.")
public final class DecodeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LATENT.npy")
    Path latent;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.png")
    Path output;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws IOException {
        WriteGuard.check(java.util.List.of(new WriteGuard.Write(latent, output)), java.util.List.of());
        Tensor z = Npy.read(latent);
        var decoderWeights = modelOptions.decoderWeights();
        if (decoderWeights == null) {
            throw new IllegalArgumentException("model " + modelOptions.models().get(0)
                    + " has no decoder file beside it");
        }
        try (TaeCodec codec = new TaeCodec(modelOptions.encoderWeights(), decoderWeights, modelOptions.runtime())) {
            RgbImage image = RgbImage.of(codec.decode(z), "decoded image");
            AtomicFiles.write(output, out -> javax.imageio.ImageIO.write(ImageTensors.toImage(image), "png", out));
            System.out.println(latent + " -> " + output);
        }
        return 0;
    }
}
