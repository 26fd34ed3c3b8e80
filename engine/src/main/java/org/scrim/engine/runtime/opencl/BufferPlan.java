package org.scrim.engine.runtime.opencl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The device buffers a lowered graph needs: each value (a graph input, or a launch's output, by its root) gets a slot
 * for its lifetime, first to last launch that names it, graph outputs to the end; freed slots are reused best-fit,
 * and a slot is as large as the largest value it holds. Worked out on the host, before anything is allocated.
 */
final class BufferPlan {
    /** Bytes of each slot. */
    final long[] slotBytes;
    /** The slot of each value with a buffer. */
    final Map<String, Integer> slotOf;

    private BufferPlan(long[] slotBytes, Map<String, Integer> slotOf) {
        this.slotBytes = slotBytes;
        this.slotOf = Map.copyOf(slotOf);
    }

    static BufferPlan of(Lowering plan) {
        Map<String, Integer> last = new HashMap<>();
        List<List<String>> defined = new ArrayList<>();
        Set<String> known = new HashSet<>(plan.inputs);
        for (int i = 0; i < plan.launches.size(); i++) {
            List<String> fresh = new ArrayList<>();
            for (Launch.Arg a : plan.launches.get(i).args()) {
                if (a instanceof Launch.Ref r) {
                    String root = plan.root.get(r.value());
                    last.put(root, i);
                    if (known.add(root)) {
                        fresh.add(root);
                    }
                }
            }
            defined.add(fresh);
        }
        for (String out : plan.outputs) {
            if (!plan.constantOutputs.containsKey(out)) {
                last.put(plan.root.get(out), Integer.MAX_VALUE);
            }
        }
        List<long[]> slots = new ArrayList<>(); // {bytes}
        TreeMap<Long, List<Integer>> free = new TreeMap<>();
        Map<String, Integer> slotOf = new HashMap<>();
        Map<Integer, List<String>> releaseAfter = new HashMap<>();
        for (int i = -1; i < plan.launches.size(); i++) {
            for (String v : i < 0 ? plan.inputs : defined.get(i)) {
                long bytes = Math.max(4, 4 * HostOps.numel(plan.analysis.shape(v)));
                Map.Entry<Long, List<Integer>> fit = free.ceilingEntry(bytes);
                if (fit == null) {
                    fit = free.lastEntry();
                }
                int slot;
                if (fit == null) {
                    slot = slots.size();
                    slots.add(new long[] {bytes});
                } else {
                    slot = fit.getValue().remove(fit.getValue().size() - 1);
                    if (fit.getValue().isEmpty()) {
                        free.remove(fit.getKey());
                    }
                    slots.get(slot)[0] = Math.max(slots.get(slot)[0], bytes);
                }
                slotOf.put(v, slot);
                releaseAfter.computeIfAbsent(Math.max(i, last.getOrDefault(v, i)), k -> new ArrayList<>()).add(v);
            }
            for (String v : releaseAfter.getOrDefault(i, List.of())) {
                int slot = slotOf.get(v);
                free.computeIfAbsent(slots.get(slot)[0], k -> new ArrayList<>()).add(slot);
            }
        }
        return new BufferPlan(slots.stream().mapToLong(s -> s[0]).toArray(), slotOf);
    }

    /** Bytes of all slots together. */
    long bytes() {
        long total = 0;
        for (long b : slotBytes) {
            total += b;
        }
        return total;
    }

    long largest() {
        long max = 0;
        for (long b : slotBytes) {
            max = Math.max(max, b);
        }
        return max;
    }
}
