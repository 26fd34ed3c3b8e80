package org.scrim.engine.runtime.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** Discovers the OpenCL platforms and devices of this machine. */
public final class OpenClDevices {
    private OpenClDevices() {}

    /**
     * Every device of every platform, GPUs and CPUs. Throws {@link OpenClException} when there is no OpenCL
     * library or no platform (JOCL reports those as a link error or a platform-not-found code).
     */
    public static List<OpenClDevice> list() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            clGetPlatformIDs(0, null, count);
            if (count[0] == 0) {
                throw new OpenClException(OpenClException.NO_RUNTIME);
            }
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            List<OpenClDevice> devices = new ArrayList<>();
            for (cl_platform_id p : platforms) {
                String platform = string(p);
                int[] n = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) {
                    continue; // CL_DEVICE_NOT_FOUND: a platform without usable devices
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (cl_device_id d : ids) {
                    devices.add(new OpenClDevice(devices.size(), platform, string(d, CL_DEVICE_NAME).trim(),
                            (number(d, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0, number(d, CL_DEVICE_GLOBAL_MEM_SIZE),
                            number(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE), number(d, CL_DEVICE_LOCAL_MEM_SIZE),
                            (int) Math.min(Integer.MAX_VALUE, sizeT(d, CL_DEVICE_MAX_WORK_GROUP_SIZE)), p, d));
                }
            }
            if (devices.isEmpty()) {
                throw new OpenClException(OpenClException.NO_RUNTIME + " (platforms without devices)");
            }
            return devices;
        } catch (LinkageError | CLException e) {
            throw new OpenClException(OpenClException.NO_RUNTIME + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The first GPU, or empty when there is none or no OpenCL at all ({@code auto} then uses the CPU). Unless the JVM
     * chains signals, OpenCL loads here only after a child JVM saw a GPU ({@link GpuProbe} says why).
     */
    public static Optional<OpenClDevice> firstGpu() {
        if (!GpuProbe.signalsChained() && !GpuProbe.childSeesGpu()) {
            return Optional.empty();
        }
        try {
            return list().stream().filter(OpenClDevice::gpu).findFirst();
        } catch (OpenClException e) {
            return Optional.empty();
        }
    }

    /**
     * The device {@code spec} names: an index into {@link #list()}, or part of a device's name (case ignored).
     * Null or blank: the first GPU, else the first device.
     */
    public static OpenClDevice select(String spec) {
        List<OpenClDevice> all = list();
        if (spec == null || spec.isBlank()) {
            return all.stream().filter(OpenClDevice::gpu).findFirst().orElse(all.get(0));
        }
        String s = spec.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int i = Integer.parseInt(s);
            if (i < all.size()) {
                return all.get(i);
            }
        } else {
            for (OpenClDevice d : all) {
                if (d.name().toLowerCase(Locale.ROOT).contains(s.toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
        }
        StringBuilder known = new StringBuilder();
        all.forEach(d -> known.append("\n  ").append(d));
        throw new OpenClException("no OpenCL device '" + spec + "'; the devices are:" + known);
    }

    private static String string(cl_platform_id p) {
        long[] size = new long[1];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String string(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A cl_ulong or cl_bitfield property. */
    private static long number(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Long.BYTES, Pointer.to(v), null);
        return v[0];
    }

    /** A size_t property (4 or 8 bytes, as the native pointer size). */
    private static long sizeT(cl_device_id d, int param) {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
        clGetDeviceInfo(d, param, org.jocl.Sizeof.size_t, Pointer.to(b), null);
        return org.jocl.Sizeof.size_t == Long.BYTES ? b.getLong(0) : b.getInt(0);
    }
}
