package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scrim.engine.imageio.AtomicFiles;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.Npy;
import org.scrim.engine.models.TaeCodec;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scrim encode IMAGE -o LATENT.npy}: the model's latent of an image, for inspection and other tools. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode an image with the model's encoder and save the latent as a NumPy .npy file.")
public final class EncodeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE")
    Path image;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.npy")
    Path output;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws IOException {
        WriteGuard.check(java.util.List.of(new WriteGuard.Write(image, output)), java.util.List.of());
        RgbImage x = ImageFiles.read(image).toRgb();
        try (TaeCodec codec = new TaeCodec(modelOptions.encoderWeights(), null, modelOptions.runtime())) {
            Tensor z = codec.encode(x.tensor());
            AtomicFiles.write(output, out -> out.write(Npy.encode(z)));
            System.out.println(image + " -> " + output + " latent " + java.util.Arrays.toString(z.shape()));
        }
        return 0;
    }
}
