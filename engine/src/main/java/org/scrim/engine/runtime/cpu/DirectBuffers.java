package org.scrim.engine.runtime.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native buffers for ONNX Runtime's inputs, freed as soon as a run is done. ONNX Runtime copies a heap buffer into a
 * direct one of its own, which only the garbage collector frees; between collections those copies of the step
 * graphs' inputs held hundreds of megabytes. Freeing goes through {@code sun.misc.Unsafe.invokeCleaner} (module
 * jdk.unsupported); where that is missing, the garbage collector frees the buffer as before.
 */
final class DirectBuffers {
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private DirectBuffers() {}

    /** A native-order direct buffer holding a copy of {@code data}. */
    static ByteBuffer copyOf(float[] data) {
        if (data.length > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("a tensor of " + data.length + " values is too large for one buffer");
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(data);
        return buffer;
    }

    /** Frees {@code buffer} now; nothing may use it after. */
    static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(buffer);
        } catch (Throwable e) {
            throw new IllegalStateException("could not free a native buffer", e);
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            MethodHandle handle = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class));
            return handle.bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
