package org.scrim.engine.models;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The encoders a protection attacks, each with the name it was asked by and the sha256 of its weight file, so every
 * front end records exactly which weights a file was protected against (provenance, reports).
 */
public record Ensemble(List<Member> members) {
    /** One encoder: the model name or file it was asked by, its encoder file's sha256, the loaded encoder. */
    public record Member(String name, String sha256, SurrogateEncoder encoder) {}

    public Ensemble {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one encoder");
        }
        members = List.copyOf(members);
    }

    /** Loads {@code models} (known names or encoder files) from {@code store}, hashing each encoder file. */
    public static Ensemble load(ModelStore store, List<String> models) throws IOException {
        List<Member> members = new ArrayList<>();
        for (String m : models) {
            members.add(new Member(m, ModelStore.sha256(store.encoderFile(m)), store.surrogate(m)));
        }
        return new Ensemble(members);
    }

    public List<SurrogateEncoder> encoders() {
        return members.stream().map(Member::encoder).toList();
    }

    /** The models as one name for reports, e.g. {@code taef2+taesana}. */
    public String name() {
        return members.stream().map(Member::name).collect(Collectors.joining("+"));
    }

    /** The models as a file's provenance names them: {@code taef2 sha256:..., taesana sha256:...}. */
    public String identity() {
        return members.stream().map(m -> m.name() + " sha256:" + m.sha256()).collect(Collectors.joining(", "));
    }

    /** Each encoder file's sha256 by model name, in order. */
    public Map<String, String> sha256ByName() {
        Map<String, String> hashes = new LinkedHashMap<>();
        members.forEach(m -> hashes.put(m.name(), m.sha256()));
        return hashes;
    }
}
