package org.scrim.imagej;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.tensor.RgbImage;

/** Builds engine requests from the text fields the ImageJ and SciJava commands share. */
final class Requests {
    static final String AUTO = ProtectRequest.Builder.AUTO_DECOY;
    static final String[] EFFORTS = names(Effort.values());
    static final String[] MODES = names(Mode.values());

    private Requests() {}

    private static String[] names(Enum<?>[] values) {
        return Stream.of(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
    }

    static String[] decoyNames() {
        return Stream.of(Decoy.values()).map(Decoy::cliName).toArray(String[]::new);
    }

    /** "auto" followed by every decoy's name. */
    static String[] decoyChoices() {
        return Stream.concat(Stream.of(AUTO), Stream.of(decoyNames())).toArray(String[]::new);
    }

    static Mode mode(String name) {
        return Mode.valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** The preset named in a field, or null for a blank one (the engine's default). */
    static Preset preset(String name) {
        return blank(name) ? null : Preset.valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** The effort named in a field, or null for a blank one (the engine's default). */
    static Effort effort(String name) {
        return blank(name) ? null : Effort.parse(name);
    }

    /** The steps of a field where 0 means "the strength's". */
    static Integer steps(int steps) {
        return steps > 0 ? steps : null;
    }

    /**
     * @param decoy      a decoy name or "auto"
     * @param styleImage path of a decoy image, or blank
     * @param anchors    path of an anchor image or folder of them, or blank
     */
    static ProtectRequest request(Mode mode, Strength strength, String decoy, String styleImage, String anchors,
            long seed, int workSize) throws IOException {
        ProtectRequest.Builder request = ProtectRequest.builder(mode, strength).decoy(decoy).seed(seed)
                .workSize(workSize);
        if (!blank(styleImage)) {
            request.decoyImage(ImageFiles.read(Path.of(styleImage)).toRgb());
        }
        if (mode.poisons()) {
            request.anchors(anchorImages(anchors));
        }
        return request.build();
    }

    /** The images of a file, or of every readable image in a folder (sorted by name). */
    static List<RgbImage> anchorImages(String path) throws IOException {
        if (blank(path)) {
            return List.of();
        }
        List<RgbImage> images = new ArrayList<>();
        for (Path f : ImageFiles.imagesIn(Path.of(path))) {
            images.add(ImageFiles.read(f).toRgb());
        }
        return images;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
