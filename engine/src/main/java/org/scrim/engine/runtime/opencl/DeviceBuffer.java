package org.scrim.engine.runtime.opencl;

import org.jocl.cl_mem;

/** A tensor kept on the device: a buffer of {@code shape}'s float count, owned by a {@link OpenClSessionGroup}. */
record DeviceBuffer(cl_mem mem, long[] shape) {}
