package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official C2PA SDK (c2pa-rs compiled to WebAssembly, npm {@code @contentauth/c2pa-wasm}, pinned in
 * {@code c2pa-check/package-lock.json}) run under Node by {@code c2pa-check/check.mjs}: an independent reader of the
 * manifests Scrim writes. A missing package is installed with npm when npm is there; missing Node or npm fails the
 * test, naming what to install.
 */
final class C2paSdk {
    private C2paSdk() {}

    private static synchronized Path checkFolder() throws InterruptedException {
        // Surefire runs in the module folder; c2pa-check/ is beside it at the repository root.
        Path folder = Path.of("").toAbsolutePath().getParent().resolve("c2pa-check");
        Path sdk = folder.resolve("node_modules/@contentauth/c2pa-wasm");
        if (!Files.isDirectory(sdk)) {
            install(folder);
        }
        if (!Files.isDirectory(sdk)) {
            fail("the C2PA SDK reader is not installed: run `npm ci --prefix " + folder + "` (needs Node.js 18+ "
                    + "and npm: apt-get install -y nodejs npm)");
        }
        return folder;
    }

    /**
     * Installs the pinned SDK as .ci/run does, so the README's test command works on a machine with npm; without npm
     * (or the registry) the caller's message says what to do.
     */
    private static void install(Path folder) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("npm", "ci", "--prefix", folder.toString(), "--no-audit", "--no-fund")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException noNpm) {
            return;
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** One JSON object per file: validation_state, failures (codes), training_mining, actions, signer or error. */
    static List<JsonObject> read(Path... files) throws IOException, InterruptedException {
        Path folder = checkFolder();
        List<String> cmd = new ArrayList<>(List.of("node", folder.resolve("check.mjs").toString()));
        for (Path f : files) {
            cmd.add(f.toAbsolutePath().toString());
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("node is required by the C2PA tests and was not found: apt-get install -y nodejs npm");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("c2pa-check timed out");
        }
        assertEquals(0, p.exitValue(), "c2pa-check failed: " + out);
        List<JsonObject> results = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            results.add(JsonParser.parseString(line).getAsJsonObject());
        }
        assertEquals(files.length, results.size(), out);
        return results;
    }
}
