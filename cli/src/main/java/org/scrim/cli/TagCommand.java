package org.scrim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.imageio.ImageFormat;
import org.scrim.engine.metadata.MetadataWriter;
import org.scrim.engine.statement.NoAiTags;
import org.scrim.engine.statement.Provenance;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scrim tag}: writes the "no AI training" statement into image files without touching their pixels. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Write an IPTC \"Data Mining\" statement (XMP plus:DataMining) and rights fields into PNG, "
                + "JPEG, TIFF and WebP files. Only metadata changes: pixels, EXIF and ICC profiles are kept."})
public class TagCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Images to tag.")
    List<Path> files;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Destination destination;

    @Option(names = "--show", description = "Print the statements the files carry (XMP and C2PA Content "
            + "Credentials, with whether the manifest still validates) instead of writing anything.")
    boolean show;

    static class Destination {
        @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
                description = "Write tagged copies into DIR (same file names).")
        Path outputDir;

        @Option(names = "--in-place", required = true, description = "Rewrite the input files themselves.")
        boolean inPlace;
    }

    @Mixin
    TagOptions tagOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (show) {
            if (destination != null) {
                throw new ParameterException(spec.commandLine(), "--show writes nothing: drop -o/--in-place");
            }
            return TagShow.print(files, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        if (destination == null) {
            throw new ParameterException(spec.commandLine(), "Missing -o DIR or --in-place (or --show to read tags)");
        }
        NoAiTags tags;
        C2paSigner signer;
        try {
            tags = tagOptions.tags(Provenance.metadataOnly());
            signer = tagOptions.signer();
        } catch (IllegalArgumentException | IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        checkDestination();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failures = MetadataWriter.tagEach(files, destination.inPlace ? null : destination.outputDir, tags, signer,
                new MetadataWriter.BatchListener() {
                    @Override
                    public void tagged(Path target) {
                        out.println("tagged " + target);
                    }

                    @Override
                    public void replacedCredentials(Path in, String note) {
                        out.println("note: " + note);
                    }

                    @Override
                    public void failed(Path in, IOException e) {
                        err.println("scrim tag: " + e.getMessage());
                    }
                });
        out.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    /**
     * Before any file is tagged: -o names a folder (a name like tagged.png would be made a folder), and no tagged
     * copy may replace an input or another copy.
     */
    private void checkDestination() {
        Path dir = destination.outputDir;
        if (dir != null && (Files.exists(dir) ? !Files.isDirectory(dir) : ImageFormat.forPath(dir).isPresent())) {
            throw new ParameterException(spec.commandLine(), "-o names the folder for the tagged copies, and " + dir
                    + " is " + (Files.exists(dir) ? "a file" : "an image file name") + "; name a folder");
        }
        List<WriteGuard.Write> writes = new ArrayList<>();
        for (Path f : files) {
            writes.add(new WriteGuard.Write(f, destination.inPlace ? f : dir.resolve(f.getFileName())));
        }
        try {
            WriteGuard.check(writes, List.of(), destination.inPlace);
        } catch (ScrimCommand.UsageException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
