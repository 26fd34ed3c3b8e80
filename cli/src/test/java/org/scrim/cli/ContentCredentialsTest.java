package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.c2pa.ManifestReader;
import org.scrim.engine.config.UserFolders;
import picocli.CommandLine;

/**
 * The C2PA manifests {@code scrim tag} and {@code scrim protect} write, read by the official C2PA SDK and by exiftool,
 * and shown by {@code scrim tag --show}.
 */
class ContentCredentialsTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int tag(String... args) {
        return new CommandLine(new TagCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
    }

    private Path image(String name, String format) throws Exception {
        BufferedImage img = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 12; x++) {
                img.setRGB(x, y, (x * 20) << 16 | (y * 25) << 8 | 120);
            }
        }
        Path p = dir.resolve(name);
        ImageIO.write(img, format, p.toFile());
        return p;
    }

    /** A copy of {@code file} with one byte of its image data flipped. */
    private Path oneByteEdited(Path file, String name) throws Exception {
        byte[] b = Files.readAllBytes(file);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = file.toString().endsWith(".png") ? s.indexOf("IDAT") + 6 : b.length - 10;
        b[at] ^= 1;
        return Files.write(dir.resolve(name), b);
    }

    private static void assertValidNoTraining(JsonObject r) {
        assertEquals("Valid", r.get("validation_state").getAsString(), r.toString());
        // Scrim's self-issued signer is valid but in no trust list: that is the only failure code allowed.
        assertEquals("[\"signingCredential.untrusted\"]", r.get("failures").toString(), r.toString());
        JsonObject tm = r.getAsJsonObject("training_mining");
        for (String use : List.of("cawg.ai_training", "cawg.ai_generative_training", "cawg.data_mining",
                "cawg.ai_inference")) {
            assertEquals("notAllowed", tm.getAsJsonObject(use).get("use").getAsString(), r.toString());
        }
    }

    @Test
    void theC2paSdkValidatesTaggedPngAndJpegAndRejectsAOneByteEdit() throws Exception {
        Path png = image("a.png", "png");
        Path jpg = image("b.jpg", "jpeg");
        Path outDir = dir.resolve("out");
        assertEquals(0, tag(png.toString(), jpg.toString(), "-o", outDir.toString()), err.toString());
        Path taggedPng = outDir.resolve("a.png");
        Path taggedJpg = outDir.resolve("b.jpg");

        List<JsonObject> r = C2paSdk.read(taggedPng, taggedJpg, oneByteEdited(taggedPng, "edited.png"),
                oneByteEdited(taggedJpg, "edited.jpg"));
        assertValidNoTraining(r.get(0));
        assertValidNoTraining(r.get(1));
        for (JsonObject edited : r.subList(2, 4)) {
            assertEquals("Invalid", edited.get("validation_state").getAsString(), edited.toString());
            assertTrue(edited.get("failures").toString().contains("assertion.dataHash.mismatch"), edited.toString());
        }
        assertEquals("[\"c2pa.opened\",\"c2pa.edited.metadata\"]", r.get(0).get("actions").toString());

        // exiftool, another independent reader, sees the manifest store and its training-mining entries
        JsonObject exif = JsonParser.parseString(new String(new ProcessBuilder("exiftool", "-j", "-G1", "-struct",
                taggedPng.toString()).start().getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("c2pa", exif.get("JUMBF:JUMDLabel").getAsString(), exif.toString());
        assertEquals("notAllowed", exif.getAsJsonObject("CBOR:Entries").getAsJsonObject("cawg.ai_training")
                .get("use").getAsString());
    }

    @Test
    void tagShowReportsTheStatementAndWhetherTheFileChangedSinceSigned() throws Exception {
        Path png = image("a.png", "png");
        assertEquals(0, tag("--in-place", png.toString()), err.toString());
        assertEquals(0, tag("--show", png.toString()), err.toString());
        String shown = out.toString();
        assertTrue(shown.contains("data_mining: DMI-PROHIBITED-AIMLTRAINING"), shown);
        assertTrue(shown.contains("c2pa: valid (hash binding intact, signature good)"), shown);
        assertTrue(shown.contains("cawg.ai_training=notAllowed"), shown);
        assertTrue(shown.contains("Scrim self-issued signer"), shown);
        assertTrue(shown.contains("c2pa_signer_key: " + org.scrim.engine.c2pa.C2paSigner.forUser().keyFingerprint()
                + " (your own Scrim key)"), shown);

        Path edited = oneByteEdited(png, "edited.png");
        out.getBuffer().setLength(0);
        assertEquals(0, tag("--show", edited.toString()), err.toString());
        assertTrue(out.toString().contains("c2pa: changed since signed"), out.toString());
        byte[] before = Files.readAllBytes(edited);
        assertEquals(2, tag("--show", edited.toString(), "--in-place"), "--show writes nothing");
        assertFalse(before.length == 0);
    }

    @Test
    void theArtistsOwnCertificateSignsWhenGiven() throws Exception {
        // a key pair made like the per-user one, in another folder, stands in for the artist's own
        Path own = dir.resolve("own");
        org.scrim.engine.c2pa.C2paSigner.forUser(own);
        Path png = image("a.png", "png");
        assertEquals(0, tag("--in-place", png.toString(), "--c2pa-cert", own.resolve("c2pa/signer-chain.pem")
                .toString(), "--c2pa-key", own.resolve("c2pa/signer.key.pem").toString()), err.toString());
        assertValidNoTraining(C2paSdk.read(png).get(0));
        String parentLabel = C2paSdk.read(png).get(0).get("active_manifest").getAsString();
        // tagged again with the per-user key: the other signer's manifest stays as the parent ingredient, and the
        // output says so
        String ownKey = org.scrim.engine.c2pa.C2paSigner.forUser(own).keyFingerprint();
        assertEquals(0, tag("--in-place", png.toString()), err.toString());
        assertTrue(out.toString().contains("note: " + png + " carried Content Credentials signed by Scrim "
                + "self-issued signer (key " + ownKey + ", valid); Scrim's manifest keeps that manifest as its parent "
                + "ingredient (C2PA parentOf)"), out.toString());
        JsonObject retagged = C2paSdk.read(png).get(0);
        assertValidNoTraining(retagged);
        assertEquals(2, retagged.get("manifests").getAsInt(), retagged.toString());
        JsonObject ingredient = retagged.getAsJsonArray("ingredients").get(0).getAsJsonObject();
        assertEquals("parentOf", ingredient.get("relationship").getAsString(), retagged.toString());
        assertEquals(parentLabel, ingredient.get("active_manifest").getAsString(), retagged.toString());
        // the parent's hashed URIs match what the store keeps; its signer is self-issued too (in no trust list)
        assertEquals("[\"signingCredential.untrusted\"]", retagged.get("ingredient_failures").toString(),
                retagged.toString());
        ManifestReader.Credentials read = ManifestReader.read(Files.readAllBytes(png));
        assertEquals(ManifestReader.Status.VALID, read.status(), read.toString());
        assertEquals(org.scrim.engine.c2pa.C2paSigner.forUser().keyFingerprint(), read.signerKey());
        assertEquals(2, tag("--in-place", png.toString(), "--c2pa-cert", "x.pem"), "the key is required too");
        assertEquals(2, tag("--in-place", png.toString(), "--c2pa-cert", dir.resolve("missing.pem").toString(),
                "--c2pa-key", dir.resolve("missing.key").toString()));
        assertTrue(err.toString().contains("missing.pem"), err.toString());
    }

    @Test
    void aKeyMadeForAnArtistNamesThemAndALaterNameDoesNotMakeANewKey() throws Exception {
        String configured = System.getProperty(UserFolders.CONFIG_PROPERTY);
        System.setProperty(UserFolders.CONFIG_PROPERTY, dir.resolve("fresh-config").toString());
        try {
            Path png = image("named.png", "png");
            assertEquals(0, tag("--in-place", "--creator", "Ann Artist, North=Studio", png.toString()),
                    err.toString());
            String key = C2paSigner.forUser().keyFingerprint();
            assertEquals(0, tag("--show", png.toString()), err.toString());
            assertTrue(out.toString().contains("c2pa_signer: Ann Artist, North=Studio (Scrim self-issued), issued by "
                    + "Scrim self-issued root"), out.toString());
            assertEquals("Ann Artist, North=Studio (Scrim self-issued)", C2paSdk.read(png).get(0).get("signer")
                    .getAsString());
            // another name later: the same key signs (files signed before still match it), under the name it has
            Path other = image("other.png", "png");
            out.getBuffer().setLength(0);
            assertEquals(0, tag("--in-place", "--creator", "Bob", other.toString()), err.toString());
            assertEquals(0, tag("--show", other.toString()), err.toString());
            assertTrue(out.toString().contains("c2pa_signer: Ann Artist, North=Studio (Scrim self-issued)"),
                    out.toString());
            assertTrue(out.toString().contains("c2pa_signer_key: " + key + " (your own Scrim key)"), out.toString());
        } finally {
            if (configured == null) {
                System.clearProperty(UserFolders.CONFIG_PROPERTY);
            } else {
                System.setProperty(UserFolders.CONFIG_PROPERTY, configured);
            }
        }
    }

    @Test
    void theC2paSdkValidatesAProtectedFile() throws Exception {
        Path png = image("art.png", "png");
        Path protectedPng = dir.resolve("art.protected.png");
        Object[] r = ProtectCommandTest.scrim("protect", png.toString(), "-o", protectedPng.toString(), "--steps",
                "1", "--work-size", "64", "--decoy", "pattern", "--seed", "3", "--no-verify", "--progress", "none");
        assertEquals(0, r[0], String.valueOf(r[1]));
        JsonObject read = C2paSdk.read(protectedPng).get(0);
        assertValidNoTraining(read);
        assertEquals("[\"c2pa.opened\",\"c2pa.edited\"]", read.get("actions").toString());

        Object[] v = ProtectCommandTest.scrim("verify", png.toString(), protectedPng.toString(), "--work-size", "64",
                "--json", "--progress", "none");
        assertEquals(0, v[0], String.valueOf(v[1]));
        JsonObject report = JsonParser.parseString((String) v[1]).getAsJsonObject().getAsJsonArray("files").get(0)
                .getAsJsonObject();
        assertEquals("valid (hash binding intact, signature good)", report.get("c2pa").getAsString(), v[1].toString());
        assertTrue(report.get("c2pa_training_mining").getAsString().contains("cawg.ai_training=notAllowed"));
    }
}
