package org.scrim.engine.modelio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.scrim.engine.modelio.RestrictedUnpickler.StorageRef;
import org.scrim.engine.modelio.RestrictedUnpickler.TensorRef;
import org.scrim.engine.tensor.Tensor;

/**
 * Reads {@code torch.save} zip checkpoints ({@code ARCHIVE/data.pkl} plus {@code ARCHIVE/data/N} storages) through
 * the {@link RestrictedUnpickler}. Every size in the file is checked before memory is allocated for it.
 */
public final class TorchCheckpointReader {
    /** Largest pickle or storage entry accepted; the TAE family is a few MB, large encoders a few hundred. */
    static final long MAX_ENTRY_BYTES = 1L << 30;
    /** Largest pickle accepted: it holds the state dict's structure only, a few KB to a few MB. */
    static final long MAX_PICKLE_BYTES = 64L << 20;
    private static final int MAX_ENTRIES = 100_000;

    private TorchCheckpointReader() {}

    public static StateDict read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() > MAX_ENTRIES) {
                throw new CheckpointException(file + ": zip archive has " + zip.size() + " entries");
            }
            String prefix = archivePrefix(zip, file);
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null) {
                String order = new String(readEntry(zip, byteorder, file, 16), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) {
                    throw new CheckpointException(file + ": storages are " + order + "-endian; only little-endian "
                            + "checkpoints are supported");
                }
            }
            byte[] pickle = readEntry(zip, zip.getEntry(prefix + "data.pkl"), file, MAX_PICKLE_BYTES);
            Map<String, TensorRef> refs;
            try {
                refs = RestrictedUnpickler.readStateDict(pickle);
            } catch (CheckpointException e) {
                throw new CheckpointException(file + ": " + e.getMessage(), e);
            }
            Map<String, ZipEntry> entries = storageEntries(zip, prefix, refs, file);
            Map<String, byte[]> storages = new HashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                StorageRef s = e.getValue().storage();
                byte[] bytes = storages.get(s.key());
                if (bytes == null) {
                    bytes = readEntry(zip, entries.get(s.key()), file, MAX_ENTRY_BYTES);
                    storages.put(s.key(), bytes);
                }
                tensors.put(e.getKey(), materialise(file, e.getKey(), e.getValue(), dtype(s), bytes));
            }
            return new StateDict(file, tensors);
        } catch (ZipException | EOFException e) {
            // ZipFile reports a file cut short inside its directory as an EOFException without a message
            String why = e.getMessage() != null ? e.getMessage() : "the file is truncated";
            throw new CheckpointException(file + ": not a readable PyTorch zip checkpoint (" + why
                    + "); legacy non-zip torch.save files are not supported", e);
        }
    }

    /**
     * The archive entry of each storage the tensors use, after checking what they declare against the load budget:
     * the tensors as float32 plus the storages' raw bytes, which are all held until the last tensor is made.
     */
    private static Map<String, ZipEntry> storageEntries(ZipFile zip, String prefix, Map<String, TensorRef> refs,
            Path file) {
        Map<String, ZipEntry> entries = new HashMap<>();
        long parameterBytes = 0;
        long storageBytes = 0;
        for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
            StorageRef s = e.getValue().storage();
            try {
                if (!entries.containsKey(s.key())) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
                    if (entry == null) {
                        throw new CheckpointException(file + ": tensor '" + e.getKey() + "' refers to storage "
                                + s.key() + ", which the archive does not contain");
                    }
                    entries.put(s.key(), entry);
                    long declared = Math.multiplyExact(Math.max(0, s.numel()), dtype(s).bytes);
                    storageBytes = Math.addExact(storageBytes, Math.max(entry.getSize(), declared));
                }
                long floats = Tensor.numel(e.getValue().size());
                parameterBytes = Math.addExact(parameterBytes, Math.multiplyExact(4, floats));
            } catch (IllegalArgumentException | ArithmeticException overflow) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' declares an impossible size",
                        overflow);
            }
        }
        LoadBudget.check(file, parameterBytes, storageBytes);
        return entries;
    }

    private static String archivePrefix(ZipFile zip, Path file) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "data.pkl".length() - 1) {
                return name.substring(0, name.length() - "data.pkl".length());
            }
        }
        throw new CheckpointException(file + ": zip archive has no ARCHIVE/data.pkl: not a torch.save checkpoint");
    }

    /** Reads one entry, refusing declared or actual sizes above {@code limit} (zip bombs). */
    private static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file, long limit) throws IOException {
        long declared = entry.getSize();
        if (declared > limit) {
            throw new CheckpointException(file + ": entry " + entry.getName() + " claims " + declared
                    + " bytes, more than the " + limit + "-byte limit");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) Math.min(limit, declared >= 0 ? declared : limit));
            if (in.read() != -1) {
                throw new CheckpointException(file + ": entry " + entry.getName()
                        + " inflates to more bytes than it declares");
            }
            return data;
        }
    }

    private static DType dtype(StorageRef s) {
        return switch (s.type()) {
            case HALF_STORAGE -> DType.F16;
            case FLOAT_STORAGE -> DType.F32;
            case BFLOAT16_STORAGE -> DType.BF16;
            default -> throw new IllegalStateException("not a storage type: " + s.type());
        };
    }

    /** Copies a strided view of a storage into a contiguous float32 tensor, after checking its bounds. */
    private static Tensor materialise(Path file, String name, TensorRef ref, DType dtype, byte[] bytes) {
        long storageNumel = ref.storage().numel();
        if (storageNumel < 0 || storageNumel * dtype.bytes > bytes.length) {
            throw new CheckpointException(file + ": storage " + ref.storage().key() + " declares " + storageNumel
                    + " elements but holds " + bytes.length / dtype.bytes);
        }
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = Tensor.numel(size);
        if (numel > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + numel + " elements");
        }
        if (numel > 0) {
            long last = ref.offset();
            for (int d = 0; d < size.length; d++) {
                last += (size[d] - 1) * stride[d];
            }
            if (ref.offset() < 0 || last >= storageNumel) {
                throw new CheckpointException(file + ": tensor '" + name + "' reads element " + last
                        + " of storage " + ref.storage().key() + ", which has only " + storageNumel);
            }
        }
        float[] out = new float[(int) numel];
        int[] index = new int[size.length];
        long pos = ref.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.read(bytes, (int) (pos * dtype.bytes));
            // advance the multi-index in C order, keeping the storage position in step
            for (int d = size.length - 1; d >= 0; d--) {
                pos += stride[d];
                if (++index[d] < size[d]) {
                    break;
                }
                pos -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return new Tensor(out, size);
    }
}
