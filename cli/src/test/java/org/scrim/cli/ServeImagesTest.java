package org.scrim.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.imageio.TestImages;

/**
 * The images a {@code POST /protect} query names ({@code decoy-image=}, {@code anchor=}) come from the service's
 * {@code --images-dir} alone: names inside it work, relative or absolute; anything that resolves outside (an
 * absolute path, {@code ..}, a symbolic link to a file or a folder, a link inside an anchor folder) is refused in the
 * same words as a path that does not exist, so the answers tell nothing about the files outside.
 */
class ServeImagesTest {
    @TempDir
    static Path dir;
    private static Path root;
    private static ImagesFolder images;

    @BeforeAll
    static void makeFolders() throws IOException {
        root = Files.createDirectories(dir.resolve("images"));
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside.resolve("folder"));
        image(root.resolve("decoy.png"), 1);
        image(Files.createDirectories(root.resolve("anchors")).resolve("a.png"), 2);
        image(root.resolve("anchors/b.png"), 3);
        Path secret = image(outside.resolve("secret.png"), 4);
        image(outside.resolve("folder/c.png"), 5);
        Files.createSymbolicLink(root.resolve("secret-link.png"), secret);
        Files.createSymbolicLink(root.resolve("outside-link"), outside.resolve("folder"));
        Files.createDirectories(root.resolve("mixed"));
        image(root.resolve("mixed/d.png"), 6);
        Files.createSymbolicLink(root.resolve("mixed/e.png"), secret);
        images = ImagesFolder.of(root);
    }

    private static Path image(Path file, long seed) throws IOException {
        return TestImages.write(TestImages.random(16, 16, 3, false, 8, TestImages.srgb(), seed), "png", file);
    }

    private static LocalService.ProtectQuery parse(String query) throws LocalService.Refusal {
        return LocalService.ProtectQuery.parse(query, images);
    }

    @Test
    void imagesInsideTheFolderAreReadRelativeOrAbsolute() throws Exception {
        assertEquals(root.toRealPath().resolve("decoy.png"), parse("decoy-image=decoy.png").choices().decoyImage);
        assertEquals(root.toRealPath().resolve("decoy.png"),
                parse("decoy-image=" + root.resolve("anchors/../decoy.png")).choices().decoyImage);
        LocalService.ProtectQuery anchors = parse("mode=poison&anchor=anchors&anchor=decoy.png");
        assertEquals(List.of("a.png", "b.png", "decoy.png"),
                anchors.choices().anchors.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(3, anchors.request().anchors().size(), "each named image is read");
    }

    @Test
    void anythingThatResolvesOutsideIsRefusedInTheWordsOfAMissingFile() {
        Map<String, String> refused = new LinkedHashMap<>();
        for (String value : new String[] {"missing.png", dir.resolve("outside/secret.png").toString(),
                dir.resolve("outside/folder").toString(), dir.resolve("outside/none.png").toString(),
                "../outside/secret.png", "../outside", "secret-link.png", "outside-link", "outside-link/c.png",
                "/etc/passwd", "/etc", "/proc/self/environ", "bad\u0000name"}) {
            for (String key : new String[] {"decoy-image", "anchor"}) {
                String query = ServeCommandTest.modeFor(key) + key + "=" + URLEncoder.encode(value,
                        StandardCharsets.UTF_8);
                LocalService.Refusal r = assertThrows(LocalService.Refusal.class, () -> parse(query), query);
                assertEquals(400, r.status);
                refused.put(key + "=" + value, r.getMessage().replace("'" + value + "'", "NAME"));
            }
        }
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String key = e.getKey().substring(0, e.getKey().indexOf('='));
            assertEquals(key + ": NAME is not an image " + (key.equals("anchor") ? "or a folder of images " : "")
                    + "inside the service's --images-dir", e.getValue(), e.getKey());
        }
        assertEquals("anchor: 'mixed' is not an image or a folder of images inside the service's --images-dir",
                assertThrows(LocalService.Refusal.class, () -> parse("mode=poison&anchor=mixed")).getMessage(),
                "a folder inside with a link out among its images");
    }

    @Test
    void withoutAFolderNoQueryNamesAFile() throws Exception {
        Path decoy = root.resolve("decoy.png");
        for (String key : new String[] {"decoy-image", "anchor"}) {
            LocalService.Refusal r = assertThrows(LocalService.Refusal.class,
                    () -> LocalService.ProtectQuery.parse(ServeCommandTest.modeFor(key) + key + "=" + decoy,
                            ImagesFolder.NONE));
            assertEquals(key + ": the service reads images named in a request only from the folder it was started "
                    + "with (scrim serve --images-dir FOLDER), and it was started without one", r.getMessage());
        }
        assertThrows(ScrimCommand.UsageException.class, () -> ImagesFolder.of(decoy));
        assertThrows(ScrimCommand.UsageException.class, () -> ImagesFolder.of(dir.resolve("nowhere")));
    }

    @Test
    void aFolderIsNoDecoyImageAndAnAnchorFolderNeedsImages() throws Exception {
        Files.createDirectories(root.resolve("empty"));
        assertEquals("decoy-image: 'anchors' is a folder; name one image in it",
                assertThrows(LocalService.Refusal.class, () -> parse("decoy-image=anchors")).getMessage());
        assertEquals("anchor: 'empty' has no images in it (PNG, JPEG, TIFF or WebP)",
                assertThrows(LocalService.Refusal.class, () -> parse("mode=poison&anchor=empty")).getMessage());
    }
}
