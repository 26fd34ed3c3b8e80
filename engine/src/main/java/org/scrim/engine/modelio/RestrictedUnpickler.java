package org.scrim.engine.modelio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle of a PyTorch state dict without executing anything. It knows only the opcodes a plain state
 * dict uses and only three kinds of globals (an ordered dict, the tensor rebuild function, the storage types); any
 * other global, opcode or shape of data is refused with a message, so a hostile checkpoint can neither run code nor
 * instantiate classes. Sizes are bounded so a crafted file cannot exhaust memory.
 */
public final class RestrictedUnpickler {
    /** The globals a state dict may reference, and nothing else. */
    enum Global {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
        HALF_STORAGE("torch", "HalfStorage"),
        FLOAT_STORAGE("torch", "FloatStorage"),
        BFLOAT16_STORAGE("torch", "BFloat16Storage");

        final String module;
        final String name;

        Global(String module, String name) {
            this.module = module;
            this.name = name;
        }

        static Global of(String module, String name) {
            for (Global g : values()) {
                if (g.module.equals(module) && g.name.equals(name)) {
                    return g;
                }
            }
            throw new CheckpointException("refusing global '" + module + "." + name
                    + "': a plain state dict only references collections.OrderedDict, "
                    + "torch._utils._rebuild_tensor_v2 and torch Half/Float/BFloat16Storage");
        }
    }

    /** A reference to raw storage bytes ({@code data/KEY} in the archive). */
    public record StorageRef(Global type, String key, long numel) {}

    /** A tensor view of a storage, as {@code _rebuild_tensor_v2} would build it. */
    public record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Object MARK = new Object();
    private static final int MAX_STACK = 1 << 20;
    private static final int MAX_MEMO = 1 << 20;
    private static final int MAX_STRING = 1 << 16;
    private static final int MAX_RANK = 8;

    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private RestrictedUnpickler(byte[] pickle) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses a state-dict pickle into parameter name -> tensor reference, in file order. */
    public static Map<String, TensorRef> readStateDict(byte[] pickle) {
        Object root = new RestrictedUnpickler(pickle).run();
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointException("checkpoint is not a state dict (top-level object is "
                    + describe(root) + ")");
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TensorRef t)) {
                throw new CheckpointException("state dict entry " + describe(e.getKey())
                        + " is not a named tensor (value is " + describe(e.getValue()) + ")");
            }
            out.put(key, t);
        }
        return out;
    }

    private Object run() {
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = in.get() & 0xff;
                        if (proto > 5) {
                            throw new CheckpointException("unsupported pickle protocol " + proto);
                        }
                    }
                    case 0x95 -> in.getLong(); // FRAME: a length hint only
                    case '.' -> { // STOP
                        Object result = pop();
                        if (!stack.isEmpty()) {
                            throw new CheckpointException("pickle ends with " + stack.size() + " unused values");
                        }
                        return result;
                    }
                    case '(' -> push(MARK);
                    case 'c' -> push(Global.of(readLine(), readLine())); // GLOBAL
                    case 0x93 -> { // STACK_GLOBAL
                        String name = asString(pop());
                        push(Global.of(asString(pop()), name));
                    }
                    case ')' -> push(new Tuple(List.of()));
                    case 't' -> push(new Tuple(popToMark()));
                    case 0x85 -> push(new Tuple(List.of(pop()))); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop();
                        push(new Tuple(List.of(pop(), b)));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop();
                        Object b = pop();
                        push(new Tuple(List.of(pop(), b, c)));
                    }
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case 'l' -> push(new ArrayList<>(popToMark())); // LIST
                    case 'a' -> { // APPEND
                        Object v = pop();
                        asList(peek()).add(v);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popToMark();
                        asList(peek()).addAll(items);
                    }
                    case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                    case 'd' -> { // DICT
                        Map<Object, Object> m = new LinkedHashMap<>();
                        putAll(m, popToMark());
                        push(m);
                    }
                    case 's' -> { // SETITEM
                        Object v = pop();
                        Object k = pop();
                        asMap(peek()).put(hashable(k), v);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popToMark();
                        putAll(asMap(peek()), items);
                    }
                    case 'N' -> push(None.NONE);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                    case 0x8a -> push(readLong1()); // LONG1
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                    case 'X' -> push(readString(in.getInt() & 0xffffffffL)); // BINUNICODE
                    case 0x8c -> push(readString(in.get() & 0xff)); // SHORT_BINUNICODE
                    case 'q' -> memoPut(in.get() & 0xff); // BINPUT
                    case 'r' -> memoPut(in.getInt() & 0xffffffffL); // LONG_BINPUT
                    case 0x94 -> memoPut(memo.size()); // MEMOIZE
                    case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
                    case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                    case 'R' -> { // REDUCE
                        Tuple args = asTuple(pop());
                        push(reduce(pop(), args));
                    }
                    case 'b' -> { // BUILD: only the OrderedDict's _metadata attribute, which we drop
                        Object state = pop();
                        if (!(peek() instanceof Map<?, ?>) || !(state instanceof Map<?, ?>)) {
                            throw new CheckpointException("BUILD is only allowed to set a state dict's metadata");
                        }
                    }
                    default -> throw new CheckpointException(String.format(
                            "unsupported pickle opcode 0x%02x at byte %d: not part of a plain state dict",
                            op, in.position() - 1));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new CheckpointException("pickle is truncated (ends inside an instruction)");
        }
    }

    private Object reduce(Object callable, Tuple args) {
        if (callable == Global.ORDERED_DICT && args.items.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (callable == Global.REBUILD_TENSOR_V2 && args.items.size() >= 4) {
            if (!(args.items.get(0) instanceof StorageRef storage)) {
                throw new CheckpointException("_rebuild_tensor_v2 expects a storage, got "
                        + describe(args.items.get(0)));
            }
            long offset = asLong(args.items.get(1));
            long[] size = longs(args.items.get(2));
            long[] stride = longs(args.items.get(3));
            if (size.length != stride.length || size.length > MAX_RANK) {
                throw new CheckpointException("tensor has size " + Arrays.toString(size) + " and stride "
                        + Arrays.toString(stride));
            }
            return new TensorRef(storage, offset, size, stride);
        }
        throw new CheckpointException("refusing to call " + describe(callable) + " with " + args.items.size()
                + " arguments: only OrderedDict() and _rebuild_tensor_v2(...) are allowed");
    }

    private StorageRef persistentLoad(Object pid) {
        Tuple t = asTuple(pid);
        if (t.items.size() != 5 || !"storage".equals(t.items.get(0))
                || !(t.items.get(1) instanceof Global type) || type == Global.ORDERED_DICT
                || type == Global.REBUILD_TENSOR_V2) {
            throw new CheckpointException("unsupported persistent id " + describe(pid));
        }
        String key = asString(t.items.get(2));
        if (!key.matches("[0-9A-Za-z_]{1,64}")) {
            throw new CheckpointException("storage key '" + key + "' is not a plain name");
        }
        return new StorageRef(type, key, asLong(t.items.get(4)));
    }

    // ---- stack, memo and value helpers ----

    /** An immutable Python tuple. */
    private record Tuple(List<Object> items) {}

    private enum None { NONE }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw new CheckpointException("pickle stack grows past " + MAX_STACK + " entries");
        }
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw new CheckpointException("malformed pickle: value expected on the stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw new CheckpointException("malformed pickle: empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw new CheckpointException("malformed pickle: MARK missing");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private void memoPut(long index) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw new CheckpointException("pickle memo grows past " + MAX_MEMO + " entries");
        }
        memo.put(index, peek());
    }

    private Object memoGet(long index) {
        Object o = memo.get(index);
        if (o == null) {
            throw new CheckpointException("malformed pickle: memo entry " + index + " is not defined");
        }
        return o;
    }

    private String readLine() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            if (sb.length() >= 256) {
                throw new CheckpointException("GLOBAL name too long");
            }
            sb.append((char) (b & 0xff));
        }
    }

    private String readString(long length) {
        if (length > MAX_STRING || length > in.remaining()) {
            throw new CheckpointException("string of " + length + " bytes runs past the pickle or the "
                    + MAX_STRING + "-byte limit");
        }
        byte[] b = new byte[(int) length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private long readLong1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw new CheckpointException("integer of " + n + " bytes is too large for a tensor dimension");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v -= 1L << (8 * n); // sign-extend
        }
        return v;
    }

    private static void putAll(Map<Object, Object> m, List<Object> kv) {
        if (kv.size() % 2 != 0) {
            throw new CheckpointException("malformed pickle: odd number of dict items");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            m.put(hashable(kv.get(i)), kv.get(i + 1));
        }
    }

    private static final Set<Class<?>> KEY_TYPES = Set.of(String.class, Long.class, Boolean.class);

    private static Object hashable(Object key) {
        if (!KEY_TYPES.contains(key.getClass())) {
            throw new CheckpointException("dict key " + describe(key) + " is not a string or number");
        }
        return key;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        if (o instanceof ArrayList<?>) {
            return (List<Object>) o;
        }
        throw new CheckpointException("malformed pickle: list expected, got " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?>) {
            return (Map<Object, Object>) o;
        }
        throw new CheckpointException("malformed pickle: dict expected, got " + describe(o));
    }

    private static Tuple asTuple(Object o) {
        if (o instanceof Tuple t) {
            return t;
        }
        throw new CheckpointException("malformed pickle: tuple expected, got " + describe(o));
    }

    private static String asString(Object o) {
        if (o instanceof String s) {
            return s;
        }
        throw new CheckpointException("malformed pickle: string expected, got " + describe(o));
    }

    private static long asLong(Object o) {
        if (o instanceof Long l) {
            return l;
        }
        throw new CheckpointException("malformed pickle: integer expected, got " + describe(o));
    }

    private static long[] longs(Object o) {
        List<Object> items = asTuple(o).items;
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(items.get(i));
            if (out[i] < 0) {
                throw new CheckpointException("negative tensor size or stride " + out[i]);
            }
        }
        return out;
    }

    /** A short description that never calls toString() on nested (possibly self-referencing) containers. */
    private static String describe(Object o) {
        if (o == null) {
            return "nothing";
        }
        if (o instanceof String || o instanceof Long || o instanceof Global) {
            return o.getClass().getSimpleName() + " " + o;
        }
        return "a " + o.getClass().getSimpleName();
    }
}
