package org.scrim.engine.c2pa;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Reads and checks the active C2PA manifest of a PNG or JPEG: every assertion against the hash the claim gives it,
 * the claim's COSE signature against the certificate it carries, and the {@code c2pa.hash.data} binding against
 * the file's bytes. Scrim keeps no list of trusted signers, so a good signature says the manifest is intact and who
 * signed it, not that the signer is who they claim to be.
 */
public final class ManifestReader {
    private ManifestReader() {}

    public enum Status {
        /** Hash binding intact, assertions match the claim, signature good. */
        VALID,
        /** The manifest is intact and its signature good, but the image bytes changed after signing. */
        CHANGED_SINCE_SIGNED,
        /** The manifest itself is damaged or forged: an assertion or the signature does not match. */
        INVALID,
        /** A manifest Scrim cannot check (an algorithm or binding it does not implement). */
        NOT_CHECKED
    }

    /**
     * What a file's Content Credentials say.
     *
     * @param status         the check's outcome
     * @param problem        why it is not VALID, or null
     * @param signer         the signing certificate's common name (or whole subject), or null
     * @param issuer         its issuer's common name, or null
     * @param signerKey      the signing key's {@link C2paSigner#keyFingerprint() fingerprint}, or null
     * @param trainingMining use -> "allowed" | "notAllowed" | "constrained" from the training-mining assertion
     * @param actions        the actions recorded, in order
     */
    public record Credentials(Status status, String problem, String signer, String issuer, String signerKey,
                              Map<String, String> trainingMining, List<String> actions) {
        /** Whether the manifest says AI training is not allowed. */
        public boolean prohibitsAiTraining() {
            return TrainingMining.NOT_ALLOWED.equals(trainingMining.get(TrainingMining.AI_TRAINING));
        }
    }

    /**
     * The file's credentials, or null when it carries no C2PA manifest (or is not a PNG or JPEG).
     *
     * @throws IOException when the manifest is there but malformed
     */
    public static Credentials read(byte[] file) throws IOException {
        try {
            return readUnchecked(file);
        } catch (RuntimeException e) {
            // a structure of the wrong CBOR type (e.g. a number where bytes belong) surfaces as a runtime exception
            throw new IOException("malformed C2PA manifest: " + e, e);
        }
    }

    private static Credentials readUnchecked(byte[] file) throws IOException {
        C2paContainer container = C2paContainer.detect(file);
        if (container == null) {
            return null;
        }
        C2paContainer.Located located = container.find(file);
        if (located == null) {
            return null;
        }
        Jumbf.Box store = Jumbf.parse(located.store());
        if (!Jumbf.MANIFEST_STORE.equals(store.uuid())) {
            throw new IOException("the C2PA box is not a manifest store");
        }
        List<Jumbf.Box> manifests = store.children().stream().filter(b -> Jumbf.MANIFEST.equals(b.uuid())).toList();
        if (manifests.isEmpty()) {
            throw new IOException("the C2PA manifest store holds no manifest");
        }
        return check(file, manifests.get(manifests.size() - 1)); // the active manifest is the last one
    }

    private static Credentials check(byte[] file, Jumbf.Box manifest) throws IOException {
        Jumbf.Box assertionStore = manifest.child("c2pa.assertions");
        Jumbf.Box claimBox = manifest.children().stream().filter(b -> Jumbf.CLAIM.equals(b.uuid())).findFirst()
                .orElseThrow(() -> new IOException("the C2PA manifest has no claim"));
        Jumbf.Box signatureBox = manifest.child("c2pa.signature");
        if (assertionStore == null || signatureBox == null) {
            throw new IOException("the C2PA manifest lacks its assertions or its signature");
        }
        byte[] claimBytes = require(claimBox.content("cbor"), "claim");
        JsonNode claim = Cbor.decode(claimBytes, "the C2PA claim");
        // The manifest's label is outside every hash; the claim names it in its signature reference, which binds it.
        String signatureRef = claim.path("signature").asText();
        if (!signatureRef.endsWith("/" + manifest.label() + "/c2pa.signature")) {
            return invalid("the claim belongs to another manifest (signature reference " + signatureRef + ")",
                    new LinkedHashMap<>(), new ArrayList<>());
        }
        String claimAlg = claim.path("alg").asText("sha256");

        Map<String, String> training = new LinkedHashMap<>();
        List<String> actions = new ArrayList<>();
        String problem = null;
        Status status = Status.VALID;
        JsonNode dataHash = null;
        List<JsonNode> uris = new ArrayList<>();
        for (String field : new String[] {"created_assertions", "gathered_assertions", "assertions"}) {
            claim.path(field).forEach(uris::add);
        }
        for (JsonNode uri : uris) {
            String url = uri.path("url").asText();
            String label = url.substring(url.lastIndexOf('/') + 1);
            Jumbf.Box box = assertionStore.child(label);
            if (box == null) {
                return invalid("the claim refers to a missing assertion " + label, training, actions);
            }
            MessageDigest digest = digest(uri.path("alg").asText(claimAlg));
            if (digest == null) {
                return notChecked("hash algorithm " + uri.path("alg").asText(claimAlg), training, actions);
            }
            if (!Arrays.equals(digest.digest(box.payload()), uri.path("hash").binaryValue())) {
                return invalid("assertion " + label + " does not match the claim (edited after signing)", training,
                        actions);
            }
            byte[] cbor = box.content("cbor");
            if (cbor == null) {
                continue;
            }
            JsonNode data = Cbor.decode(cbor, "assertion " + label);
            String base = label.replaceFirst("__\\d+$", "");
            if (base.equals(TrainingMining.LABEL) || base.equals("c2pa.training-mining")) {
                data.path("entries").fields().forEachRemaining(e -> training.put(e.getKey(),
                        e.getValue().path("use").asText()));
            } else if (base.startsWith("c2pa.actions")) {
                data.path("actions").forEach(a -> actions.add(a.path("action").asText()));
            } else if (base.equals("c2pa.hash.data")) {
                dataHash = data;
            }
        }

        SignatureCheck signature = verifySignature(require(signatureBox.content("cbor"), "signature"), claimBytes);
        if (signature.problem() != null) {
            return new Credentials(signature.notChecked() ? Status.NOT_CHECKED : Status.INVALID, signature.problem(),
                    signature.signer(), signature.issuer(), signature.signerKey(), training, actions);
        }
        if (dataHash == null) {
            status = Status.NOT_CHECKED;
            problem = "no c2pa.hash.data binding (other bindings are not checked by Scrim)";
        } else if (!dataHashMatches(file, dataHash, claimAlg)) {
            status = Status.CHANGED_SINCE_SIGNED;
            problem = "the image bytes differ from those signed";
        }
        return new Credentials(status, problem, signature.signer(), signature.issuer(), signature.signerKey(),
                training, actions);
    }

    private record SignatureCheck(String problem, boolean notChecked, String signer, String issuer, String signerKey) {
        SignatureCheck(String problem, boolean notChecked) {
            this(problem, notChecked, null, null, null);
        }
    }

    private static SignatureCheck verifySignature(byte[] coseBytes, byte[] claim) throws IOException {
        JsonNode cose = Cbor.decode(coseBytes, "the C2PA signature");
        if (!cose.isArray() || cose.size() != 4) {
            return new SignatureCheck("the signature is not a COSE_Sign1 structure", false);
        }
        byte[] protectedBytes = cose.get(0).binaryValue();
        JsonNode protectedHeader = Cbor.decode(protectedBytes, "the COSE protected header");
        JsonNode x5chain = protectedHeader.has("33") ? protectedHeader.get("33") : cose.get(1).get("33");
        if (x5chain == null) {
            return new SignatureCheck("the signature carries no certificate (x5chain)", true);
        }
        byte[] leafDer = (x5chain.isArray() ? x5chain.get(0) : x5chain).binaryValue();
        X509Certificate leaf;
        try {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(leafDer));
        } catch (GeneralSecurityException e) {
            return new SignatureCheck("the signing certificate cannot be read: " + e.getMessage(), false);
        }
        String signer = commonName(leaf.getSubjectX500Principal().getName());
        String issuer = commonName(leaf.getIssuerX500Principal().getName());
        String signerKey = C2paSigner.keyFingerprint(leaf.getPublicKey());
        String jca = switch (protectedHeader.path("1").asInt()) {
            case -7 -> "SHA256withECDSAinP1363Format";
            case -35 -> "SHA384withECDSAinP1363Format";
            case -36 -> "SHA512withECDSAinP1363Format";
            default -> null;
        };
        if (jca == null) {
            return new SignatureCheck("signature algorithm " + protectedHeader.path("1") + " (Scrim checks ES256, "
                    + "ES384, ES512)", true, signer, issuer, signerKey);
        }
        try {
            Signature s = Signature.getInstance(jca);
            s.initVerify(leaf.getPublicKey());
            s.update(Cose.sigStructure(protectedBytes, claim));
            if (!s.verify(cose.get(3).binaryValue())) {
                return new SignatureCheck("the claim's signature does not verify (manifest altered)", false, signer,
                        issuer, signerKey);
            }
        } catch (GeneralSecurityException e) {
            return new SignatureCheck("the claim's signature cannot be checked: " + e.getMessage(), false, signer,
                    issuer, signerKey);
        }
        return new SignatureCheck(null, false, signer, issuer, signerKey);
    }

    private static boolean dataHashMatches(byte[] file, JsonNode dataHash, String claimAlg) throws IOException {
        MessageDigest digest = digest(dataHash.path("alg").asText(claimAlg));
        if (digest == null) {
            throw new IOException("c2pa.hash.data uses an unknown hash algorithm");
        }
        List<long[]> exclusions = new ArrayList<>();
        dataHash.path("exclusions").forEach(e -> exclusions.add(new long[] {e.path("start").asLong(-1),
                e.path("length").asLong(-1)}));
        exclusions.sort((a, b) -> Long.compare(a[0], b[0]));
        long pos = 0;
        for (long[] e : exclusions) {
            if (e[0] < pos || e[1] < 0 || e[1] > file.length - e[0]) {
                return false; // overlapping or out-of-file exclusions: the bytes cannot be the ones signed
            }
            digest.update(file, (int) pos, (int) (e[0] - pos));
            pos = e[0] + e[1];
        }
        digest.update(file, (int) pos, (int) (file.length - pos));
        return Arrays.equals(digest.digest(), dataHash.path("hash").binaryValue());
    }

    private static MessageDigest digest(String alg) {
        String jca = switch (alg) {
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> null;
        };
        try {
            return jca == null ? null : MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static String commonName(String dn) {
        try {
            for (Rdn rdn : new LdapName(dn).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // fall through to the whole name
        }
        return dn;
    }

    private static byte[] require(byte[] content, String what) throws IOException {
        if (content == null) {
            throw new IOException("the C2PA " + what + " box has no CBOR content");
        }
        return content;
    }

    private static Credentials invalid(String problem, Map<String, String> training, List<String> actions) {
        return new Credentials(Status.INVALID, problem, null, null, null, training, actions);
    }

    private static Credentials notChecked(String problem, Map<String, String> training, List<String> actions) {
        return new Credentials(Status.NOT_CHECKED, problem, null, null, null, training, actions);
    }
}
