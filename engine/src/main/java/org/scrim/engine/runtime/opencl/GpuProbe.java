package org.scrim.engine.runtime.opencl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether this machine has an OpenCL GPU, asked without loading OpenCL into this JVM when loading it could crash the
 * JVM. OpenCL drivers built on LLVM (PoCL, Mesa's) replace the JVM's SIGSEGV and SIGBUS handlers when they load; the
 * JVM takes those signals for its own null checks and safepoints, so from then on it dies now and then with a bare
 * "Segmentation fault" (no hs_err file). Unless the JVM chains signals (libjsig preloaded), {@code auto} therefore
 * lists the devices in a child JVM, and OpenCL loads here only when that child saw a GPU to use.
 */
public final class GpuProbe {
    private static final long CHILD_SECONDS = 60;
    private static final String REPLY = "scrim-gpus=";
    /** More output than a device count and a driver's warnings: not read. */
    private static final long MAX_OUTPUT_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(GpuProbe.class.getName());

    private static Boolean childAnswer;

    private GpuProbe() {}

    /** True where loading a native library cannot take the JVM's signal handlers: libjsig is preloaded, or not Linux. */
    static boolean signalsChained() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return true;
        }
        try {
            return Files.readString(maps, StandardCharsets.ISO_8859_1).contains("/libjsig.so");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether a child JVM lists an OpenCL GPU; false when it lists none, fails or does not answer in time. Asked once
     * per JVM: an editor resolves its runtime for every command, a preview's included.
     */
    static synchronized boolean childSeesGpu() {
        if (childAnswer == null) {
            childAnswer = gpusReported(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classPath(), GpuProbe.class.getName()),
                    CHILD_SECONDS);
        }
        return childAnswer;
    }

    /**
     * Runs {@code command}, a probe that prints {@value #REPLY}N; whether N is above 0. False when it fails, prints no
     * count or runs past {@code seconds}. Its output goes to a file read afterwards, so a probe hung in a driver
     * cannot hold the caller past the time.
     */
    static boolean gpusReported(List<String> command, long seconds) {
        Path log = null;
        try {
            log = Files.createTempFile("scrim-gpu-probe", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.log(System.Logger.Level.INFO, "the OpenCL probe did not answer in " + seconds + " s; using the CPU");
                return false;
            }
            String out = Files.size(log) <= MAX_OUTPUT_BYTES ? Files.readString(log, StandardCharsets.UTF_8) : "";
            int at = out.lastIndexOf(REPLY);
            if (p.exitValue() != 0 || at < 0) {
                LOG.log(System.Logger.Level.INFO, "the OpenCL probe failed (exit " + p.exitValue() + "); using the CPU: "
                        + out.strip());
                return false;
            }
            return Integer.parseInt(out.substring(at + REPLY.length()).lines().findFirst().orElse("").strip()) > 0;
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            LOG.log(System.Logger.Level.INFO, "the OpenCL probe could not run (" + e.getMessage() + "); using the CPU");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "could not delete " + log + ": " + e.getMessage());
                }
            }
        }
    }

    /** This class's and JOCL's jars (or class folders), wherever the JVM or an editor's plugin loader found them. */
    private static String classPath() {
        return location(GpuProbe.class) + java.io.File.pathSeparator + location(org.jocl.CL.class);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("cannot tell where " + c.getName() + " was loaded from", e));
        }
    }

    /** The child's side: prints how many OpenCL GPUs there are (0 without OpenCL). */
    public static void main(String[] args) {
        long gpus;
        try {
            gpus = OpenClDevices.list().stream().filter(OpenClDevice::gpu).count();
        } catch (OpenClException e) {
            gpus = 0;
        }
        System.out.println(REPLY + gpus);
        System.out.flush();
        // halt, not exit: a driver's exit handlers have nothing to keep and are where drivers crash on the way out
        Runtime.getRuntime().halt(0);
    }
}
