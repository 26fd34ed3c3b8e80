package org.scrim.imagej;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.scrim.engine.testing.SharedData;

/**
 * An ImageJ 1.x installation laid out as the Fiji zip installs it (the plugin jar in plugins/, the engine and its
 * libraries in plugins/jars/), and runs of the real ImageJ on it in its own JVM under Xvfb.
 */
final class RealImageJ {
    /** Per run; a run that hangs (ImageJ opens an invisible modal dialog on an unknown command) is killed. */
    static final int RUN_SECONDS = 120;

    final Path dir;

    private RealImageJ(Path dir) {
        this.dir = dir;
    }

    /** Writes the shared chelsea scaled to {@code width} px wide (bilinear) as a PNG at {@code file}; returns it. */
    static BufferedImage writeChelsea(Path file, int width) throws IOException {
        BufferedImage src = ImageIO.read(SharedData.path("images/chelsea.png").toFile());
        BufferedImage image = new BufferedImage(width, src.getHeight() * width / src.getWidth(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, image.getWidth(), image.getHeight(), null);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
        return image;
    }

    /** {@code image} at 16 bits per channel (level x 257), as a photo editor exports a 48-bit colour TIFF. */
    static BufferedImage sixteenBitColour(BufferedImage image) {
        ComponentColorModel model = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(image.getWidth(),
                image.getHeight());
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                for (int b = 0; b < 3; b++) {
                    raster.setSample(x, y, b, ((rgb >> (16 - 8 * b)) & 0xff) * 257);
                }
            }
        }
        return new BufferedImage(model, raster, false, null);
    }

    /** Installs the plugin under {@code dir}: the compiled classes as a jar, the runtime jars Maven listed. */
    static RealImageJ install(Path dir) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jars = Files.createDirectories(plugins.resolve("jars"));
        // The name needs its underscore, or ImageJ 1.x does not register the jar.
        copyOrJar(classPathEntry("org/scrim/imagej/Protect_Image.class"), plugins.resolve("Scrim_Plugin-test.jar"));
        String listFile = System.getProperty("scrim.runtimeClasspath");
        if (listFile == null || !Files.isRegularFile(Path.of(listFile))) {
            fail("the runtime class path list " + listFile + " is missing: run the tests through Maven, whose "
                    + "dependency:build-classpath step writes it (-Dscrim.runtimeClasspath=FILE)");
        }
        for (String entry : Files.readString(Path.of(listFile)).trim().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            // In a reactor build the engine comes as its classes folder rather than its jar.
            copyOrJar(p, jars.resolve(Files.isDirectory(p) ? "scrim-engine-test.jar" : p.getFileName().toString()));
        }
        return new RealImageJ(dir);
    }

    /**
     * Runs {@code macro} with {@code ij.ImageJ -batch} under {@code xvfb-run}; returns stdout and stderr. ImageJ
     * exits 0 even after a macro error, so callers check the files the macro writes.
     */
    String batch(String macro) throws IOException, InterruptedException {
        return batch(macro, true);
    }

    /** As {@link #batch(String)}; without models, the model's weights are nowhere on this machine. */
    String batch(String macro, boolean withModels) throws IOException, InterruptedException {
        Path macroFile = dir.resolve("run.ijm");
        Files.writeString(macroFile, macro);
        return run(withModels, classPathEntry("ij/ImageJ.class").toString(), "ij.ImageJ", "-ijpath", dir.toString(),
                "-batch", macroFile.toString());
    }

    /**
     * Runs a test class's {@code main} in a JVM with ImageJ on its class path, as a user session would: the driver
     * starts ImageJ with this folder's plugins and works its windows. Returns stdout and stderr.
     */
    String drive(Class<?> driver, String... args) throws IOException, InterruptedException {
        List<String> mainAndArgs = new ArrayList<>(List.of(driver.getName(), dir.toString()));
        mainAndArgs.addAll(List.of(args));
        return run(true, classPathEntry("ij/ImageJ.class") + java.io.File.pathSeparator
                + classPathEntry(driver.getName().replace('.', '/') + ".class"), mainAndArgs.toArray(String[]::new));
    }

    /**
     * Runs java with {@code classPathAndArgs} under {@code xvfb-run}, with the shared models as {@code $SCRIM_MODELS}
     * (or with no model and no network) and a private home (so the user's IJ_Prefs.txt plays no part); fails on a hang or a non-zero exit.
     */
    private String run(boolean withModels, String classPath, String... mainAndArgs)
            throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        List<String> command = new ArrayList<>(List.of(requireTool("xvfb-run", "xvfb"), "-a",
                "timeout", Integer.toString(RUN_SECONDS),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Duser.home=" + home, "-cp", classPath));
        if (!withModels) {
            // Offline for sure: downloads go through a proxy on a closed local port, so they fail at once.
            command.addAll(command.size() - 2, List.of("-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9"));
        }
        command.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (withModels) {
            pb.environment().put("SCRIM_MODELS", SharedData.path("models").toString());
        } else {
            pb.environment().remove("SCRIM_MODELS");
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(RUN_SECONDS + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("xvfb-run did not return: " + output);
        }
        if (p.exitValue() == 124) {
            fail("ImageJ ran past " + RUN_SECONDS + " s (a hidden dialog, e.g. an unknown command?): " + output);
        }
        if (p.exitValue() != 0) {
            fail("ImageJ exited with " + p.exitValue() + ": " + output);
        }
        return output;
    }

    /** The mask closeness without manipulation in a saved Verify Protection table (CSV rows Image,Figure,Value). */
    static double tabledCloseness(List<String> rows) {
        String row = rows.stream().filter(r -> r.contains("closeness none") && !r.contains("poison")).findFirst()
                .orElseThrow(() -> new AssertionError("no closeness row in " + rows));
        return Double.parseDouble(row.substring(row.lastIndexOf(',') + 1));
    }

    /** A path in ImageJ macro syntax: a string literal. */
    static String literal(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String requireTool(String name, String debianPackage) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return fail(name + " is needed to run the real ImageJ in these tests and is not on PATH: "
                + "apt-get install -y " + debianPackage);
    }

    /** The jar or folder holding a class, found as a resource so no ImageJ class loads before the patcher runs. */
    private static Path classPathEntry(String classFile) {
        java.net.URL url = RealImageJ.class.getClassLoader().getResource(classFile);
        if (url == null) {
            throw new IllegalStateException(classFile + " is not on the test class path");
        }
        String s = url.toString();
        try {
            if (s.startsWith("jar:")) {
                return Path.of(new java.net.URI(s.substring(4, s.indexOf("!/"))));
            }
            Path file = Path.of(url.toURI());
            return file.getRoot().resolve(file.subpath(0, file.getNameCount() - classFile.split("/").length));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the class path entry of " + classFile + ": " + s, e);
        }
    }

    private static void copyOrJar(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to);
            return;
        }
        try (OutputStream out = Files.newOutputStream(to); JarOutputStream jar = new JarOutputStream(out);
                Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(from.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }
}
