package org.scrim.engine.protect;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.modelio.StateDict;
import org.scrim.engine.models.SurrogateEncoder;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.DeviceMemoryException;
import org.scrim.engine.runtime.RuntimeOptions;
import org.scrim.engine.runtime.cpu.OrtRuntime;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.testing.SharedData;

/**
 * A device short of memory (an OpenCL device given a small share with {@code withDeviceMemory}; PoCL in CI) makes the
 * protection work at a smaller size instead of failing. Measured needs of the largest graph, a protection step on
 * TAEF2: about 100 MiB at 256x170, 31 MiB at 128x85.
 */
class ProtectorDeviceMemoryTest {
    private static final int SIZE = 256;

    private static ComputeRuntime openclWith(int mib) {
        return new RuntimeOptions(1).withBackend(Backend.OPENCL, System.getProperty("scrim.opencl.device"))
                .withDeviceMemory(mib).resolve();
    }

    @Test
    void aDeviceShortOfMemoryProtectsAtASmallerWorkingSize() throws IOException {
        List<SurrogateEncoder> encoders = List.of(SurrogateEncoder.tae("taef2",
                StateDict.read(SharedData.path("models/taef2_encoder.pth"))));
        RgbImage image = Transforms.downscale(ImageFiles.read(SharedData.path("images/chelsea.png")).toRgb(), SIZE);
        // high: at three steps and 128 px, upsampled, the default's butteraugli bound leaves too little to measure
        ProtectRequest request = new ProtectRequest(Mode.MASK, Preset.HIGH, null, Decoy.PATTERN, null, List.of(),
                1, SIZE, 3);
        List<String> phases = new ArrayList<>();
        Protector.Protection p = new Protector(encoders, openclWith(80)).protect(image, request,
                new ProgressListener() {
                    @Override
                    public void phase(String name) {
                        phases.add(name);
                    }
                });
        assertTrue(phases.contains("device memory short: working at 128 px"), "phases: " + phases);
        Verifier.Report r = new Verifier(encoders, new OrtRuntime(2), SIZE)
                .verify(image, ImageTensors.quantize8(p.image()), p.target(), true);
        // 0.047 measured (high's butteraugli bound; 0.05 and more under the SSIMULACRA bound it replaced)
        assertTrue(r.primaryCloseness() > 0.03, "the smaller perturbation still moves the latent: " + r);
        assertTrue(r.butteraugli().max() <= Preset.HIGH.maxButteraugli, "and respects the bound: " + r);

        DeviceMemoryException tooSmall = assertThrows(DeviceMemoryException.class,
                () -> new Protector(encoders, openclWith(20)).protect(image, request, ProgressListener.NONE));
        assertTrue(tooSmall.getMessage().contains("out of memory for graph")
                && tooSmall.getMessage().contains("20 MiB may be used"), tooSmall.getMessage());
    }
}
