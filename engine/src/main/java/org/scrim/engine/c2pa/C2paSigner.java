package org.scrim.engine.c2pa;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.BigIntegers;
import org.scrim.engine.config.UserFolders;

/**
 * The key and certificate chain that sign Scrim's C2PA manifests: the artist's own (PEM files) or a per-user pair
 * Scrim generates once. Only ES256 (ECDSA on P-256 with SHA-256) is supported: C2PA allows it and every validator
 * implements it.
 *
 * <p>The generated pair is a small local root ("Scrim self-issued root") that issues the signing certificate: C2PA
 * validators refuse a self-signed end-entity CA certificate (c2pa-rs {@code certificate_profile.rs}), and with a root
 * of their own artists can give that root to a validator as a trust anchor. The signing certificate carries what
 * c2pa-rs checks (2026-11-30): v3, ecdsa-with-SHA256, not a CA, key usage digitalSignature, extended key usage
 * emailProtection and documentSigning (not anyExtendedKeyUsage), subject and authority key identifiers. Names carry
 * no user or host name: the certificate travels in every file the artist publishes. The artist's name goes into the
 * signing certificate only when they gave one ({@code --creator}) as the key was made; a later, different name does
 * not make a new key (files signed before would no longer match the artist's key): readers show the name the
 * certificate carries beside the key's fingerprint.
 */
public final class C2paSigner {
    static final String KEY_FILE = "signer.key.pem";
    static final String CHAIN_FILE = "signer-chain.pem";
    /** id-kp-documentSigning (RFC 9336), accepted by c2pa-rs's {@code valid_eku_oids.cfg}. */
    private static final KeyPurposeId DOCUMENT_SIGNING = KeyPurposeId.getInstance(
            new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.3.36"));
    private static final Map<Path, C2paSigner> USER_SIGNERS = new ConcurrentHashMap<>();

    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final boolean selfIssued;

    private C2paSigner(PrivateKey key, List<X509Certificate> chain, boolean selfIssued) {
        this.key = key;
        this.chain = List.copyOf(chain);
        this.selfIssued = selfIssued;
    }

    /** The signing certificate first, then its issuers, as the COSE {@code x5chain} header carries them. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * The signing key's fingerprint, {@code sha256:} and the first 16 bytes of the SHA-256 of its encoded public key
     * in hex: every Scrim install's self-issued certificate has the same name, so the key is what tells one
     * artist's signature from another's.
     */
    public String keyFingerprint() {
        return keyFingerprint(chain.get(0).getPublicKey());
    }

    /** {@link #keyFingerprint()} of any public key, as readers compute it from a manifest's certificate. */
    public static String keyFingerprint(java.security.PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "sha256:" + java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java: " + e.getMessage(), e);
        }
    }

    /** The per-user signer if one was generated already, without generating one. */
    public static java.util.Optional<C2paSigner> existingForUser() throws IOException {
        Path dir = keyFolder(UserFolders.config());
        return Files.exists(dir.resolve(KEY_FILE)) ? java.util.Optional.of(forUser()) : java.util.Optional.empty();
    }

    /** Whether this is the per-user pair Scrim generated (no authority vouches for it). */
    public boolean selfIssued() {
        return selfIssued;
    }

    /**
     * An ES256 signature in the raw r||s form COSE uses. The nonce is derived from the key and the data (RFC 6979), so
     * the same file signed twice gives the same bytes: a protection with a fixed seed stays reproducible.
     */
    byte[] sign(byte[] data) {
        try {
            ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
            ecdsa.init(true, ECUtil.generatePrivateKeyParameter(key));
            BigInteger[] rs = ecdsa.generateSignature(MessageDigest.getInstance("SHA-256").digest(data));
            byte[] out = new byte[64];
            System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[0]), 0, out, 0, 32);
            System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[1]), 0, out, 32, 32);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * The artist's own certificate chain (PEM, signing certificate first) and private key (PEM, PKCS#8 or EC).
     *
     * @throws IOException naming the file and the problem
     */
    public static C2paSigner fromFiles(Path chainPem, Path keyPem) throws IOException {
        List<X509Certificate> chain = readChain(chainPem);
        PrivateKey key = readKey(keyPem);
        if (!(chain.get(0).getPublicKey() instanceof ECPublicKey ec)
                || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IOException(chainPem + ": the signing certificate's key is not an EC P-256 key; "
                    + "Scrim signs C2PA manifests with ES256 only");
        }
        C2paSigner signer = new C2paSigner(key, chain, false);
        try {
            Signature check = Signature.getInstance("SHA256withECDSAinP1363Format");
            check.initVerify(chain.get(0).getPublicKey());
            byte[] probe = "scrim key check".getBytes(StandardCharsets.US_ASCII);
            check.update(probe);
            if (!check.verify(signer.sign(probe))) {
                throw new IOException(keyPem + " is not the private key of the first certificate in " + chainPem);
            }
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IOException(keyPem + " cannot sign for " + chainPem + ": " + e.getMessage(), e);
        }
        return signer;
    }

    /**
     * The per-user signer kept in {@code configDir/c2pa}, generated on first use (folder and key owner-only). Two
     * processes racing to create it end up with one of the two pairs, never a mix.
     */
    public static C2paSigner forUser(Path configDir) throws IOException {
        return forUser(configDir, null);
    }

    /**
     * As {@link #forUser(Path)}; a key made now names {@code artist} (when not null) in its signing certificate. An
     * existing key is used as it is, whatever name it carries.
     */
    public static C2paSigner forUser(Path configDir, String artist) throws IOException {
        Path dir = keyFolder(configDir);
        C2paSigner cached = USER_SIGNERS.get(dir);
        if (cached != null) {
            return cached;
        }
        if (!Files.exists(dir.resolve(KEY_FILE))) {
            generateInto(dir, artist);
        }
        C2paSigner signer = new C2paSigner(readKey(dir.resolve(KEY_FILE)), readChain(dir.resolve(CHAIN_FILE)), true);
        USER_SIGNERS.put(dir, signer);
        return signer;
    }

    /** The per-user signer in Scrim's configuration folder ({@link UserFolders#config()}). */
    public static C2paSigner forUser() throws IOException {
        return forUser(UserFolders.config());
    }

    private static Path keyFolder(Path configDir) {
        return configDir.resolve("c2pa").toAbsolutePath();
    }

    /** As {@link #forUser()}; a key made now names {@code artist} (when not null) in its signing certificate. */
    public static C2paSigner forUser(String artist) throws IOException {
        return forUser(UserFolders.config(), artist);
    }

    /**
     * The signing certificate's name: the artist's, marked as self-issued, or Scrim's when none is given. A common
     * name holds at most 64 characters (X.520), so a longer name is cut.
     */
    static X500Name signerName(String artist) {
        String suffix = " (Scrim self-issued)";
        String name = artist == null || artist.isBlank() ? "Scrim self-issued signer"
                : artist.strip().substring(0, Math.min(artist.strip().length(), 64 - suffix.length())).strip()
                        + suffix;
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name)
                .addRDN(BCStyle.O, "Scrim (unverified)").build();
    }

    private static void generateInto(Path dir, String artist) throws IOException {
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, ".c2pa-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair root = gen.generateKeyPair();
            KeyPair leaf = gen.generateKeyPair();
            X500Name rootName = new X500Name("CN=Scrim self-issued root,O=Scrim (unverified)");
            X500Name leafName = signerName(artist);
            Instant now = Instant.now();
            X509Certificate rootCert = certificate(rootName, root, rootName, root, now, Duration.ofDays(3650 * 2),
                    true);
            X509Certificate leafCert = certificate(leafName, leaf, rootName, root, now, Duration.ofDays(3650), false);
            Path keyFile = staging.resolve(KEY_FILE);
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            // PKCS#8 as the JDK encodes it (with the curve named), the form openssl and c2patool read too.
            String base64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                    .encodeToString(leaf.getPrivate().getEncoded());
            Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
            Files.writeString(staging.resolve(CHAIN_FILE), pem(leafCert) + pem(rootCert));
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot create " + dir + " atomically: " + e.getMessage(), e);
            } catch (java.nio.file.FileSystemException e) {
                // another process or thread created it first: use theirs (Linux's ENOTEMPTY comes as a plain
                // FileSystemException, not as DirectoryNotEmptyException)
                if (!Files.exists(dir.resolve(KEY_FILE))) {
                    throw e;
                }
            }
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot generate a C2PA signing key: " + e.getMessage(), e);
        } finally {
            if (Files.exists(staging)) {
                for (String f : new String[] {KEY_FILE, CHAIN_FILE}) {
                    Files.deleteIfExists(staging.resolve(f));
                }
                Files.deleteIfExists(staging);
            }
        }
    }

    private static X509Certificate certificate(X500Name subject, KeyPair subjectKeys, X500Name issuer,
            KeyPair issuerKeys, Instant from, Duration valid, boolean ca)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(127, new SecureRandom()).add(BigInteger.ONE), Date.from(from.minus(Duration.ofHours(1))),
                Date.from(from.plus(valid)), subject, subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKeys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_emailProtection, DOCUMENT_SIGNING}));
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(issuerKeys.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }

    private static List<X509Certificate> readChain(Path file) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    chain.add(new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            throw new IOException(file + ": not a PEM certificate chain: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException(file + ": no PEM certificate (\"-----BEGIN CERTIFICATE-----\") in it");
        }
        return chain;
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IOException(file + ": no unencrypted PEM private key in it (PKCS#8 \"BEGIN PRIVATE KEY\" or "
                    + "\"BEGIN EC PRIVATE KEY\")");
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a PEM private key: " + e.getMessage(), e);
        }
    }
}
