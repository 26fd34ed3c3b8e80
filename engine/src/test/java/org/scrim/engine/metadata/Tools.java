package org.scrim.engine.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the external reference tools the metadata tests check against; a missing tool fails the test, never skips. */
final class Tools {
    private Tools() {}

    static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail(name + " is required by the metadata tests and was not found on PATH: apt-get install -y "
                + debianPackage);
    }

    /** Runs a tool, failing the test on a non-zero exit; returns stdout. */
    static byte[] run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " timed out");
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed: " + err);
        return out;
    }

    static Path exiftool() {
        return require("exiftool", "libimage-exiftool-perl");
    }

    /** All tags exiftool finds, keyed "Group1:Tag", values unconverted (-n) and structured (-struct). */
    static JsonObject exiftoolJson(Path file) throws IOException, InterruptedException {
        byte[] json = run(exiftool().toString(), "-j", "-G1", "-struct", "-n", file.toString());
        JsonArray arr = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonArray();
        return arr.get(0).getAsJsonObject();
    }

    /** Writes metadata with exiftool, as another application would have before Scrim saw the file. */
    static void exiftoolWrite(Path file, String... assignments) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(exiftool().toString(), "-q", "-overwrite_original"));
        cmd.addAll(List.of(assignments));
        cmd.add(file.toString());
        run(cmd.toArray(String[]::new));
    }

    static byte[] exiftoolBinary(Path file, String tag) throws IOException, InterruptedException {
        return run(exiftool().toString(), "-b", "-" + tag, file.toString());
    }
}
