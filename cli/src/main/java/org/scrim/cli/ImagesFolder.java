package org.scrim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scrim.engine.imageio.ImageFiles;

/**
 * The one folder whose images {@code scrim serve} reads when a request names some ({@code decoy-image=},
 * {@code anchor=}), given at start with {@code --images-dir}; without it, no request may name a file. Any local
 * program holding the token sends requests: it must neither make the service read files elsewhere nor learn from the
 * answers what exists there. A name is taken inside the folder (or as an absolute path), resolved with every symbolic
 * link followed, and refused unless it lies inside; so must each image of a named folder (a link in it may point
 * out). Every refusal of a name reads the same, whether the path is outside, missing, or a link that escapes.
 */
final class ImagesFolder {
    /** A service started without {@code --images-dir}. */
    static final ImagesFolder NONE = new ImagesFolder(null);

    /** The folder's real path (no links left in it), or null. */
    private final Path root;

    private ImagesFolder(Path root) {
        this.root = root;
    }

    /** The folder given with {@code --images-dir}; an error naming it when it is not a folder. */
    static ImagesFolder of(Path dir) {
        try {
            Path real = dir.toRealPath();
            if (Files.isDirectory(real)) {
                return new ImagesFolder(real);
            }
        } catch (IOException e) {
            // said below, as for a file
        }
        throw new ScrimCommand.UsageException("--images-dir " + dir + " is not a folder");
    }

    /**
     * The image files {@code value} names for query key {@code key}: one file for {@code decoy-image}, a file or the
     * images directly in a folder for {@code anchor}.
     */
    List<Path> images(String key, String value) throws LocalService.Refusal {
        if (root == null) {
            throw new LocalService.Refusal(400, key + ": the service reads images named in a request only from the "
                    + "folder it was started with (scrim serve --images-dir FOLDER), and it was started without one");
        }
        LocalService.Refusal notInside = new LocalService.Refusal(400, key + ": '" + value + "' is not an image "
                + (key.equals("anchor") ? "or a folder of images " : "") + "inside the service's --images-dir");
        Path named = inside(value, notInside);
        if (!Files.isDirectory(named)) {
            return List.of(named);
        }
        if (!key.equals("anchor")) {
            throw new LocalService.Refusal(400, key + ": '" + value + "' is a folder; name one image in it");
        }
        List<Path> images = new ArrayList<>();
        try {
            for (Path image : ImageFiles.imagesIn(named)) {
                images.add(inside(image.toString(), notInside));
            }
        } catch (IOException e) {
            throw notInside;
        }
        if (images.isEmpty()) {
            throw new LocalService.Refusal(400, key + ": '" + value + "' has no images in it (PNG, JPEG, TIFF or "
                    + "WebP)");
        }
        return images;
    }

    /** {@code value}'s real path when it exists inside the folder; else {@code refusal}. */
    private Path inside(String value, LocalService.Refusal refusal) throws LocalService.Refusal {
        try {
            Path real = root.resolve(value).toRealPath();
            if (real.startsWith(root)) {
                return real;
            }
        } catch (IOException | InvalidPathException e) {
            // missing or unreadable: refused as a path outside is, in the same words
        }
        throw refusal;
    }
}
