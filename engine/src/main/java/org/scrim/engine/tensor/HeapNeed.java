package org.scrim.engine.tensor;

import java.util.Locale;

/** The Java heap a piece of work needs, checked before it starts, so that it is refused with what to do. */
public final class HeapNeed {
    private HeapNeed() {}

    /**
     * Why {@code subject} cannot be worked on when the work needs {@code needed} bytes and Java may use
     * {@code available}, with the way to give it more; null when it fits.
     *
     * @param subject what the work is on ("4000x3000 pixels", "FILE: 196000000 pixels")
     * @param work    what needs the memory ("protect", "decode")
     */
    public static String shortfall(String subject, String work, long needed, long available) {
        if (needed <= available) {
            return null;
        }
        return subject + " need about " + gib(needed) + " GiB of memory to " + work + " and Java may use "
                + gib(available) + " GiB; give it more (e.g. SCRIM_JAVA_OPTS=-Xmx"
                + (long) Math.ceil(needed / (double) (1L << 30)) + "g for the scrim command) or use a smaller copy "
                + "of the image";
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) (1L << 30));
    }
}
