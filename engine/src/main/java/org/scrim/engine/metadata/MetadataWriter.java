package org.scrim.engine.metadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.scrim.engine.c2pa.C2paSigner;
import org.scrim.engine.c2pa.ManifestReader;
import org.scrim.engine.c2pa.ManifestWriter;
import org.scrim.engine.imageio.AtomicFiles;
import org.scrim.engine.imageio.IOConsumer;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.statement.NoAiTags;

/**
 * Writes the "no AI training" statement into a PNG, JPEG, TIFF or WebP file. The XMP packet is merged with the
 * packet already there, and every other chunk, segment or tag (EXIF, ICC profile, image data) is copied unchanged.
 * PNG and JPEG files also get a signed C2PA manifest stating the same (see {@link ManifestWriter}), signed with the
 * given {@link C2paSigner} or, where none is given, the per-user one.
 */
public final class MetadataWriter {
    private MetadataWriter() {}

    /**
     * Tags {@code in} into {@code out}. The output is written to a temporary file beside it and moved into place.
     *
     * @param overwriteInput must be true for {@code out} to be the same file as {@code in}; this guards against a
     *                       mistyped output folder silently rewriting an artist's original
     */
    public static void tag(Path in, Path out, NoAiTags tags, boolean overwriteInput) throws IOException {
        tag(in, out, tags, overwriteInput, null);
    }

    /**
     * As {@link #tag(Path, Path, NoAiTags, boolean)}, signing the C2PA manifest with {@code signer}. Returns the
     * Content Credentials of another signer that the file carried, which the new manifest keeps as its parent
     * ingredient, so the caller can say so; null when there were none, or they were the same key's (then replaced).
     */
    public static ManifestReader.Credentials tag(Path in, Path out, NoAiTags tags, boolean overwriteInput,
            C2paSigner signer) throws IOException {
        // The statement changes metadata only, so the file must decode after it as it did before; a file Java cannot
        // decode (a CMYK JPEG, say) is tagged without that check.
        return tag(in, out, tags, overwriteInput, signer, in.getFileName().toString(), ImageFiles.decodesWhole(in));
    }

    /** @param sourceName the name of the image Scrim received (the manifest's ingredient), or null when unknown */
    private static ManifestReader.Credentials tag(Path in, Path out, NoAiTags tags, boolean overwriteInput,
            C2paSigner signer, String sourceName, boolean mustDecodeWhole) throws IOException {
        if (!overwriteInput && Files.exists(out) && Files.isSameFile(in, out)) {
            throw new MetadataException(in, "output is the input file itself; ask for in-place tagging explicitly");
        }
        byte[] tagged = withStatement(in, tags);
        ManifestReader.Credentials parent = null;
        if (ManifestWriter.supports(tagged)) {
            ManifestWriter.Statement statement = new ManifestWriter.Statement(tags.dataMining(),
                    tags.otherConstraints(), tags.provenance(), sourceName);
            C2paSigner by = signer != null ? signer
                    : C2paSigner.forUser(tags.creators().isEmpty() ? null : String.join(", ", tags.creators()));
            try {
                // checked on the file as it came: the statement changed bytes the earlier manifest's binding covers
                parent = othersCredentials(in, by);
                tagged = ManifestWriter.sign(tagged, statement, by, parent);
            } catch (IOException e) {
                throw new MetadataException(in, "cannot add Content Credentials: " + e.getMessage(), e);
            }
        }
        byte[] content = tagged;
        AtomicFiles.write(out, stream -> stream.write(content), written -> {
            if (mustDecodeWhole) {
                ImageFiles.requireWhole(written, out);
            }
        });
        return parent;
    }

    /** The file's Content Credentials when another key than {@code signer}'s signed them, else null. */
    private static ManifestReader.Credentials othersCredentials(Path file, C2paSigner signer) throws IOException {
        ManifestReader.Credentials earlier = ManifestReader.read(Files.readAllBytes(file));
        return earlier == null || signer.keyFingerprint().equals(earlier.signerKey()) ? null : earlier;
    }

    /**
     * The file {@code in} with the statement merged into its XMP packet. Its bytes as read are dropped on return, so
     * that signing, which copies the file once more, does not hold three copies of a large image at once.
     */
    private static byte[] withStatement(Path in, NoAiTags tags) throws IOException {
        byte[] bytes = Files.readAllBytes(in);
        ImageContainer container = MetadataReader.containerOf(in, bytes);
        String existing = MetadataReader.readXmp(in, container, bytes);
        XmpPacket xmp = existing == null ? XmpPacket.empty() : MetadataReader.parse(in, existing);
        xmp.apply(tags);
        byte[] tagged;
        try {
            tagged = container.replaceXmp(bytes, xmp.serialize());
        } catch (IOException | RuntimeException e) {
            throw new MetadataException(in, "cannot rewrite this " + container + " file: " + e.getMessage(), e);
        }
        requireStatementReadable(in, container, tagged);
        return tagged;
    }

    /**
     * A damaged file can lead the rewriter to put the packet where no reader looks (a JPEG whose scan comes before
     * any header segment gets it after the scan); such a file is refused rather than written looking tagged.
     */
    private static void requireStatementReadable(Path in, ImageContainer container, byte[] tagged)
            throws MetadataException {
        String readBack;
        try {
            readBack = container.readXmp(tagged);
        } catch (IOException | RuntimeException e) {
            readBack = null;
        }
        if (readBack == null) {
            throw new MetadataException(in, "this " + container + " file is laid out so that no reader would find "
                    + "the statement (damaged, or image data before its headers); open and re-save it in an image "
                    + "editor, then tag the copy");
        }
    }

    /**
     * Writes a new image file already tagged: {@code writer} writes the image to a staging file beside {@code out},
     * which is then tagged into {@code out} atomically, so no untagged copy is ever left at {@code out}.
     */
    public static void writeTagged(Path out, IOConsumer<Path> writer, NoAiTags tags) throws IOException {
        writeTagged(out, writer, tags, null);
    }

    /** As {@link #writeTagged(Path, IOConsumer, NoAiTags)}, signing the C2PA manifest with {@code signer}. */
    public static void writeTagged(Path out, IOConsumer<Path> writer, NoAiTags tags, C2paSigner signer)
            throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String name = out.getFileName().toString();
        Path staged = AtomicFiles.createTemp(dir, ".scrim-", name.substring(Math.max(0, name.lastIndexOf('.'))));
        try {
            writer.accept(staged);
            // the tagged file carries the staged image data as it is, so its check before it replaces out covers both
            tag(staged, out, tags, true, signer, null, true);
        } catch (IOException e) {
            // the user knows the output, not the hidden staging file the error names
            throw new IOException(String.valueOf(e.getMessage()).replace(staged.toString(), out.toString()), e);
        } finally {
            AtomicFiles.discard(staged);
        }
    }

    /** What a batch of taggings reports, file by file. */
    public interface BatchListener {
        void tagged(Path out);

        /**
         * {@code in} carried Content Credentials of another signer, which the new manifest keeps as its parent
         * ingredient; {@code note} says so in words for the artist.
         */
        void replacedCredentials(Path in, String note);

        void failed(Path in, IOException error);
    }

    /**
     * Tags each file into {@code outputDir} under its own name, or rewrites it in place when {@code outputDir} is
     * null (the caller asked for that); a file that fails is reported and the rest go on. Returns the failures.
     */
    public static int tagEach(List<Path> files, Path outputDir, NoAiTags tags, BatchListener listener) {
        return tagEach(files, outputDir, tags, null, listener);
    }

    /** As {@link #tagEach(List, Path, NoAiTags, BatchListener)}, signing C2PA manifests with {@code signer}. */
    public static int tagEach(List<Path> files, Path outputDir, NoAiTags tags, C2paSigner signer,
            BatchListener listener) {
        int failures = 0;
        for (Path in : files) {
            Path out = outputDir == null ? in : outputDir.resolve(in.getFileName());
            try {
                ManifestReader.Credentials replaced = tag(in, out, tags, outputDir == null, signer);
                if (replaced != null) {
                    listener.replacedCredentials(in, in + " carried Content Credentials signed by "
                            + replaced.signer() + " (key " + replaced.signerKey() + ", "
                            + replaced.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "); Scrim's "
                            + "manifest keeps that manifest as its parent ingredient (C2PA parentOf), so the history "
                            + "stays readable");
                }
                listener.tagged(out);
            } catch (IOException e) {
                listener.failed(in, e);
                failures++;
            }
        }
        return failures;
    }

    /** Tags {@code in} into a different file {@code out}. */
    public static void tag(Path in, Path out, NoAiTags tags) throws IOException {
        tag(in, out, tags, false);
    }
}
