package org.scrim.engine.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.scrim.engine.runtime.Backend;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.RuntimeOptions;

/**
 * {@code auto} on a machine whose OpenCL has no GPU (PoCL's CPU device here) leaves the driver out of a JVM that does
 * not chain signals: loaded, PoCL's LLVM takes the JVM's SIGSEGV handler, and ImageJ died with a bare "Segmentation
 * fault" while previewing. This JVM lists the devices itself, as the OpenCL tests beside it do.
 */
class GpuProbeTest {
    @Test
    void autoWithoutAGpuLeavesOpenClOutOfAJvmWithoutSignalChaining() throws Exception {
        List<OpenClDevice> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClException e) {
            devices = List.of();
        }
        assumeTrue(!devices.isEmpty() && devices.stream().noneMatch(OpenClDevice::gpu),
                "needs an OpenCL platform without a GPU (PoCL), as on CI: " + devices);

        String out = runChild(AutoBackendSession.class.getName());
        assertTrue(out.contains("chained=false"), "the child should run without libjsig: " + out);
        assertTrue(out.contains("runtime=OrtRuntime"), out);
        assertTrue(out.contains("opencl-loaded=false"), "auto loaded the OpenCL driver to find no GPU: " + out);
    }

    @Test
    void theChildProbeCountsNoGpuWhereThereIsNone() {
        List<OpenClDevice> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClException e) {
            devices = List.of();
        }
        assertEquals(devices.stream().anyMatch(OpenClDevice::gpu), GpuProbe.childSeesGpu());
    }

    @Test
    void aProbeThatHangsIsGivenUpAfterItsTime() {
        long start = System.nanoTime();
        assertFalse(GpuProbe.gpusReported(List.of("sleep", "30"), 1));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 15, "waited " + seconds + " s for a probe given 1 s");
    }

    @Test
    void theProbesCountIsRead() {
        assertTrue(GpuProbe.gpusReported(List.of("sh", "-c", "echo driver chatter; echo scrim-gpus=2; echo bye"), 30));
        assertFalse(GpuProbe.gpusReported(List.of("sh", "-c", "echo scrim-gpus=0"), 30));
        assertFalse(GpuProbe.gpusReported(List.of("sh", "-c", "echo scrim-gpus=3; exit 1"), 30));
    }

    private static String runChild(String mainClass) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), mainClass)
                .redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** A JVM resolving {@code auto} as the CLI, ImageJ and the service do; reports whether OpenCL got loaded. */
    public static final class AutoBackendSession {
        public static void main(String[] args) throws Exception {
            ComputeRuntime runtime = new RuntimeOptions(1).withBackend(Backend.AUTO, null).resolve();
            String maps = Files.readString(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1);
            System.out.println("chained=" + GpuProbe.signalsChained() + " runtime="
                    + runtime.getClass().getSimpleName() + " opencl-loaded=" + maps.contains("libOpenCL"));
        }
    }
}
