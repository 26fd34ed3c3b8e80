package org.scrim.engine.metadata;

/**
 * What Scrim did to an image, recorded in the file's XMP under the {@code scrim} namespace so a viewer can tell a
 * protected image from a merely tagged one. Null fields are not written.
 *
 * @param protection the protection applied, e.g. "encoder-pgd", or "none" for metadata only
 * @param preset     the user-facing preset, e.g. "default"
 * @param model      the model attacked, e.g. "taef2-encoder"
 * @param version    the Scrim version that wrote the file
 */
public record Provenance(String protection, String preset, String model, String version) {

    public Provenance {
        if (protection == null || protection.isBlank()) {
            throw new IllegalArgumentException("provenance needs the protection applied (\"none\" for metadata only)");
        }
    }

    /** Provenance of a file that was tagged but not perturbed. */
    public static Provenance metadataOnly() {
        return new Provenance("none", null, null, scrimVersion());
    }

    /** The version in the engine jar's manifest, or "development" when running from classes. */
    public static String scrimVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }
}
