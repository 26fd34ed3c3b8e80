package org.scrim.engine.modelio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scrim.engine.tensor.Tensor;

/** NumPy {@code .npy} (version 1.0, little-endian float32, C order): latents and reference arrays. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static Tensor read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (byte m : MAGIC) {
            if (!buf.hasRemaining() || buf.get() != m) {
                throw new IOException(file + ": not a .npy file");
            }
        }
        int major = buf.get();
        buf.get();
        int headerLen = major == 1 ? buf.getShort() & 0xffff : buf.getInt();
        if (headerLen < 0 || buf.position() + headerLen > b.length) {
            throw new IOException(file + ": .npy header runs past the end of the file");
        }
        String header = new String(b, buf.position(), headerLen, StandardCharsets.US_ASCII);
        if (!header.contains("'descr': '<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(file + ": only little-endian float32 C-order arrays are supported: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": .npy header has no shape: " + header);
        }
        String[] parts = m.group(1).split(",");
        long[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        int offset = buf.position() + headerLen;
        long numel = Tensor.numel(shape);
        if (offset + numel * 4 != b.length) {
            throw new IOException(file + ": holds " + (b.length - offset) + " data bytes, shape needs " + numel * 4);
        }
        float[] data = new float[(int) numel];
        ByteBuffer.wrap(b, offset, b.length - offset).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Tensor(data, shape);
    }

    public static byte[] encode(Tensor t) {
        StringBuilder shape = new StringBuilder();
        for (long d : t.shape()) {
            shape.append(d).append(", ");
        }
        if (t.rank() > 1) {
            shape.setLength(shape.length() - 1);
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.toString().trim() + "), }";
        int total = MAGIC.length + 4 + header.length() + 1;
        int padded = (total + 63) / 64 * 64;
        header = header + " ".repeat(padded - total) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(padded + t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        buf.asFloatBuffer().put(t.data());
        return buf.array();
    }
}
