package org.scrim.imagej;

import net.imagej.patcher.LegacyInjector;

/**
 * Patches ImageJ 1.x so GenericDialog reads macro options without a display. It must run before any ij class
 * loads, so every test class touching ImageJ calls {@link #init()} from its static initialiser.
 */
final class HeadlessImageJ {
    private static boolean done;

    private HeadlessImageJ() {}

    static synchronized void init() {
        if (!done) {
            LegacyInjector.preinit();
            done = true;
        }
    }
}
