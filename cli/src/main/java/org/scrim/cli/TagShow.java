package org.scrim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.metadata.EmbeddedTags;
import org.scrim.engine.metadata.MetadataReader;
import org.scrim.engine.statement.Provenance;

/** {@code scrim tag --show}: what each file says about AI training, in XMP and in its C2PA manifest. */
final class TagShow {
    private TagShow() {}

    /** Prints each file's statements; returns the exit code (1 when a file could not be read). */
    static int print(List<Path> files, PrintWriter out, PrintWriter err) {
        int failures = 0;
        for (Path file : files) {
            try {
                EmbeddedTags t = MetadataReader.read(file);
                Map<String, Object> lines = new LinkedHashMap<>();
                lines.put("data_mining", t.dataMining() != null ? t.dataMining().code()
                        : t.dataMiningUri() != null ? t.dataMiningUri() : "none");
                lines.put("constraints", t.otherConstraints());
                lines.put("creator", t.creators().isEmpty() ? null : String.join("; ", t.creators()));
                lines.put("rights", t.rights());
                lines.put("web_statement", t.webStatement());
                Provenance p = t.provenance();
                lines.put("scrim", p == null ? null : p.properties().toString());
                lines.putAll(ContentCredentialsReport.entries(file));
                out.println(file);
                lines.forEach((k, v) -> {
                    if (v != null) {
                        out.println("  " + k + ": " + v);
                    }
                });
            } catch (IOException e) {
                err.println("scrim tag: " + e.getMessage());
                failures++;
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }
}
