package org.scrim.engine.usecase;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.models.SurrogateEncoder;

/**
 * The surrogate encoders a protection pulls on, loaded through a {@link ModelStore}, with each encoder file's sha256
 * so reports and provenance say exactly which weights the protection was made against. The command line, the local
 * service and the Spark job load them here, so they all name the models alike.
 *
 * @param names          the models as given (known names or files), in order
 * @param encoderSha256s each model's encoder file sha256, in the same order
 * @param encoders       the loaded encoders, in the same order
 */
public record ProtectionModels(List<String> names, List<String> encoderSha256s, List<SurrogateEncoder> encoders) {
    public ProtectionModels {
        names = List.copyOf(names);
        encoderSha256s = List.copyOf(encoderSha256s);
        encoders = List.copyOf(encoders);
    }

    /** Loads {@code names} through {@code store}, which checks known files against their pinned sha256. */
    public static ProtectionModels load(ModelStore store, List<String> names) throws IOException {
        List<String> hashes = new ArrayList<>();
        List<SurrogateEncoder> encoders = new ArrayList<>();
        for (String m : names) {
            hashes.add(ModelStore.sha256(store.encoderFile(m)));
            encoders.add(store.surrogate(m));
        }
        return new ProtectionModels(names, hashes, encoders);
    }

    /** The models as one name for reports and provenance, e.g. {@code taef2+taesana}. */
    public String name() {
        return String.join("+", names);
    }

    /** Each model's encoder sha256, by model, in order. */
    public Map<String, String> sha256ByModel() {
        Map<String, String> byModel = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            byModel.put(names.get(i), encoderSha256s.get(i));
        }
        return byModel;
    }

    /** The models as the file's provenance names them: {@code taef2 sha256:..., taesana sha256:...}. */
    public String identity() {
        List<String> identities = new ArrayList<>();
        sha256ByModel().forEach((name, hash) -> identities.add(name + " sha256:" + hash));
        return String.join(", ", identities);
    }
}
