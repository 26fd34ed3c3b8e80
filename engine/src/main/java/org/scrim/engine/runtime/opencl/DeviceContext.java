package org.scrim.engine.runtime.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

/**
 * One device's context, in-order queue and compiled programs. Contexts live as long as the JVM and programs are
 * built once per set of defines, so every model and every step on a device reuses them.
 */
final class DeviceContext {
    private static final Map<Integer, DeviceContext> CONTEXTS = new ConcurrentHashMap<>();
    private static final String SOURCE = source();

    final OpenClDevice device;
    final cl_context context;
    final cl_command_queue queue;
    /** Work-group size of reductions: a power of two the device allows. */
    final int reduceGroup;
    /** Convolution output tile (work-group) width and height. */
    final int tileX;
    final int tileY;
    private final Map<String, cl_program> programs = new ConcurrentHashMap<>();

    private DeviceContext(OpenClDevice device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platformId());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null);
        this.queue = clCreateCommandQueueWithProperties(context, device.id(), null, null);
        this.reduceGroup = Integer.highestOneBit(Math.min(256, device.maxWorkGroupSize()));
        // 16x8 suits GPUs (and PoCL, which vectorises across work-items); smaller devices get what fits
        int tx = 16;
        int ty = 8;
        while (tx * ty > device.maxWorkGroupSize()) {
            if (ty > 1) {
                ty /= 2;
            } else {
                tx /= 2;
            }
        }
        this.tileX = tx;
        this.tileY = ty;
    }

    static DeviceContext of(OpenClDevice device) {
        return CONTEXTS.computeIfAbsent(device.index(), i -> new DeviceContext(device));
    }

    /** The kernels built with the device's tile sizes and {@code defines} ("-DKH=3 ..."), compiled once. */
    cl_program program(String defines) {
        return programs.computeIfAbsent(defines, this::build);
    }

    private cl_program build(String defines) {
        String options = "-cl-fp32-correctly-rounded-divide-sqrt -DWG=" + reduceGroup + " -DTX=" + tileX + " -DTY="
                + tileY + " -DOCB=" + ConvLowering.OCB + " -DPX=" + ConvLowering.PX + " " + defines;
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {SOURCE}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device.id()}, options, null, null);
        } catch (CLException e) {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] log = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, device.id(), CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            throw new OpenClException("OpenCL kernels do not build on " + device.name() + " with " + options + ":\n"
                    + new String(log, StandardCharsets.UTF_8).trim(), e);
        }
        return p;
    }

    private static String source() {
        try (InputStream in = DeviceContext.class.getResourceAsStream("kernels.cl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("kernels.cl is missing from the engine jar", e);
        }
    }
}
