package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.ModelStore.KnownFile;
import org.scrim.engine.models.ModelStore.KnownModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scrim models list|pull|check}: what models there are, fetch them, verify them. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the known models, download them (pull) or check the files you have (check).")
public final class ModelsCommand implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "list", paramLabel = "list|pull|check",
            description = "What to do. Default: ${DEFAULT-VALUE}.")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
            description = "Only this model (default: all known models).")
    String name;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "Extra folder to look in first.")
    Path modelDir;

    @Override
    public Integer call() throws IOException {
        ModelStore store = ModelStore.standard(modelDir);
        int failures = 0;
        for (KnownModel m : ModelStore.KNOWN.values()) {
            if (name != null && !name.equals(m.name())) {
                continue;
            }
            System.out.println(m.name() + (ModelStore.DEFAULT_ENCODERS.contains(m.name()) ? " (default)" : "")
                    + ": " + m.description());
            for (KnownFile f : m.files()) {
                failures += show(store, f) ? 0 : 1;
            }
        }
        if (name != null && !ModelStore.KNOWN.containsKey(name)) {
            ModelStore.known(name); // throws with the list of known names
        }
        return failures == 0 ? 0 : ScrimCommand.EXIT_MODEL;
    }

    private boolean show(ModelStore store, KnownFile f) {
        try {
            Optional<Path> where = switch (action) {
                case "list" -> store.find(f);
                case "pull", "check" -> Optional.of(action.equals("pull") ? store.resolve(f)
                        : store.find(f).orElseThrow(() -> new IOException("not found in " + store.searchDirs())));
                default -> throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "unknown action '" + action + "': use list, pull or check");
            };
            System.out.println("  " + f.fileName() + ": " + where.map(p -> "ok, " + p).orElse("not downloaded yet")
                    + (action.equals("list") ? "" : " (sha256 verified)"));
            return true;
        } catch (IOException e) {
            System.out.println("  " + f.fileName() + ": FAILED: " + e.getMessage());
            return false;
        }
    }
}
