package org.scrim.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, so it is written in one place (the pom). */
public final class Version implements IVersionProvider {
    public static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"scrim " + current()};
    }
}
