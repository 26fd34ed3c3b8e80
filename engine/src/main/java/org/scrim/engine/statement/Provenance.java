package org.scrim.engine.statement;

/**
 * What Scrim did to an image, recorded in the file's XMP under the {@code scrim} namespace so a viewer can tell a
 * protected image from a merely tagged one. Null fields are not written.
 *
 * @param protection the protection applied, e.g. "encoder-pgd", or "none" for metadata only
 * @param preset     the user-facing preset, e.g. "default"
 * @param model      the model attacked, e.g. "taef2-encoder"
 * @param version    the Scrim version that wrote the file
 * @param decoy      the decoy style a mask pulled toward (so {@code scrim verify} can rebuild the target), or null
 * @param seed       the seed of the protection, or null
 */
public record Provenance(String protection, String preset, String model, String version, String decoy, Long seed) {

    public Provenance {
        if (protection == null || protection.isBlank()) {
            throw new IllegalArgumentException("provenance needs the protection applied (\"none\" for metadata only)");
        }
    }

    /** Provenance of a file that was tagged but not perturbed. */
    public static Provenance metadataOnly() {
        return new Provenance("none", null, null, scrimVersion(), null, null);
    }

    /** The XMP properties (local names in the scrim namespace) that hold this provenance, in writing order. */
    public java.util.Map<String, String> properties() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("Protection", protection);
        m.put("Preset", preset);
        m.put("Model", model);
        m.put("Version", version);
        m.put("Decoy", decoy);
        m.put("Seed", seed == null ? null : seed.toString());
        m.values().removeIf(java.util.Objects::isNull);
        return m;
    }

    /** Rebuilds a provenance from its XMP properties, looked up by local name; null without a Protection. */
    public static Provenance fromProperties(java.util.function.Function<String, java.util.Optional<String>> property) {
        return property.apply("Protection").map(protection -> new Provenance(protection,
                property.apply("Preset").orElse(null), property.apply("Model").orElse(null),
                property.apply("Version").orElse(null), property.apply("Decoy").orElse(null),
                property.apply("Seed").map(Long::valueOf).orElse(null))).orElse(null);
    }

    /** The version in the engine jar's manifest, or "development" when running from classes. */
    public static String scrimVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }
}
