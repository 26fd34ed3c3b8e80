package org.scrim.imagej;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.scrim.engine.imageio.IOConsumer;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.metadata.NoAiTags;

/** Writes an image file and its "no AI training" tags as one step, so no untagged copy is left behind. */
final class TaggedFiles {
    private TaggedFiles() {}

    /** {@code writer} writes the image to a staging file beside {@code out}; the tagged result then replaces out. */
    static void write(Path out, IOConsumer<Path> writer, NoAiTags tags) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String name = out.getFileName().toString();
        Path staged = Files.createTempFile(dir, ".scrim-", name.substring(name.lastIndexOf('.')));
        try {
            writer.accept(staged);
            MetadataWriter.tag(staged, out, tags, true);
        } finally {
            Files.deleteIfExists(staged);
        }
    }
}
