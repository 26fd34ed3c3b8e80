package org.scrim.engine.imageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
