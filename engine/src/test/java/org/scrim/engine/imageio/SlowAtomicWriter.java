package org.scrim.engine.imageio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;

/**
 * Run in a child JVM by {@link AtomicFilesTest}: writes its target through AtomicFiles slowly (or, with a second
 * argument "tagged", stages it as a protection does before tagging it), saying on stdout when bytes are on their way,
 * so that the test can kill or interrupt it mid-write.
 */
public final class SlowAtomicWriter {
    private SlowAtomicWriter() {}

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("tagged")) {
            MetadataWriter.writeTagged(target, staged -> {
                try (OutputStream out = Files.newOutputStream(staged)) {
                    writeSlowly(out);
                }
            }, NoAiTags.prohibitAiTraining(Provenance.metadataOnly()));
        } else {
            AtomicFiles.write(target, SlowAtomicWriter::writeSlowly);
        }
    }

    private static void writeSlowly(OutputStream out) throws IOException {
        for (int i = 0; i < 600; i++) {
            out.write(new byte[4096]);
            out.flush();
            if (i == 0) {
                System.out.println("writing");
                System.out.flush();
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }
}
