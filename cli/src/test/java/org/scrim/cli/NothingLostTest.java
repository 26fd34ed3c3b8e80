package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.imageio.TestImages;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.testing.SharedData;

/** An artist's files survive careless commands: no input, backup or link is ever lost, and mistakes fail at once. */
class NothingLostTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** Runs scrim (with the shared models for the commands that load one) and returns exit code, stdout, stderr. */
    static Result scrim(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (List.of("protect", "verify", "encode", "decode").contains(args[0])) {
            all.addAll(List.of("--model-dir", SharedData.path("models").toString(), "--threads", "2"));
        }
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = ScrimCommand.commandLine().execute(all.toArray(String[]::new));
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private Path art(String name, long seed) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return TestImages.write(TestImages.random(48, 40, 3, false, 8, TestImages.srgb(), seed), "png", file);
    }

    private static String[] quick(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--steps", "1", "--decoy", "pattern", "--no-verify", "--progress", "none"));
        return all.toArray(String[]::new);
    }

    @Test
    void inPlaceKeepsEveryOriginalInNumberedBackupsAndDoesNotStackProtections() throws Exception {
        Path p = art("p.png", 1);
        byte[] first = Files.readAllBytes(p);
        Result r = scrim(quick("protect", p.toString(), "--in-place"));
        assertEquals(0, r.code(), r.all());
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("p.png.orig")));

        art("p.png", 2);
        byte[] second = Files.readAllBytes(p);
        r = scrim(quick("protect", p.toString(), "--in-place"));
        assertEquals(0, r.code(), r.all());
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("p.png.orig")), "the first backup is kept");
        assertArrayEquals(second, Files.readAllBytes(dir.resolve("p.png.orig.1")), "the new original is kept too");

        byte[] protectedOnce = Files.readAllBytes(p);
        r = scrim(quick("protect", p.toString(), "--in-place"));
        assertEquals(ScrimCommand.EXIT_FAILED, r.code(), r.all());
        assertTrue(r.all().contains("protected this file already") && r.all().contains("--force"), r.all());
        assertArrayEquals(protectedOnce, Files.readAllBytes(p), "a protected file is not protected again");
        assertFalse(Files.exists(dir.resolve("p.png.orig.2")), "nothing to back up when nothing is done");
    }

    @Test
    void anOutputThatWouldReplaceAnInputOrAnotherOutputIsRefusedBeforeAnyWork() throws Exception {
        Path a = art("a/x.png", 1);
        Path od = art("od/x.png", 2);
        Path b = art("b/x.png", 3);
        byte[] aBytes = Files.readAllBytes(a);
        byte[] odBytes = Files.readAllBytes(od);

        Result r = scrim(quick("protect", a.toString(), od.toString(), "--out-dir", dir.resolve("od").toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertTrue(r.err().contains(a + " -> " + od + " would replace the input " + od), r.err());

        r = scrim(quick("protect", a.toString(), b.toString(), "--out-dir", dir.resolve("od2").toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertTrue(r.err().contains("one result would overwrite the other"), r.err());
        assertFalse(Files.exists(dir.resolve("od2")));

        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("od3")).resolve("link.png"),
                Path.of("..", "a", "x.png"));
        r = scrim(quick("protect", a.toString(), "-o", link.toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertTrue(r.err().contains("--in-place"), r.err());

        r = scrim(quick("protect", a.toString(), "-o", dir.resolve("od3").toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertTrue(r.err().contains("is a folder"), r.err());

        r = scrim("verify", a.toString(), b.toString(), "--ai-view", a.toString());
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        r = scrim("encode", a.toString(), "-o", link.toString());
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertFalse(r.err().contains("--in-place"), "encode has no --in-place to suggest: " + r.err());
        r = scrim(quick("protect", a.toString(), link.toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertTrue(r.err().contains(a + " and " + link + " are the same file"), r.err());
        assertFalse(Files.exists(dir.resolve("a/x.protected.png")));
        Path latent = Files.writeString(dir.resolve("z.npy"), "a latent");
        r = scrim("decode", latent.toString(), "-o", latent.toString());
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertEquals("a latent", Files.readString(latent));

        assertArrayEquals(aBytes, Files.readAllBytes(a));
        assertArrayEquals(odBytes, Files.readAllBytes(od));
    }

    @Test
    void linksAreWrittenThroughAndStayLinks() throws Exception {
        Path gallery = art("gallery/real.png", 1);
        byte[] original = Files.readAllBytes(gallery);
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), Path.of("gallery", "real.png"));
        Result r = scrim(quick("protect", link.toString(), "--in-place"));
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertArrayEquals(original, Files.readAllBytes(dir.resolve("link.png.orig")));
        assertTrue(ImageFiles.read(gallery).colour().maxAbsDiff(ImageFiles.read(dir.resolve("link.png.orig"))
                .colour()) > 0, "the linked artwork is the one protected");

        Path outLink = Files.createSymbolicLink(dir.resolve("out.png"), Path.of("gallery", "result.png"));
        Files.writeString(dir.resolve("gallery/result.png"), "an earlier result");
        r = scrim(quick("protect", art("in.png", 2).toString(), "-o", outLink.toString()));
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.isSymbolicLink(outLink));
        assertEquals(48, ImageFiles.read(dir.resolve("gallery/result.png")).width());

        Path site = Files.createDirectories(dir.resolve("site"));
        Path shared = Files.writeString(dir.resolve("shared-robots.txt"), "User-agent: *\nDisallow: /drafts/\n");
        Path robots = Files.createSymbolicLink(site.resolve("robots.txt"), Path.of("..", "shared-robots.txt"));
        r = scrim("optout", "--site", site.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.isSymbolicLink(robots), "robots.txt is still the link");
        String merged = Files.readString(shared);
        assertTrue(merged.contains("GPTBot") && merged.contains("Disallow: /drafts/"), merged);
    }

    @Test
    void mistakesAreSaidClearlyAndBeforeTheWork() throws Exception {
        Path noExtension = Files.move(art("plain.png", 1), dir.resolve("plain"));
        Result r = scrim(quick("protect", noExtension.toString(), "--json"));
        assertEquals(0, r.code(), r.all());
        assertEquals(48, ImageFiles.read(dir.resolve("plain.protected")).width());
        JsonObject file = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("files").get(0)
                .getAsJsonObject();
        JsonObject weights = file.getAsJsonObject("model_sha256");
        assertEquals(ModelStore.TAEF2.encoder().sha256(), weights.get("taef2").getAsString(),
                "the report names the weights used");
        assertEquals(ModelStore.TAESANA.encoder().sha256(), weights.get("taesana").getAsString());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path folderNamedLikeAnImage = Files.createDirectories(dir.resolve("x.png"));
        for (Path folder : List.of(empty, folderNamedLikeAnImage)) {
            r = scrim(quick("protect", folder.toString()));
            assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
            assertTrue(r.err().contains(folder + " is a folder with no images"), r.err());
        }

        Path art = art("art.png", 2);
        for (String[] bad : List.of(new String[] {"--max-visibility", "Infinity"},
                new String[] {"--max-visibility", "NaN"}, new String[] {"--work-size", "-3"},
                new String[] {"--threads", "-1"}, new String[] {"--device-memory", "-5"},
                new String[] {"--data-mining", "DMI-PROHIBITED-SEECONSTRAINT"})) {
            List<String> args = new ArrayList<>(List.of("protect", art.toString(), "--progress", "none"));
            args.addAll(List.of(bad));
            r = scrim(args.toArray(String[]::new));
            assertEquals(ScrimCommand.EXIT_USAGE, r.code(), String.join(" ", bad) + ": " + r.all());
        }
        assertFalse(Files.exists(dir.resolve("art.protected.png")));

        r = scrim("tag", art.toString(), "-o", dir.resolve("tagged.png").toString());
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), r.all());
        assertFalse(Files.exists(dir.resolve("tagged.png")), "no folder named like an image is made");

        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new ServeCommand.SizeConverter().convert("9999999999999G"));
        assertTrue(size.getMessage().contains("largest size"), size.getMessage());
    }

    /** Outputs Scrim cannot write are refused before the protection runs, naming the output, never a staging file. */
    @Test
    void anOutputThatCannotBeWrittenFailsBeforeTheWork() throws Exception {
        Path png = art("art.png", 3);
        Path webp = dir.resolve("art.webp");
        Process cwebp = new ProcessBuilder("cwebp", "-quiet", "-lossless", png.toString(), "-o", webp.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, cwebp.waitFor(), "cwebp (Debian package webp) must be installed");
        Path rgba = TestImages.write(TestImages.random(48, 40, 3, true, 8, TestImages.srgb(), 4), "png",
                dir.resolve("rgba.png"));
        Path jpeg = dir.resolve("rgba.jpg");
        for (List<String> args : List.of(List.of(webp.toString()), List.of(rgba.toString(), "-o", jpeg.toString()))) {
            List<String> all = new ArrayList<>(List.of("protect"));
            all.addAll(args);
            all.addAll(List.of("--steps", "1", "--decoy", "pattern", "--progress", "lines"));
            Result r = scrim(all.toArray(String[]::new));
            assertEquals(ScrimCommand.EXIT_FAILED, r.code(), r.all());
            assertFalse(r.err().contains("progress "), "no step was taken: " + r.err());
            assertFalse(r.all().contains(".scrim-"), r.all());
        }
        Result r = scrim("protect", rgba.toString(), "-o", jpeg.toString(), "--progress", "none");
        assertTrue(r.out().contains(jpeg + ": JPEG has no alpha channel"), r.all());
        assertFalse(Files.exists(dir.resolve("art.protected.webp")) || Files.exists(jpeg));

        // refused in place too: the original stays, and the backup this run made goes with the refusal
        byte[] before = Files.readAllBytes(webp);
        r = scrim(quick("protect", "--in-place", webp.toString()));
        assertEquals(ScrimCommand.EXIT_FAILED, r.code(), r.all());
        assertArrayEquals(before, Files.readAllBytes(webp));
        assertFalse(Files.exists(dir.resolve("art.webp.orig")), "a refusal leaves no backup behind: " + r.all());

        r = scrim(quick("protect", "--no-backup", png.toString()));
        assertEquals(ScrimCommand.EXIT_USAGE, r.code(), "--no-backup means nothing without --in-place: " + r.all());
    }
}
