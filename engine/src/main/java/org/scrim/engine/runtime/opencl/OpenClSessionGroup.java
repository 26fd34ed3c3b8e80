package org.scrim.engine.runtime.opencl;

import static org.jocl.CL.*;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_mem;
import org.scrim.engine.runtime.ComputeRuntime;
import org.scrim.engine.runtime.GraphSession;
import org.scrim.engine.runtime.ResidentBinding;
import org.scrim.engine.runtime.SessionGroup;
import org.scrim.engine.tensor.Tensor;

/**
 * A {@link SessionGroup} on one OpenCL device: residents are device buffers that the group's sessions read as
 * inputs and overwrite from their carried outputs by device copies. A graph the device cannot run goes where its
 * runtime ({@link OpenClRuntime}) sends it, reading and writing the residents it uses through the host.
 */
public final class OpenClSessionGroup implements SessionGroup {
    private final OpenClDevice device;
    private final DeviceContext ctx;
    private final ComputeRuntime runtime;
    private final Map<String, DeviceBuffer> residents = new HashMap<>();

    /** A group on {@code device}, opening its sessions on {@code runtime} (the device's, with its fallback). */
    OpenClSessionGroup(OpenClDevice device, ComputeRuntime runtime) {
        this.device = device;
        this.ctx = DeviceContext.of(device);
        this.runtime = runtime;
    }

    @Override
    public GraphSession open(ModelProto model) {
        GraphSession opened = runtime.open(model);
        if (!(opened instanceof OpenClModel session)) {
            return new ResidentBinding(opened, model, this);
        }
        return new GraphSession() {
            @Override
            public Map<String, Tensor> run(Map<String, Tensor> feeds) {
                Map<String, DeviceBuffer> carry = new HashMap<>();
                for (String out : session.outputs()) {
                    String into = SessionGroup.carriedInto(out);
                    if (into != null) {
                        carry.put(out, resident(into, session.shape(out)));
                    }
                }
                return session.run(feeds, residents, carry);
            }

            @Override
            public String description() {
                return session.description();
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    @Override
    public void put(String name, Tensor value) {
        synchronized (ctx) {
            DeviceBuffer r = resident(name, value.shape());
            try {
                if (value.size() > 0) {
                    clEnqueueWriteBuffer(ctx.queue, r.mem(), CL_TRUE, 0, 4L * value.size(), Pointer.to(value.data()),
                            0, null, null);
                }
            } catch (CLException e) {
                throw new OpenClException("OpenCL failed writing '" + name + "' on " + device.name() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public Tensor get(String name) {
        synchronized (ctx) {
            DeviceBuffer r = residents.get(name);
            if (r == null) {
                throw new IllegalArgumentException("no resident named '" + name + "'");
            }
            float[] data = new float[Math.toIntExact(HostOps.numel(r.shape()))];
            try {
                if (data.length > 0) {
                    clEnqueueReadBuffer(ctx.queue, r.mem(), CL_TRUE, 0, 4L * data.length, Pointer.to(data), 0, null,
                            null);
                }
            } catch (CLException e) {
                throw new OpenClException("OpenCL failed reading '" + name + "' on " + device.name() + ": "
                        + e.getMessage(), e);
            }
            return new Tensor(data, r.shape());
        }
    }

    /** Resident {@code name} with {@code shape}: the one there is, or a new buffer replacing one of another shape. */
    private DeviceBuffer resident(String name, long[] shape) {
        synchronized (ctx) {
            DeviceBuffer r = residents.get(name);
            if (r != null && Arrays.equals(r.shape(), shape)) {
                return r;
            }
            if (r != null) {
                clReleaseMemObject(r.mem());
            }
            cl_mem mem = clCreateBuffer(ctx.context, CL_MEM_READ_WRITE, Math.max(4, 4 * HostOps.numel(shape)), null,
                    null);
            r = new DeviceBuffer(mem, shape.clone());
            residents.put(name, r);
            return r;
        }
    }

    @Override
    public void close() {
        synchronized (ctx) {
            residents.values().forEach(r -> clReleaseMemObject(r.mem()));
            residents.clear();
        }
    }
}
