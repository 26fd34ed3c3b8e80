package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.c2pa.ManifestReader;

/** A file's C2PA Content Credentials as report entries, for {@code scrim verify} and {@code scrim tag --show}. */
final class ContentCredentialsReport {
    private ContentCredentialsReport() {}

    /**
     * Keys {@code c2pa}, and with a manifest {@code c2pa_signer}, {@code c2pa_signer_key},
     * {@code c2pa_training_mining}.
     */
    static Map<String, Object> entries(Path file) throws IOException {
        Map<String, Object> entries = new LinkedHashMap<>();
        ManifestReader.Credentials c;
        try {
            c = ManifestReader.read(Files.readAllBytes(file));
        } catch (IOException e) {
            entries.put("c2pa", "unreadable (" + e.getMessage() + ")");
            return entries;
        }
        if (c == null) {
            entries.put("c2pa", "none");
            return entries;
        }
        entries.put("c2pa", switch (c.status()) {
            case VALID -> "valid (hash binding intact, signature good)";
            case CHANGED_SINCE_SIGNED -> "changed since signed (" + c.problem() + ")";
            case INVALID -> "invalid (" + c.problem() + ")";
            case NOT_CHECKED -> "not checked (" + c.problem() + ")";
        });
        if (c.signer() != null) {
            // Scrim has no trust list: it can say who signed, not vouch for them.
            entries.put("c2pa_signer", c.signer() + ", issued by " + c.issuer()
                    + " (not checked against a trust list)");
            // A name is no proof (a self-issued certificate may carry any name): the key says whose it is.
            entries.put("c2pa_signer_key", c.signerKey() + ownership(c.signerKey()));
        }
        entries.put("c2pa_training_mining", c.trainingMining().isEmpty() ? "none stated"
                : c.trainingMining().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")));
        return entries;
    }

    /** Whether the key is this user's own Scrim key; nothing is said when the user has none yet. */
    private static String ownership(String signerKey) throws IOException {
        return C2paSigner.existingForUser().map(own -> own.keyFingerprint().equals(signerKey)
                ? " (your own Scrim key)" : " (not your Scrim key)").orElse("");
    }
}
