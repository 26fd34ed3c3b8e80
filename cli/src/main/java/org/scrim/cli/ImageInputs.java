package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.tensor.RgbImage;

/** Turns command-line paths into image files: a folder stands for the images directly inside it. */
final class ImageInputs {
    private ImageInputs() {}

    /**
     * Files to protect; a folder's earlier results ({@code *.protected.*}) are not protected again. A folder with
     * nothing to protect is a mistake worth saying (a typo, or a folder named like an image).
     */
    static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            boolean folder = Files.isDirectory(p);
            int before = files.size();
            for (Path f : ImageFiles.imagesIn(p)) {
                if (!folder || !f.getFileName().toString().contains(".protected.")) {
                    files.add(f);
                }
            }
            if (folder && files.size() == before) {
                throw new ScrimCommand.UsageException(p + " is a folder with no images to protect in it (PNG, JPEG, "
                        + "TIFF or WebP files, not hidden, not *.protected.*)");
            }
        }
        return files;
    }

    /** The images of files and folders as RGB (anchors, decoy images). */
    static List<RgbImage> readRgb(List<Path> paths) throws IOException {
        List<RgbImage> images = new ArrayList<>();
        for (Path p : paths) {
            for (Path f : ImageFiles.imagesIn(p)) {
                images.add(ImageFiles.read(f).toRgb());
            }
        }
        return images;
    }
}
