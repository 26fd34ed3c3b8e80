package org.scrim.engine.runtime.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it; {@code index} is its place in {@link OpenClDevices#list()}, which is
 * how {@code --device} names it.
 */
public record OpenClDevice(int index, String platform, String name, boolean gpu, long globalMemory,
        long maxAllocation, long localMemory, int maxWorkGroupSize, cl_platform_id platformId, cl_device_id id) {

    @Override
    public String toString() {
        return String.format("#%d %s (%s, %s, %d MiB, work-groups up to %d)", index, name, platform,
                gpu ? "GPU" : "CPU", globalMemory >> 20, maxWorkGroupSize);
    }
}
