package org.scrim.spark;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The folder an input path or glob stands for: the path itself for a folder, the folder before the first wildcard
 * for a glob, the parent for a single file. Outputs keep their path relative to it, and nothing may be written under
 * it.
 */
final class InputFolder implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The folder as a qualified URI path, e.g. {@code file:/data/uploads} or {@code s3a://bucket/uploads}. */
    private final String base;

    private InputFolder(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    static InputFolder of(String input, Configuration conf) throws IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        Path folder;
        if (isGlob(input)) {
            folder = path;
            while (isGlob(folder.toString())) {
                folder = folder.getParent();
            }
        } else {
            folder = fs.getFileStatus(path).isDirectory() ? path : path.getParent();
        }
        return new InputFolder(fs.makeQualified(folder).toString());
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
    }

    /** {@code file}'s path below the folder, e.g. {@code 2024/cat.png}. */
    String relative(String file) {
        String path = new Path(file).toUri().getPath();
        String basePath = new Path(base).toUri().getPath();
        if (!path.startsWith(basePath + "/")) {
            throw new IllegalArgumentException(file + " is not under the input folder " + base);
        }
        return path.substring(basePath.length() + 1);
    }

    /** Refuses {@code where} (an option's path) when it is the input folder or inside it. */
    void refuseWritingInto(String option, String where, Configuration conf) throws IOException {
        Path path = new Path(where);
        String qualified = path.getFileSystem(conf).makeQualified(path).toString();
        if (qualified.equals(base) || qualified.startsWith(base + "/")) {
            throw new IllegalArgumentException(option + " " + where + " is inside the input folder " + base
                    + ": Scrim never writes among the originals (and a watched folder would take its own outputs "
                    + "for uploads); choose a folder outside it");
        }
    }

    @Override
    public String toString() {
        return base;
    }
}
