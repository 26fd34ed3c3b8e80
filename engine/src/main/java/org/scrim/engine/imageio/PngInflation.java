package org.scrim.engine.imageio;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Bounds what a PNG's compressed metadata inflates to, before anything inflates it: the JDK's PNG reader and Commons
 * Imaging inflate zTXt, compressed iTXt (XMP) and iCCP chunks into memory without a limit, so a few KB of file could
 * ask for gigabytes. Each such chunk is inflated here into a small scratch buffer, counting, and a chunk that goes
 * past {@link #MAX_INFLATED_BYTES} refuses the file.
 */
public final class PngInflation {
    /** Largest inflated text, XMP packet or ICC profile; real ones are KBs, Photoshop XMP a few MB at most. */
    public static final int MAX_INFLATED_BYTES = 16 << 20;
    private static final long SIGNATURE = 0x89504E470D0A1A0AL;

    private PngInflation() {}

    /**
     * Reads {@code png} (the content of {@code file}) chunk by chunk and refuses it when a compressed metadata chunk
     * inflates past the bound. Damage is left to the parsers that come after: this stops at the first thing it
     * cannot follow.
     */
    public static void check(Path file, InputStream png) throws IOException {
        DataInputStream in = new DataInputStream(png);
        try {
            if (in.readLong() != SIGNATURE) {
                return;
            }
            byte[] scratch = new byte[1 << 16];
            for (long offset = 8; ; ) {
                long length = Integer.toUnsignedLong(in.readInt());
                String type = new String(in.readNBytes(4), StandardCharsets.ISO_8859_1);
                if (type.equals("IEND")) {
                    return;
                }
                // Readers take metadata chunks after the image data too, so every chunk up to IEND is looked at.
                long header = deflatedDataStart(type, in, length);
                if (header >= 0 && inflatedSize(in, length - header, scratch) > MAX_INFLATED_BYTES) {
                    throw new UnsupportedImageException(file + ": PNG " + type + " chunk at byte " + offset
                            + " inflates to more than " + (MAX_INFLATED_BYTES >> 20) + " MiB of "
                            + (type.equals("iCCP") ? "ICC profile" : "metadata text")
                            + "; refusing it (a decompression bomb, or metadata no image needs)");
                }
                in.skipNBytes(header >= 0 ? 4 : length - (-1 - header) + 4); // the rest, then the CRC
                offset += 12 + length;
            }
        } catch (EOFException e) {
            // A truncated file: the decoder that reads it next says so.
        }
    }

    /**
     * Reads the header fields of a chunk that may carry deflated data, within its length. Returns their length when
     * deflated data follows; else {@code -1 - n} for the {@code n} bytes read (iTXt is deflated only when its flag
     * says so; a malformed header is left to the readers, like a chunk of another type).
     */
    private static long deflatedDataStart(String type, DataInputStream in, long length) throws IOException {
        switch (type) {
            case "zTXt", "iCCP" -> {
                long read = skipNulTerminated(in, length);
                if (read >= length) {
                    return -1 - read;
                }
                in.readByte(); // compression method; 0 (deflate) is the only one defined
                return read + 1;
            }
            case "iTXt" -> {
                long read = skipNulTerminated(in, length);
                if (read + 2 > length) {
                    return -1 - read;
                }
                boolean deflated = in.readByte() != 0;
                in.readByte();
                read += 2;
                read += skipNulTerminated(in, length - read); // language tag
                read += skipNulTerminated(in, length - read); // translated keyword
                return deflated ? read : -1 - read;
            }
            default -> {
                return -1;
            }
        }
    }

    /** Reads up to and including a NUL, at most {@code limit} bytes; returns how many it read. */
    private static long skipNulTerminated(DataInputStream in, long limit) throws IOException {
        long n = 0;
        while (n < limit) {
            n++;
            if (in.readByte() == 0) {
                break;
            }
        }
        return n;
    }

    /** Inflates {@code compressed} bytes of the stream into scratch, returning the count, stopping past the bound. */
    private static long inflatedSize(DataInputStream in, long compressed, byte[] scratch) throws IOException {
        Inflater inflater = new Inflater();
        byte[] input = new byte[8192];
        long left = compressed;
        long total = 0;
        try {
            while (!inflater.finished() && total <= MAX_INFLATED_BYTES) {
                if (inflater.needsInput()) {
                    if (left <= 0) {
                        break;
                    }
                    int n = in.read(input, 0, (int) Math.min(input.length, left));
                    if (n < 0) {
                        throw new EOFException();
                    }
                    left -= n;
                    inflater.setInput(input, 0, n);
                }
                int out = inflater.inflate(scratch);
                total += out;
                if (out == 0 && inflater.needsDictionary()) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            // damaged data: the reader after this one reports it; the walk goes on with the next chunk
        } finally {
            inflater.end();
        }
        in.skipNBytes(left);
        return total;
    }
}
