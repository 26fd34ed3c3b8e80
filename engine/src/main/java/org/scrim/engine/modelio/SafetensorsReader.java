package org.scrim.engine.modelio;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scrim.engine.tensor.Tensor;

/** Reads {@code .safetensors}: an 8-byte header length, a JSON header, then raw little-endian tensor data. */
public final class SafetensorsReader {
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private SafetensorsReader() {}

    /** True when the file starts like a safetensors file (a sane header length followed by '{'). */
    static boolean looksLike(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(9);
            if (head.length < 9) {
                return false;
            }
            long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return n > 1 && n <= MAX_HEADER_BYTES && head[8] == '{';
        }
    }

    public static StateDict read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(lenBuf, 0) != 8) {
                throw new CheckpointException(file + ": too short for a safetensors file");
            }
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > fileSize) {
                throw new CheckpointException(file + ": safetensors header length " + headerLen
                        + " does not fit the file (" + fileSize + " bytes)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            ch.read(headerBuf, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(headerBuf.array(), StandardCharsets.UTF_8))
                        .getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new CheckpointException(file + ": safetensors header is not a JSON object", e);
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            Map<String, TensorSpec> specs = new LinkedHashMap<>();
            long parameterBytes = 0;
            long largestRaw = 0;
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                TensorSpec spec = spec(file, e.getKey(), e.getValue(), dataSize);
                specs.put(e.getKey(), spec);
                parameterBytes += 4 * spec.numel();
                largestRaw = Math.max(largestRaw, spec.end() - spec.begin());
            }
            LoadBudget.check(file, parameterBytes, largestRaw);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (TensorSpec spec : specs.values()) {
                tensors.put(spec.name(), read(ch, spec, dataStart));
            }
            return new StateDict(file, tensors);
        }
    }

    /** A tensor as the header declares it, its data at [begin, end) of the data section. */
    private record TensorSpec(String name, DType dtype, long[] shape, long numel, long begin, long end) {}

    private static TensorSpec spec(Path file, String name, JsonElement entry, long dataSize) {
        try {
            JsonObject o = entry.getAsJsonObject();
            DType dtype = switch (o.get("dtype").getAsString()) {
                case "F32" -> DType.F32;
                case "F16" -> DType.F16;
                case "BF16" -> DType.BF16;
                default -> throw new CheckpointException(file + ": tensor '" + name + "' has dtype "
                        + o.get("dtype").getAsString() + "; only F32, F16 and BF16 are supported");
            };
            JsonArray dims = o.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            JsonArray offsets = o.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            long numel = Tensor.numel(shape);
            if (begin < 0 || end < begin || end > dataSize || end - begin != numel * dtype.bytes
                    || numel > Integer.MAX_VALUE / 4) {
                throw new CheckpointException(file + ": tensor '" + name + "' has data offsets [" + begin + ", "
                        + end + ") that do not match its shape or the file (data section " + dataSize + " bytes)");
            }
            return new TensorSpec(name, dtype, shape, numel, begin, end);
        } catch (NullPointerException | IllegalStateException | IndexOutOfBoundsException | ClassCastException
                | UnsupportedOperationException | ArithmeticException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": tensor '" + name + "' has a malformed header entry", e);
        }
    }

    private static Tensor read(FileChannel ch, TensorSpec spec, long dataStart) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate((int) (spec.end() - spec.begin()));
        ch.read(raw, dataStart + spec.begin());
        byte[] bytes = raw.array();
        float[] out = new float[(int) spec.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = spec.dtype().read(bytes, i * spec.dtype().bytes);
        }
        return new Tensor(out, spec.shape());
    }
}
