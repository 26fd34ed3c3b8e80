package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.testing.FullDisk;
import org.scrim.engine.testing.ReadOnlyFolder;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path target = Files.writeString(dir.resolve("art.png"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(target, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of("art.png"), listing());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void aWriterFailingMidwayLeavesTheExistingTargetIntact() throws Exception {
        Path target = Files.writeString(dir.resolve("art.png"), "the artist's original");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("encoder failed");
        }));
        assertEquals("encoder failed", e.getMessage());
        assertEquals("the artist's original", Files.readString(target));
        assertEquals(List.of("art.png"), listing());
    }

    @Test
    void imageWriteToAnImpossibleTargetFailsNamingItAndLeavesNoTemporaryFile() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder.png"));
        PlanarImage image = ImageFiles.read(TestImages.write(TestImages.random(4, 4, 3, false, 8,
                TestImages.srgb(), 1), "png", dir.resolve("a.png")));
        IOException e = assertThrows(IOException.class, () -> ImageFiles.write(image, folder));
        assertEquals(true, e.getMessage().contains(folder.toString()), e.getMessage());
        assertEquals(List.of("a.png", "folder.png"), listing());
    }

    @Test
    void aReadOnlyFolderFailsNamingItAndLeavesTheExistingTargetIntact() throws Exception {
        Path target = Files.writeString(dir.resolve("art.png"), "the artist's original");
        try (ReadOnlyFolder readOnly = ReadOnlyFolder.of(dir)) {
            IOException e = assertThrows(IOException.class,
                    () -> AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("cannot create a file in folder " + dir), e.getMessage());
        }
        assertEquals("the artist's original", Files.readString(target));
        assertEquals(List.of("art.png"), listing());
    }

    /** Disk full in the middle of writing an image: the error names the output, the old file survives. */
    @Test
    void aFullDiskFailsNamingTheOutputAndLeavesTheExistingTargetIntact() throws Exception {
        PlanarImage image = ImageFiles.read(TestImages.write(TestImages.random(256, 256, 3, false, 8,
                TestImages.srgb(), 1), "png", dir.resolve("a.png")));
        try (FullDisk disk = FullDisk.mount(dir.resolve("disk"), 256)) {
            Path target = Files.writeString(disk.dir().resolve("art.png"), "the artist's original");
            Path filler = disk.fill();
            IOException e = assertThrows(IOException.class, () -> ImageFiles.write(image, target));
            assertTrue(e.getMessage().contains("cannot write " + target) && e.getMessage().contains("No space left"),
                    e.getMessage());
            assertEquals("the artist's original", Files.readString(target));
            try (Stream<Path> files = Files.list(disk.dir())) {
                assertEquals(List.of(target, filler), files.sorted().toList(), "a temporary file was left behind");
            }
        }
    }

    /** kill -9 in the middle of a write: the old target survives, at most the hidden temporary file is left. */
    @Test
    void aWriterKilledMidwayLeavesTheExistingTargetAndAtMostItsHiddenTemporaryFile() throws Exception {
        Path target = Files.writeString(dir.resolve("art.png"), "the artist's original");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SlowAtomicWriter.class.getName(), target.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine(), "the child started writing");
            List<String> during = listing();
            assertEquals(2, during.size(), "target and one temporary file while writing: " + during);
            child.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertEquals("the artist's original", Files.readString(target));
        List<String> leftOver = listing().stream().filter(name -> !name.equals("art.png")).toList();
        assertTrue(leftOver.size() <= 1 && leftOver.stream().allMatch(n -> n.matches("\\.art\\.png\\.[0-9a-z]+\\.tmp")),
                "only the hidden temporary file may be left: " + leftOver);
    }

    /**
     * Ctrl-C (SIGINT) in the middle of a write, plain or staged for tagging as a protection's output is: the shutdown
     * hook deletes the temporary file, so no untagged full-size copy is left for a later folder run to pick up.
     */
    @Test
    void anInterruptedWriterLeavesNoTemporaryFile() throws Exception {
        for (String mode : List.of("plain", "tagged")) {
            Path target = Files.writeString(dir.resolve("art.png"), "the artist's original");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SlowAtomicWriter.class.getName(), target.toString(), mode).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("writing", out.readLine(), mode + ": the child started writing");
                assertEquals(2, listing().size(), mode + ": target and one temporary file: " + listing());
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
                assertEquals(0, kill.waitFor());
                assertTrue(child.waitFor(20, TimeUnit.SECONDS), mode + ": the child ends on SIGINT");
            } finally {
                child.destroyForcibly();
            }
            assertEquals("the artist's original", Files.readString(target));
            assertEquals(List.of("art.png"), listing(), mode + ": the temporary file is removed on interrupt");
        }
    }

    /** A link is written through: the linked file gets the content, the link stays a link. */
    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws Exception {
        Path real = Files.writeString(Files.createDirectory(dir.resolve("gallery")).resolve("art.png"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), Path.of("gallery", "art.png"));
        AtomicFiles.write(link, "new".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(link), "the link is kept");
        assertEquals("new", Files.readString(real));

        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.png"), Path.of("nowhere.png"));
        IOException e = assertThrows(IOException.class,
                () -> AtomicFiles.write(dangling, "new".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("dangling.png") && e.getMessage().contains("does not exist"),
                e.getMessage());
        assertTrue(Files.isSymbolicLink(dangling) && !Files.exists(dir.resolve("nowhere.png")));
    }

    /** Hidden files, such as a staging file an interrupted run left, are never taken as a folder's images. */
    @Test
    void aFolderRunNeverTakesHiddenFiles() throws Exception {
        for (String name : List.of("art.png", ".scrim-1x2y.png", ".art.png.abc.tmp.png", ".hidden.jpg")) {
            Files.writeString(dir.resolve(name), "x");
        }
        assertEquals(List.of(dir.resolve("art.png")), ImageFiles.imagesIn(dir));
    }

    /**
     * Temporary files a killed run left (SIGKILL skips the shutdown hook) are deleted by the next write into their
     * folder once they are stale; a fresh one, maybe another run's write in progress, and the artist's own hidden
     * files stay.
     */
    @Test
    void staleTemporaryFilesOfAKilledRunAreSweptByTheNextWrite() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("sweep"));
        java.nio.file.attribute.FileTime twoHoursAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(2)));
        List<Path> stale = List.of(folder.resolve(".art.png.1x2y3z4a5b6c.tmp"),
                folder.resolve(".scrim-9q8w7e6r5t4y.jpg"));
        List<Path> kept = List.of(folder.resolve(".art.png.0a1b2c3d4e5f.tmp"), folder.resolve(".notes.old.tmp"),
                folder.resolve(".scrim-settings"));
        for (Path p : stale) {
            Files.setLastModifiedTime(Files.writeString(p, "half"), twoHoursAgo);
        }
        for (Path p : kept) {
            Files.writeString(p, "mine");
        }
        Files.setLastModifiedTime(kept.get(1), twoHoursAgo);
        Files.setLastModifiedTime(kept.get(2), twoHoursAgo);
        AtomicFiles.write(folder.resolve("art.png"), "new".getBytes(StandardCharsets.UTF_8));
        for (Path p : stale) {
            assertTrue(!Files.exists(p), p + " is a stale temporary file");
        }
        for (Path p : kept) {
            assertTrue(Files.exists(p), p + " was not Scrim's or not stale");
        }
    }
}
