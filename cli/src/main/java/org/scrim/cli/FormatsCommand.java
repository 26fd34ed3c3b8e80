package org.scrim.cli;

import com.google.gson.Gson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code scrim formats}: the file extensions Scrim reads and those it writes, as JSON, so an editor's plugin offers
 * and checks the engine's own list instead of keeping a copy.
 */
@Command(name = "formats", mixinStandardHelpOptions = true,
        description = {"Prints the file extensions Scrim reads and writes, as JSON: {\"reads\": [...], \"writes\": "
                + "[...]}. WebP is read but not written: protect a .webp image to a .png."})
final class FormatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, List<String>> formats = new LinkedHashMap<>();
        formats.put("reads", Stream.of(ImageFormat.values()).flatMap(f -> f.extensions().stream()).toList());
        formats.put("writes", ImageFormat.writableExtensions());
        spec.commandLine().getOut().println(new Gson().toJson(formats));
        return 0;
    }
}
