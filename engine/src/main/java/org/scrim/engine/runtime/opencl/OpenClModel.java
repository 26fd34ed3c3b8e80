package org.scrim.engine.runtime.opencl;

import static org.jocl.CL.*;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.scrim.engine.runtime.DeviceMemoryException;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.tensor.Tensor;

/**
 * An ONNX graph on one OpenCL device. Loading lowers the graph to kernel launches ({@link Lowering}), uploads the
 * constants, allocates every intermediate buffer once (values whose lifetimes do not overlap share a buffer) and
 * sets every kernel argument; a run writes the inputs, enqueues the launches and reads the outputs. In a
 * {@link OpenClSessionGroup}, inputs may instead be bound to the group's buffers and outputs copied into them.
 */
public final class OpenClModel implements GraphSession {
    private final DeviceContext ctx;
    private final Lowering plan;
    private final Map<String, cl_mem> buffers = new HashMap<>();
    private final List<cl_mem> owned = new ArrayList<>();
    private final List<cl_kernel> kernels = new ArrayList<>();
    /** Where each graph input's buffer is a kernel argument: {kernel, argument} pairs, for rebinding it. */
    private final Map<String, List<int[]>> inputUses = new HashMap<>();
    /** The buffer each graph input's kernel arguments point at now: its own, or a resident it was bound to. */
    private final Map<String, cl_mem> bound = new HashMap<>();
    private final long memoryLimit;

    /** Throws {@link OpenClException} for an op without a kernel; {@link OpenClRuntime} checks first. */
    public OpenClModel(ModelProto model, OpenClDevice device) {
        this(model, device, 0);
    }

    /**
     * As above, taking at most {@code memoryMiB} of the device (0: all of it); a graph that needs more throws
     * {@link DeviceMemoryException} before anything is allocated.
     */
    public OpenClModel(ModelProto model, OpenClDevice device, int memoryMiB) {
        this.ctx = DeviceContext.of(device);
        this.memoryLimit = memoryMiB > 0 ? Math.min((long) memoryMiB << 20, device.globalMemory())
                : device.globalMemory();
        this.plan = new Lowering(model, ctx.tileX, ctx.tileY, ctx.reduceGroup, ctx.device.localMemory());
        if (!plan.unsupported.isEmpty()) {
            throw new OpenClException("the OpenCL backend has no kernel for " + String.join(", ", plan.unsupported));
        }
        try {
            allocate(model.getGraph().getName());
            for (Launch l : plan.launches) {
                for (int a = 0; a < l.args().size(); a++) {
                    if (l.args().get(a) instanceof Launch.Ref r && plan.inputs.contains(plan.root.get(r.value()))) {
                        inputUses.computeIfAbsent(plan.root.get(r.value()), k -> new ArrayList<>())
                                .add(new int[] {kernels.size(), a});
                    }
                }
                kernels.add(kernel(l));
            }
            plan.inputs.forEach(in -> bound.put(in, buffers.get(in)));
        } catch (CLException e) {
            close();
            throw failure("loading graph '" + model.getGraph().getName() + "'", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** What {@link OpenClModel} cannot run in {@code model}, as "Op (reason)"; empty when it runs all of it. */
    public static List<String> unsupported(ModelProto model) {
        return List.copyOf(new Lowering(model, 16, 8, 256, 32 << 10).unsupported);
    }

    /**
     * Creates the buffers of {@link BufferPlan} (values whose lifetimes do not overlap share one) and uploads the
     * constants, after checking that they fit the memory this model may take.
     */
    private void allocate(String graph) {
        BufferPlan buffersPlan = BufferPlan.of(plan);
        long total = buffersPlan.bytes() + plan.constants.values().stream().mapToLong(c -> 4L * c.length).sum();
        long largest = buffersPlan.largest();
        if (total > memoryLimit || largest > ctx.device.maxAllocation()) {
            throw new DeviceMemoryException(String.format("OpenCL device %s is out of memory for graph '%s': it needs"
                    + " %d MiB (largest buffer %d MiB), %d MiB may be used (buffers up to %d MiB); use a smaller image"
                    + " or --backend cpu", ctx.device.name(), graph, total >> 20, largest >> 20, memoryLimit >> 20,
                    ctx.device.maxAllocation() >> 20));
        }
        List<cl_mem> slotMem = new ArrayList<>();
        for (long bytes : buffersPlan.slotBytes) {
            cl_mem m = clCreateBuffer(ctx.context, CL_MEM_READ_WRITE, bytes, null, null);
            owned.add(m);
            slotMem.add(m);
        }
        buffersPlan.slotOf.forEach((v, s) -> buffers.put(v, slotMem.get(s)));
        plan.constants.forEach((key, data) -> {
            cl_mem m = clCreateBuffer(ctx.context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, 4L * data.length,
                    Pointer.to(data), null);
            owned.add(m);
            buffers.put(key, m);
        });
    }

    private cl_kernel kernel(Launch l) {
        cl_kernel k = clCreateKernel(ctx.program(l.defines()), l.kernel(), null);
        try {
            setArgs(k, l.args());
        } catch (RuntimeException e) {
            clReleaseKernel(k);
            throw e;
        }
        return k;
    }

    private void setArgs(cl_kernel k, List<Launch.Arg> args) {
        for (int i = 0; i < args.size(); i++) {
            Launch.Arg a = args.get(i);
            if (a instanceof Launch.Ref r) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(buffers.get(plan.root.get(r.value()))));
            } else if (a instanceof Launch.Const c) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(buffers.get(c.key())));
            } else if (a instanceof Launch.Int v) {
                clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v.value()}));
            } else if (a instanceof Launch.Real v) {
                clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v.value()}));
            } else {
                clSetKernelArg(k, i, Sizeof.cl_int4, Pointer.to(((Launch.Int4) a).value()));
            }
        }
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        return run(inputs, Map.of(), Map.of());
    }

    /**
     * Runs with the inputs not in {@code feeds} read from {@code residents} (buffers of this device the caller
     * keeps) and the outputs in {@code carry} copied on the device into the caller's buffers; returns the others.
     */
    Map<String, Tensor> run(Map<String, Tensor> feeds, Map<String, DeviceBuffer> residents,
            Map<String, DeviceBuffer> carry) {
        synchronized (ctx) {
            try {
                for (String name : plan.inputs) {
                    Tensor t = feeds.get(name);
                    DeviceBuffer r = t == null ? residents.get(name) : null;
                    long[] got = t != null ? t.shape() : r != null ? r.shape() : null;
                    long[] shape = plan.analysis.shape(name);
                    if (got == null || !Arrays.equals(got, shape)) {
                        throw new IllegalArgumentException("input '" + name + "' must have shape "
                                + Arrays.toString(shape) + ", got " + (got == null ? "none" : Arrays.toString(got)));
                    }
                    bind(name, t != null ? buffers.get(name) : r.mem());
                    // zero-byte transfers and empty ranges are errors before OpenCL 2.1
                    if (t != null && t.size() > 0) {
                        clEnqueueWriteBuffer(ctx.queue, buffers.get(name), CL_TRUE, 0, 4L * t.size(),
                                Pointer.to(t.data()), 0, null, null);
                    }
                }
                for (int i = 0; i < kernels.size(); i++) {
                    Launch l = plan.launches.get(i);
                    if (Arrays.stream(l.global()).anyMatch(g -> g == 0)) {
                        continue;
                    }
                    clEnqueueNDRangeKernel(ctx.queue, kernels.get(i), l.global().length, null, l.global(), l.local(),
                            0, null, null);
                }
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (String name : plan.outputs) {
                    long[] shape = plan.analysis.shape(name);
                    HostOps.Value c = plan.constantOutputs.get(name);
                    DeviceBuffer into = carry.get(name);
                    if (into != null && !Arrays.equals(into.shape(), shape)) {
                        throw new IllegalArgumentException("output '" + name + "' has shape "
                                + Arrays.toString(shape) + ", its resident " + Arrays.toString(into.shape()));
                    }
                    float[] data = new float[Math.toIntExact(HostOps.numel(shape))];
                    if (c != null) {
                        for (int i = 0; i < data.length; i++) {
                            data[i] = (float) c.data()[i];
                        }
                    }
                    if (into != null) {
                        if (data.length > 0 && c != null) {
                            clEnqueueWriteBuffer(ctx.queue, into.mem(), CL_TRUE, 0, 4L * data.length,
                                    Pointer.to(data), 0, null, null);
                        } else if (data.length > 0 && buffer(name) != into.mem()) {
                            clEnqueueCopyBuffer(ctx.queue, buffer(name), into.mem(), 0, 0, 4L * data.length, 0,
                                    null, null);
                        }
                        continue;
                    }
                    if (c == null && data.length > 0) {
                        clEnqueueReadBuffer(ctx.queue, buffer(name), CL_TRUE, 0, 4L * data.length, Pointer.to(data),
                                0, null, null);
                    }
                    out.put(name, new Tensor(data, shape));
                }
                return out;
            } catch (CLException e) {
                throw failure("running", e);
            }
        }
    }

    /** Points every kernel argument that reads graph input {@code name} at {@code mem}, when it points elsewhere. */
    private void bind(String name, cl_mem mem) {
        if (bound.get(name) != mem) {
            for (int[] use : inputUses.getOrDefault(name, List.of())) {
                clSetKernelArg(kernels.get(use[0]), use[1], Sizeof.cl_mem, Pointer.to(mem));
            }
            bound.put(name, mem);
        }
    }

    /** The buffer holding {@code value} after a run: its own, or the one its input root is bound to. */
    private cl_mem buffer(String value) {
        String root = plan.root.get(value);
        return bound.getOrDefault(root, buffers.get(root));
    }

    List<String> outputs() {
        return plan.outputs;
    }

    long[] shape(String value) {
        return plan.analysis.shape(value);
    }

    /** Out-of-memory codes become the backend's clear error; others name the device and the call. */
    private IllegalStateException failure(String what, CLException e) {
        int s = e.getStatus();
        if (s == CL_MEM_OBJECT_ALLOCATION_FAILURE || s == CL_OUT_OF_RESOURCES || s == CL_OUT_OF_HOST_MEMORY) {
            return new DeviceMemoryException("OpenCL device " + ctx.device.name() + " ran out of memory " + what
                    + ": use a smaller image or --backend cpu (" + e.getMessage() + ")", e);
        }
        return new OpenClException("OpenCL failed " + what + " on " + ctx.device.name() + ": " + e.getMessage(), e);
    }

    @Override
    public String description() {
        return "OpenCL: " + ctx.device.name();
    }

    @Override
    public void close() {
        synchronized (ctx) {
            kernels.forEach(org.jocl.CL::clReleaseKernel);
            kernels.clear();
            owned.forEach(org.jocl.CL::clReleaseMemObject);
            owned.clear();
            buffers.clear();
            bound.clear();
        }
    }
}
