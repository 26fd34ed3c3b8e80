package org.scrim.engine.c2pa;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.Provenance;

/**
 * Signs a PNG or JPEG with a C2PA 2.x manifest (claim v2; structure checked against c2pa-rs {@code claim.rs},
 * 2026-11-30): a {@code cawg.training-mining} assertion, a {@code c2pa.ingredient.v3} for the file as it came in, a
 * {@code c2pa.actions.v2} assertion (opened that ingredient; edited by Scrim's protection, or its metadata only), and
 * the hard binding {@code c2pa.hash.data}: SHA-256 of every byte of the file except the manifest store itself. The
 * claim is signed with COSE_Sign1 (ES256, detached payload, the certificate chain as {@code x5chain} in the protected
 * header). A C2PA store already in the file is replaced, unless the caller names its credentials as the parent: then
 * its manifests are kept in the new store, and the ingredient points at the earlier active manifest
 * ({@code activeManifest}, {@code claimSignature}) with the outcome of checking it ({@code validationResults}), as
 * C2PA 2.x has an edited asset carry the provenance it came with.
 */
public final class ManifestWriter {
    private static final String HASH_ALG = "sha256";

    private ManifestWriter() {}

    /** What the manifest states. */
    public record Statement(DataMining dataMining, String otherConstraints, Provenance provenance, String title) {}

    /** Whether this file's format can carry a manifest here (PNG and JPEG). */
    public static boolean supports(byte[] file) {
        return C2paContainer.detect(file) != null;
    }

    /** The file with a newly signed manifest store in place of any earlier one. */
    public static byte[] sign(byte[] file, Statement statement, C2paSigner signer) throws IOException {
        return sign(file, statement, signer, null);
    }

    /**
     * The file with a newly signed manifest; with {@code parent} (the file's credentials as they were checked before
     * any change to it), the store already in the file is kept as the new manifest's parent ingredient.
     */
    public static byte[] sign(byte[] file, Statement statement, C2paSigner signer, ManifestReader.Credentials parent)
            throws IOException {
        C2paContainer container = C2paContainer.detect(file);
        if (container == null) {
            throw new IOException("C2PA manifests are written to PNG and JPEG files only");
        }
        List<Jumbf.Box> earlier = parent == null ? List.of() : manifestsIn(file, container);
        byte[][] kept = earlier.stream().map(m -> Arrays.copyOfRange(m.buf(), m.start(), m.end()))
                .toArray(byte[][]::new);
        byte[] clean = container.strip(file);
        int at = container.insertionOffset(clean);
        // Identifiers derive from what is signed (the kept manifests too: a label must be new in the store), so the
        // same input, statement and key give the same file.
        UUID id = contentId(clean, statement, signer, kept);
        String manifestLabel = "urn:c2pa:" + id;
        Map<String, byte[]> assertions = new LinkedHashMap<>();
        ObjectNode trainingMining = trainingMining(statement);
        if (trainingMining != null) {
            assertions.put(TrainingMining.LABEL, assertionBox(TrainingMining.LABEL, trainingMining));
        }
        String ingredientLabel = "c2pa.ingredient.v3";
        byte[] ingredient = assertionBox(ingredientLabel, ingredient(statement, container,
                earlier.isEmpty() ? null : earlier.get(earlier.size() - 1), parent));
        assertions.put(ingredientLabel, ingredient);
        assertions.put("c2pa.actions.v2", assertionBox("c2pa.actions.v2",
                actions(statement.provenance(), assertionUri(ingredientLabel, ingredient))));

        // The store's size fixes the exclusion, whose numbers are inside the store: size it with a placeholder hash
        // until the length it states is its own (the CBOR integer widths settle within a few rounds).
        byte[] placeholder = new byte[32];
        int excluded = 0;
        byte[] wrapped;
        for (int round = 0; ; round++) {
            wrapped = container.wrap(store(manifestLabel, id, assertions, dataHash(at, excluded, placeholder),
                    signer, true, kept));
            if (wrapped.length == excluded) {
                break;
            }
            if (round == 8) {
                throw new IllegalStateException("C2PA manifest size does not settle");
            }
            excluded = wrapped.length;
        }
        // The output minus the excluded store is the clean file, so that is what the binding hashes.
        byte[] signedStore = store(manifestLabel, id, assertions, dataHash(at, excluded, sha256().digest(clean)),
                signer, false, kept);
        byte[] signedWrapped = container.wrap(signedStore);
        if (signedWrapped.length != excluded) {
            throw new IllegalStateException("C2PA manifest changed size once signed");
        }
        // filled in place: a file's size is the largest thing a protection holds while it writes
        return ByteBuffer.allocate(clean.length + excluded).put(clean, 0, at).put(signedWrapped)
                .put(clean, at, clean.length - at).array();
    }

    /** The manifests of the store in the file, whole boxes, the active one last; none when it has no store. */
    private static List<Jumbf.Box> manifestsIn(byte[] file, C2paContainer container) throws IOException {
        C2paContainer.Located located = container.find(file);
        if (located == null) {
            return List.of();
        }
        return Jumbf.parse(located.store()).children().stream().filter(b -> Jumbf.MANIFEST.equals(b.uuid()))
                .toList();
    }

    /** The store: the {@code kept} manifests (whole boxes) first, this one last, as the active manifest. */
    private static byte[] store(String manifestLabel, UUID id, Map<String, byte[]> assertions, ObjectNode dataHash,
            C2paSigner signer, boolean sizingOnly, byte[][] kept) {
        Map<String, byte[]> all = new LinkedHashMap<>(assertions);
        all.put("c2pa.hash.data", assertionBox("c2pa.hash.data", dataHash));
        ObjectNode claim = Cbor.map();
        claim.put("instanceID", "xmp:iid:" + id);
        ObjectNode generator = claim.putObject("claim_generator_info");
        generator.put("name", "Scrim");
        generator.put("version", Provenance.scrimVersion());
        claim.put("signature", "self#jumbf=/c2pa/" + manifestLabel + "/c2pa.signature");
        ArrayNode created = claim.putArray("created_assertions");
        List<byte[]> boxes = new ArrayList<>();
        for (Map.Entry<String, byte[]> a : all.entrySet()) {
            created.add(assertionUri(a.getKey(), a.getValue()));
            boxes.add(a.getValue());
        }
        claim.put("alg", HASH_ALG);
        byte[] claimBytes = Cbor.encode(claim);
        byte[] cose = coseSign1(claimBytes, signer, sizingOnly);
        byte[][] manifests = Arrays.copyOf(kept, kept.length + 1);
        manifests[kept.length] = Jumbf.superbox(Jumbf.MANIFEST, manifestLabel,
                Jumbf.superbox(Jumbf.ASSERTION_STORE, "c2pa.assertions", boxes.toArray(byte[][]::new)),
                Jumbf.superbox(Jumbf.CLAIM, "c2pa.claim.v2", Jumbf.box("cbor", claimBytes)),
                Jumbf.superbox(Jumbf.SIGNATURE, "c2pa.signature", Jumbf.box("cbor", cose)));
        return Jumbf.superbox(Jumbf.MANIFEST_STORE, "c2pa", manifests);
    }

    /** COSE_Sign1 over the claim (RFC 9052 Sig_structure "Signature1", empty external AAD, detached payload). */
    private static byte[] coseSign1(byte[] claim, C2paSigner signer, boolean sizingOnly) {
        List<byte[]> certificates = new ArrayList<>();
        for (X509Certificate c : signer.chain()) {
            try {
                certificates.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        byte[] protectedHeader = Cose.protectedHeader(certificates);
        // ES256 signatures are always 64 bytes (r||s), so a zero placeholder sizes the store exactly.
        byte[] signature = sizingOnly ? new byte[64] : signer.sign(Cose.sigStructure(protectedHeader, claim));
        return Cose.sign1(protectedHeader, signature);
    }

    private static ObjectNode trainingMining(Statement s) {
        Map<String, String> entries = TrainingMining.entries(s.dataMining());
        if (entries.isEmpty()) {
            return null;
        }
        String info = TrainingMining.constraintInfo(s.dataMining(), s.otherConstraints());
        ObjectNode root = Cbor.map();
        ObjectNode map = root.putObject("entries");
        entries.forEach((use, value) -> {
            ObjectNode e = map.putObject(use);
            e.put("use", value);
            if (value.equals("constrained") && info != null) {
                e.put("constraint_info", info);
            }
        });
        return root;
    }

    /**
     * The file as it came in. With its earlier active manifest {@code parentManifest}: hashed URIs to that manifest
     * and its signature, which bind the ingredient to the provenance kept in the store, and what checking it found.
     */
    private static ObjectNode ingredient(Statement s, C2paContainer container, Jumbf.Box parentManifest,
            ManifestReader.Credentials parent) {
        ObjectNode ingredient = Cbor.map();
        if (s.title() != null) {
            ingredient.put("dc:title", s.title());
        }
        ingredient.put("dc:format", container == C2paContainer.PNG ? "image/png" : "image/jpeg");
        ingredient.put("relationship", "parentOf");
        if (parentManifest != null) {
            String url = "self#jumbf=/c2pa/" + parentManifest.label();
            ingredient.set("activeManifest", hashedUri(url, parentManifest.payload()));
            Jumbf.Box signature = parentManifest.child("c2pa.signature");
            if (signature != null) {
                ingredient.set("claimSignature", hashedUri(url + "/c2pa.signature", signature.payload()));
            }
            ingredient.set("validationResults", validationResults(parent, url));
        }
        return ingredient;
    }

    /** C2PA validation status codes for what ManifestReader found in the parent manifest. */
    private static ObjectNode validationResults(ManifestReader.Credentials parent, String url) {
        ObjectNode results = Cbor.map();
        ObjectNode active = results.putObject("activeManifest");
        ArrayNode success = active.putArray("success");
        ArrayNode informational = active.putArray("informational");
        ArrayNode failure = active.putArray("failure");
        switch (parent.status()) {
            case VALID -> {
                status(success, "claimSignature.validated", url + "/c2pa.signature", null);
                status(success, "assertion.dataHash.match", url, null);
            }
            case CHANGED_SINCE_SIGNED -> {
                status(success, "claimSignature.validated", url + "/c2pa.signature", null);
                status(failure, "assertion.dataHash.mismatch", url, parent.problem());
            }
            case INVALID -> status(failure, parent.problem().startsWith("assertion")
                    ? "assertion.hashedURI.mismatch" : "claimSignature.mismatch", url, parent.problem());
            case NOT_CHECKED -> status(informational, "general.error", url, "not checked by Scrim: "
                    + parent.problem());
        }
        return results;
    }

    private static void status(ArrayNode list, String code, String url, String explanation) {
        ObjectNode entry = list.addObject();
        entry.put("code", code);
        entry.put("url", url);
        if (explanation != null) {
            entry.put("explanation", explanation);
        }
    }

    private static ObjectNode actions(Provenance p, ObjectNode ingredientUri) {
        ObjectNode root = Cbor.map();
        ArrayNode actions = root.putArray("actions");
        ObjectNode opened = actions.addObject();
        opened.put("action", "c2pa.opened");
        opened.putObject("parameters").putArray("ingredients").add(ingredientUri);
        boolean protectedImage = !p.protection().equals("none");
        ObjectNode edited = actions.addObject();
        edited.put("action", protectedImage ? "c2pa.edited" : "c2pa.edited.metadata");
        ObjectNode agent = edited.putObject("softwareAgent");
        agent.put("name", "Scrim");
        agent.put("version", Provenance.scrimVersion());
        edited.put("description", protectedImage
                ? "Scrim adversarial protection against AI training and mimicry; \"do not train\" statement added"
                : "Scrim added a \"do not train\" statement to the metadata; pixels unchanged");
        ObjectNode parameters = edited.putObject("parameters");
        p.properties().forEach((k, v) -> parameters.put("org.scrim." + k.toLowerCase(), v));
        return root;
    }

    private static ObjectNode dataHash(int start, int length, byte[] hash) {
        ObjectNode h = Cbor.map();
        ObjectNode exclusion = h.putArray("exclusions").addObject();
        exclusion.put("start", start);
        exclusion.put("length", length);
        h.put("name", "jumbf manifest");
        h.put("alg", HASH_ALG);
        h.put("hash", hash);
        h.put("pad", new byte[0]);
        return h;
    }

    private static byte[] assertionBox(String label, ObjectNode data) {
        return Jumbf.superbox(Jumbf.CBOR_ASSERTION, label, Jumbf.box("cbor", Cbor.encode(data)));
    }

    /** A hashed URI to an assertion: SHA-256 of its superbox without the superbox header (c2pa-rs). */
    private static ObjectNode assertionUri(String label, byte[] assertionBox) {
        return hashedUri("self#jumbf=c2pa.assertions/" + label, Arrays.copyOfRange(assertionBox, 8,
                assertionBox.length));
    }

    /** A hashed URI: SHA-256 of the payload of the superbox it names (the box without its 8-byte header). */
    private static ObjectNode hashedUri(String url, byte[] payload) {
        ObjectNode uri = Cbor.map();
        uri.put("url", url);
        uri.put("hash", sha256().digest(payload));
        return uri;
    }

    private static UUID contentId(byte[] clean, Statement s, C2paSigner signer, byte[][] kept) {
        MessageDigest sha = sha256();
        sha.update(clean);
        sha.update((s + "|" + signer.chain().get(0).getSerialNumber()).getBytes(StandardCharsets.UTF_8));
        for (byte[] manifest : kept) {
            sha.update(manifest);
        }
        return UUID.nameUUIDFromBytes(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
