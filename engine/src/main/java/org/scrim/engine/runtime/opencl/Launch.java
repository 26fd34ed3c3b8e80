package org.scrim.engine.runtime.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One kernel launch: kernel name, build defines, arguments in order, global and local sizes (null: the device's). */
record Launch(String kernel, String defines, List<Launch.Arg> args, long[] global, long[] local) {
    /** A kernel argument, as OpenClModel sets it. */
    sealed interface Arg {}

    /** A graph value's device buffer. */
    record Ref(String value) implements Arg {}

    /** A constant uploaded once per model (a folded value, or weights packed for the conv kernel). */
    record Const(String key) implements Arg {}

    record Int(int value) implements Arg {}

    record Real(float value) implements Arg {}

    /** An int4: dims or strides of up to 4 collapsed axes. */
    record Int4(int[] value) implements Arg {}

    /** An int argument; sizes and offsets past int range are an error, not a wrapped number. */
    static Int i(long value) {
        return new Int(Math.toIntExact(value));
    }

    static Real f(float value) {
        return new Real(value);
    }

    /** {@code n} rounded up to a multiple of {@code m}: a global size for work-groups of m. */
    static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }

    /** Arguments in kernel order, starting with {@code buffers}. */
    static Args args(Arg... buffers) {
        return new Args().add(buffers);
    }

    /** A builder of an argument list, for launches whose arguments mix buffers, ints and floats. */
    static final class Args {
        private final List<Arg> list = new ArrayList<>();

        Args add(Arg... a) {
            list.addAll(Arrays.asList(a));
            return this;
        }

        Args ints(long... v) {
            Arrays.stream(v).forEach(x -> list.add(i(x)));
            return this;
        }

        Args floats(float... v) {
            for (float x : v) {
                list.add(f(x));
            }
            return this;
        }

        Args int4(int[]... v) {
            Arrays.stream(v).forEach(x -> list.add(new Int4(x)));
            return this;
        }

        List<Arg> list() {
            return List.copyOf(list);
        }
    }
}
