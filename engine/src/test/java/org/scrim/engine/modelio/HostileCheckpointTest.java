package org.scrim.engine.modelio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scrim.engine.tensor.Tensor;
import org.scrim.engine.testing.SharedData;

/** Model files from the internet: read only what a state dict needs, refuse the rest without side effects. */
class HostileCheckpointTest {
    @TempDir
    Path dir;

    /** A tiny pickle writer for crafting checkpoints, good and bad. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle global(String module, String name) {
            return op('c').raw(module + "\n" + name + "\n");
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').op(b.length, b.length >> 8, b.length >> 16, b.length >> 24);
            out.writeBytes(b);
            return this;
        }

        Pickle raw(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle int1(int v) {
            return op('K', v);
        }

        Pickle int4(int v) {
            return op('J', v, v >> 8, v >> 16, v >> 24);
        }

        /** One entry name -> _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, OrderedDict()). */
        Pickle tensor(String name, String storageType, String key, int numel, int offset, int[] size, int[] stride) {
            str(name).global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", storageType).str(key).str("cpu").int4(numel).op('t', 'Q');
            int4(offset).op('(');
            for (int s : size) {
                int4(s);
            }
            op('t', '(');
            for (int s : stride) {
                int4(s);
            }
            op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static Pickle stateDictStart() {
        return new Pickle().op(0x80, 2).global("collections", "OrderedDict").op(')', 'R', '(');
    }

    static byte[] halves(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(toHalf(v));
        }
        return b.array();
    }

    /** Only for the exact small values used here. */
    private static short toHalf(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 112;
        int mant = (bits >>> 13) & 0x3ff;
        return (short) (v == 0 ? sign : sign | exp << 10 | mant);
    }

    Path zip(String name, byte[] pickle, byte[]... storages) throws IOException {
        Path p = dir.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle);
            for (int i = 0; i < storages.length; i++) {
                z.putNextEntry(new ZipEntry("archive/data/" + i));
                z.write(storages[i]);
            }
        }
        return p;
    }

    @Test
    void readsAWellFormedCheckpointWithStridesAndExactHalfWidening() throws IOException {
        // a 2x3 tensor stored transposed (stride 1,2) from offset 1 of a 7-element fp16 storage
        byte[] pickle = stateDictStart()
                .tensor("w", "HalfStorage", "0", 7, 1, new int[] {2, 3}, new int[] {1, 2}).op('u', '.').bytes();
        Path p = zip("ok.pth", pickle, halves(9f, 1f, 2f, 3f, 4f, 5f, 6.103515625e-05f));
        Tensor w = StateDict.read(p).get("w", 2, 3);
        assertArrayEquals(new float[] {1f, 3f, 5f, 2f, 4f, 6.103515625e-05f}, w.data());
    }

    @Test
    void halfWideningIsExactForSubnormalsAndSpecials() {
        assertEquals(0x1p-24f, DType.halfToFloat(0x0001));
        assertEquals(-0x1.ff8p-15f, DType.halfToFloat(0x83ff));
        assertEquals(65504f, DType.halfToFloat(0x7bff));
        assertEquals(Float.NEGATIVE_INFINITY, DType.halfToFloat(0xfc00));
        assertTrue(Float.isNaN(DType.halfToFloat(0x7e00)));
    }

    @Test
    void refusesOsSystemWithoutRunningIt() throws IOException {
        Path marker = dir.resolve("pwned");
        byte[] pickle = new Pickle().op(0x80, 2).global("os", "system")
                .op('(').str("touch " + marker).op('t', 'R', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("evil.pth", pickle)));
        assertTrue(e.getMessage().contains("refusing global 'os.system'"), e.getMessage());
        assertTrue(e.getMessage().contains("evil.pth"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void refusesBuiltinsEvalViaStackGlobal() throws IOException {
        byte[] pickle = new Pickle().op(0x80, 4).str("builtins").str("eval").op(0x93)
                .op('(').str("1+1").op('t', 'R', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("eval.pth", pickle)));
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());
    }

    @Test
    void refusesCallingAnAllowedGlobalTheWrongWay() throws IOException {
        byte[] pickle = new Pickle().op(0x80, 2).global("collections", "OrderedDict")
                .op('(').str("x").op('t', 'R', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("call.pth", pickle)));
        assertTrue(e.getMessage().contains("refusing to call"), e.getMessage());
    }

    @Test
    void refusesStorageOffsetPastTheEnd() throws IOException {
        byte[] pickle = stateDictStart()
                .tensor("w", "HalfStorage", "0", 4, 3, new int[] {4}, new int[] {1}).op('u', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("offset.pth", pickle, halves(1, 2, 3, 4))));
        assertTrue(e.getMessage().contains("reads element 6 of storage 0, which has only 4"), e.getMessage());
    }

    @Test
    void refusesStorageLargerThanItsBytes() throws IOException {
        byte[] pickle = stateDictStart()
                .tensor("w", "FloatStorage", "0", 1_000_000, 0, new int[] {10}, new int[] {1}).op('u', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("short.pth", pickle, new byte[40])));
        assertTrue(e.getMessage().contains("declares 1000000 elements but holds 10"), e.getMessage());
    }

    @Test
    void refusesAZipEntryThatClaimsGigabytes() throws IOException {
        byte[] pickle = stateDictStart()
                .tensor("w", "HalfStorage", "0", 4, 0, new int[] {4}, new int[] {1}).op('u', '.').bytes();
        Path forged = forgeStoredEntrySize(pickle);
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(forged));
        assertTrue(e.getMessage().contains("claims 4294967294 bytes"), e.getMessage());
    }

    /** Writes a zip whose storage entry's headers declare 4 GiB while holding 8 bytes. */
    private Path forgeStoredEntrySize(byte[] pickle) throws IOException {
        Path p = zip("forged.pth", pickle, halves(1, 2, 3, 4));
        byte[] b = Files.readAllBytes(p);
        // patch the uncompressed size in the central directory record of archive/data/0
        byte[] name = "archive/data/0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 < b.length; i++) {
            if (buf.getInt(i) == 0x02014b50 && matches(b, i + 46, name)) {
                buf.putInt(i + 24, 0xFFFFFFFE); // uncompressed size: 4 GiB - 2
            }
        }
        Path out = dir.resolve("forged2.pth");
        Files.write(out, b);
        return out;
    }

    private static boolean matches(byte[] b, int at, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (at + i >= b.length || b[at + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void refusesSelfReferencingAndMalformedPickles() throws IOException {
        // a list appended into itself, then used as the state dict
        byte[] recursive = new Pickle().op(0x80, 2).op(']', 'q', 0, 'h', 0, 'a', '.').bytes();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> StateDict.read(zip("rec.pth", recursive)));
        assertTrue(e.getMessage().contains("not a state dict"), e.getMessage());

        byte[] truncated = new Pickle().op(0x80, 2).global("collections", "OrderedDict").op(')').bytes();
        e = assertThrows(CheckpointException.class, () -> StateDict.read(zip("trunc.pth", truncated)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] unknownOp = new Pickle().op(0x80, 2, 'i').raw("os\nsystem\n").op('.').bytes();
        e = assertThrows(CheckpointException.class, () -> StateDict.read(zip("inst.pth", unknownOp)));
        assertTrue(e.getMessage().contains("unsupported pickle opcode 0x69"), e.getMessage());
    }

    @Test
    void refusesNotAZip() throws IOException {
        Path p = dir.resolve("legacy.pth");
        Files.write(p, new byte[] {(byte) 0x80, 2, 'N', '.'});
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(p));
        assertTrue(e.getMessage().contains("legacy.pth: not a readable PyTorch zip checkpoint"), e.getMessage());
    }

    @Test
    void safetensorsRoundTripAndBoundsChecks() throws IOException {
        Path ok = safetensors("ok.safetensors",
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},\"__metadata__\":{\"a\":\"b\"}}",
                halves(1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4}, StateDict.read(ok).get("w", 2, 2).data());

        Path past = safetensors("past.safetensors",
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[4,12]}}", halves(1, 2, 3, 4));
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(past));
        assertTrue(e.getMessage().contains("past.safetensors: tensor 'w' has data offsets [4, 12)"), e.getMessage());

        Path dtype = safetensors("i64.safetensors",
                "{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        e = assertThrows(CheckpointException.class, () -> StateDict.read(dtype));
        assertTrue(e.getMessage().contains("dtype I64"), e.getMessage());
    }

    private Path safetensors(String name, String header, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            out.write(data);
        }
        return p;
    }

    /** 4 KB on disk (a sparse file) declaring two float32 tensors of 1 GiB: refused from the header alone. */
    @Test
    void refusesASparseSafetensorsDeclaringGigabytes() throws IOException {
        long gib = 1L << 30;
        Path p = safetensors("sparse.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + gib / 4
                + "],\"data_offsets\":[0," + gib + "]},\"b\":{\"dtype\":\"F32\",\"shape\":[" + gib / 4
                + "],\"data_offsets\":[" + gib + "," + 2 * gib + "]}}", new byte[0]);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() + 2 * gib);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("2048 MiB of parameters"),
                e.getMessage());
    }

    /** A few MB of zip whose three storages inflate to 400 MB each: refused from the sizes the archive declares. */
    @Test
    void refusesAZipBombCheckpoint() throws IOException {
        int numel = 100_000_000;
        Pickle pickle = stateDictStart();
        for (int i = 0; i < 3; i++) {
            pickle.tensor("w" + i, "FloatStorage", String.valueOf(i), numel, 0, new int[] {numel}, new int[] {1});
        }
        Path p = dir.resolve("bomb.pth");
        byte[] zeros = new byte[1 << 20];
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            z.setLevel(Deflater.BEST_SPEED);
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle.op('u', '.').bytes());
            for (int i = 0; i < 3; i++) {
                z.putNextEntry(new ZipEntry("archive/data/" + i));
                for (long left = 4L * numel; left > 0; left -= zeros.length) {
                    z.write(zeros, 0, (int) Math.min(zeros.length, left));
                }
            }
        }
        assertTrue(Files.size(p) < 8_000_000, Files.size(p) + " bytes");
        CheckpointException e = assertThrows(CheckpointException.class, () -> StateDict.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("1144 MiB of parameters"),
                e.getMessage());
    }

    @Test
    void wrongShapeForTheArchitectureIsNamed() throws IOException {
        StateDict sd = StateDict.read(SharedData.path("models/taef2_encoder.pth"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> sd.get("0.weight", 64, 3, 5, 5));
        assertTrue(e.getMessage().contains("'0.weight' has shape [64, 3, 3, 3]"), e.getMessage());
    }
}
