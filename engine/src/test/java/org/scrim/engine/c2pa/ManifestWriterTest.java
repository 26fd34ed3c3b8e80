package org.scrim.engine.c2pa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.statement.DataMining;
import org.scrim.engine.statement.Provenance;

class ManifestWriterTest {
    @TempDir
    Path dir;

    private static final ManifestWriter.Statement NO_TRAINING = new ManifestWriter.Statement(
            DataMining.PROHIBITED_AI_ML_TRAINING, null,
            new Provenance("mask", "default", "taef2", "test", "pattern", 7L), "art.png");

    static byte[] image(String format) throws IOException {
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, (x * 31) << 16 | (y * 40) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private C2paSigner signer() throws IOException {
        return C2paSigner.forUser(dir.resolve("config"));
    }

    @Test
    void pngAndJpegCarryAValidManifestSayingNoTraining() throws IOException {
        for (String format : List.of("png", "jpeg")) {
            byte[] signed = ManifestWriter.sign(image(format), NO_TRAINING, signer());
            ManifestReader.Credentials c = ManifestReader.read(signed);
            assertNotNull(c, format);
            assertEquals(ManifestReader.Status.VALID, c.status(), format + ": " + c.problem());
            assertEquals(Map.of(TrainingMining.AI_TRAINING, "notAllowed", TrainingMining.AI_GENERATIVE_TRAINING,
                    "notAllowed", TrainingMining.DATA_MINING, "notAllowed", TrainingMining.AI_INFERENCE, "notAllowed"),
                    c.trainingMining());
            assertTrue(c.prohibitsAiTraining());
            assertEquals(List.of("c2pa.opened", "c2pa.edited"), c.actions());
            assertEquals("Scrim self-issued signer", c.signer());
            // the pixels are where they were: the file still decodes to the same image
            assertEquals(8, ImageIO.read(new java.io.ByteArrayInputStream(signed)).getWidth());
        }
    }

    @Test
    void aOneByteEditOfTheImageIsChangedSinceSigned() throws IOException {
        for (String format : List.of("png", "jpeg")) {
            byte[] signed = ManifestWriter.sign(image(format), NO_TRAINING, signer());
            // in the compressed pixels, outside the manifest
            signed[format.equals("png") ? indexOf(signed, "IDAT") + 6 : signed.length - 10] ^= 1;
            assertEquals(ManifestReader.Status.CHANGED_SINCE_SIGNED, ManifestReader.read(signed).status(), format);
        }
    }

    @Test
    void anEditedAssertionOrSignatureIsInvalid() throws IOException {
        byte[] signed = ManifestWriter.sign(image("png"), NO_TRAINING, signer());
        byte[] assertionEdited = signed.clone();
        assertionEdited[indexOf(signed, "notAllowed")] = 'N';
        ManifestReader.Credentials c = ManifestReader.read(assertionEdited);
        assertEquals(ManifestReader.Status.INVALID, c.status());
        assertTrue(c.problem().contains("cawg.training-mining"), c.problem());

        byte[] labelEdited = signed.clone();
        labelEdited[indexOf(signed, "urn:c2pa:") + 12] ^= 1; // the manifest's label: bound through the claim
        assertEquals(ManifestReader.Status.INVALID, ManifestReader.read(labelEdited).status());

        byte[] signatureEdited = signed.clone();
        signatureEdited[indexOf(signed, "c2pa.signature") + 200] ^= 1; // inside the COSE structure
        assertEquals(ManifestReader.Status.INVALID, ManifestReader.read(signatureEdited).status());
    }

    @Test
    void resigningReplacesTheStoreInsteadOfAddingOne() throws IOException {
        for (String format : List.of("png", "jpeg")) {
            byte[] once = ManifestWriter.sign(image(format), NO_TRAINING, signer());
            byte[] twice = ManifestWriter.sign(once, NO_TRAINING, signer());
            assertEquals(once.length, twice.length, format);
            assertEquals(ManifestReader.Status.VALID, ManifestReader.read(twice).status(), format);
        }
    }

    @Test
    void signingIsReproducible() throws IOException {
        // a protection with a fixed seed writes the same file every time, manifest included
        byte[] png = image("png");
        assertArrayEquals(ManifestWriter.sign(png, NO_TRAINING, signer()), ManifestWriter.sign(png, NO_TRAINING,
                signer()));
    }

    @Test
    void aStoreLargerThanOneJpegSegmentIsSplitAndReadBack() throws IOException {
        // a long constraint text pushes the store past the 64000 bytes one APP11 segment takes
        String longText = "ask first. ".repeat(7000);
        ManifestWriter.Statement s = new ManifestWriter.Statement(DataMining.PROHIBITED_SEE_CONSTRAINT, longText,
                Provenance.metadataOnly(), null);
        byte[] signed = ManifestWriter.sign(image("jpeg"), s, signer());
        ManifestReader.Credentials c = ManifestReader.read(signed);
        assertEquals(ManifestReader.Status.VALID, c.status(), c.problem());
        assertEquals("constrained", c.trainingMining().get(TrainingMining.AI_TRAINING));
    }

    @Test
    void theStatementFollowsTheIptcValue() throws IOException {
        ManifestWriter.Statement genOnly = new ManifestWriter.Statement(DataMining.PROHIBITED_GEN_AI_ML_TRAINING, null,
                Provenance.metadataOnly(), null);
        assertEquals(Map.of(TrainingMining.AI_GENERATIVE_TRAINING, "notAllowed"),
                ManifestReader.read(ManifestWriter.sign(image("png"), genOnly, signer())).trainingMining());
        ManifestWriter.Statement unspecified = new ManifestWriter.Statement(DataMining.UNSPECIFIED, null,
                Provenance.metadataOnly(), null);
        assertEquals(Map.of(),
                ManifestReader.read(ManifestWriter.sign(image("png"), unspecified, signer())).trainingMining());
    }

    @Test
    void filesWithoutAManifestReadAsNone() throws IOException {
        assertEquals(null, ManifestReader.read(image("png")));
        assertEquals(null, ManifestReader.read(image("jpeg")));
    }

    @Test
    void thePerUserKeyIsOwnerOnlyAndUsableAsTheArtistsOwn() throws IOException {
        C2paSigner generated = signer();
        Path folder = dir.resolve("config/c2pa");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(folder.resolve(C2paSigner.KEY_FILE))));
        assertTrue(generated.selfIssued());
        assertEquals(2, generated.chain().size());

        C2paSigner own = C2paSigner.fromFiles(folder.resolve(C2paSigner.CHAIN_FILE),
                folder.resolve(C2paSigner.KEY_FILE));
        assertEquals(ManifestReader.Status.VALID,
                ManifestReader.read(ManifestWriter.sign(image("png"), NO_TRAINING, own)).status());

        C2paSigner.forUser(dir.resolve("other"));
        Path otherKey = dir.resolve("other/c2pa").resolve(C2paSigner.KEY_FILE);
        IOException e = assertThrows(IOException.class,
                () -> C2paSigner.fromFiles(folder.resolve(C2paSigner.CHAIN_FILE), otherKey));
        assertTrue(e.getMessage().contains(otherKey.toString()), e.getMessage());
        IOException notPem = assertThrows(IOException.class, () -> C2paSigner.fromFiles(
                Files.writeString(dir.resolve("x.pem"), "hello"), otherKey));
        assertTrue(notPem.getMessage().contains("x.pem"), notPem.getMessage());
    }

    @Test
    void damagedManifestsAreReportedNeverCrashTheReader() throws IOException {
        // (JUMBF box labels and toggles are outside the hashes in C2PA itself; the tests above cover what is bound)
        for (String format : List.of("png", "jpeg")) {
            byte[] signed = ManifestWriter.sign(image(format), NO_TRAINING, signer());
            C2paContainer.Located store = C2paContainer.detect(signed).find(signed);
            java.util.Random random = new java.util.Random(5);
            for (int i = 0; i < 400; i++) {
                byte[] damaged = signed.clone();
                int at = store.start() + random.nextInt(store.length());
                damaged[at] = (byte) random.nextInt(256);
                try {
                    ManifestReader.read(damaged); // a status, or:
                } catch (IOException expected) {
                    // a clear error; anything else thrown fails the test
                }
            }
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    /**
     * Two installs' self-issued certificates bear the same name; the signing key's fingerprint, read from the
     * manifest, tells them apart and matches the signer that made it.
     */
    @Test
    void theSigningKeysFingerprintTellsTwoSelfIssuedSignersApart() throws IOException {
        C2paSigner artist = signer();
        C2paSigner other = C2paSigner.forUser(dir.resolve("another-install"));
        ManifestReader.Credentials byArtist = ManifestReader.read(
                ManifestWriter.sign(image("png"), NO_TRAINING, artist));
        ManifestReader.Credentials byOther = ManifestReader.read(
                ManifestWriter.sign(image("png"), NO_TRAINING, other));
        assertEquals(byArtist.signer(), byOther.signer(), "the certificates' names alone look alike");
        assertEquals(artist.keyFingerprint(), byArtist.signerKey());
        assertEquals(other.keyFingerprint(), byOther.signerKey());
        assertTrue(byArtist.signerKey().matches("sha256:[0-9a-f]{32}"), byArtist.signerKey());
        assertNotEquals(byArtist.signerKey(), byOther.signerKey());
    }
}
