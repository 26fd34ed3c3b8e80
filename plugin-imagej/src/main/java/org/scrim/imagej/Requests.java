package org.scrim.imagej;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.scrim.engine.imageio.ImageFiles;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.tensor.RgbImage;

/** Builds engine requests from the text fields the ImageJ and SciJava commands share. */
final class Requests {
    static final String AUTO = ProtectRequest.Builder.AUTO_DECOY;
    static final String[] PRESETS = {"low", "default", "high"};
    static final String[] MODES = {"mask", "poison", "both"};

    private Requests() {}

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

    /**
     * @param decoy         a decoy name or "auto"
     * @param styleImage    path of a decoy image, or blank
     * @param anchors       path of an anchor image or folder of them, or blank
     * @param maxVisibility 0 for the preset's bound
     * @param steps         0 for the preset's count
     */
    static ProtectRequest request(Mode mode, String preset, String decoy, String styleImage, String anchors,
            double maxVisibility, long seed, int workSize, int steps) throws IOException {
        ProtectRequest.Builder request = ProtectRequest.builder(mode,
                Preset.valueOf(preset.trim().toUpperCase(Locale.ROOT))).decoy(decoy).seed(seed).workSize(workSize);
        if (maxVisibility > 0) {
            request.maxVisibility(maxVisibility);
        }
        if (!blank(styleImage)) {
            request.decoyImage(ImageFiles.read(Path.of(styleImage)).toRgb());
        }
        if (mode.poisons()) {
            request.anchors(anchorImages(anchors));
        }
        if (steps > 0) {
            request.steps(steps);
        }
        return request.build();
    }

    /**
     * The request for a strength on a continuous scale (a visibility bound): the preset nearest it gives the
     * per-pixel cap and the steps, and the strength overrides its bound unless it is the preset's.
     */
    static ProtectRequest request(Mode mode, double strength, String decoy, String styleImage, String anchors,
            long seed, int workSize, int steps) throws IOException {
        Preset preset = Preset.nearest(strength);
        return request(mode, preset.name(), decoy, styleImage, anchors, boundBeyond(preset, strength), seed,
                workSize, steps);
    }

    /** {@code r} at another strength, decoy, work size and step count, without reading its files again. */
    static ProtectRequest variant(ProtectRequest r, double strength, Decoy decoy, int workSize, int steps) {
        Preset preset = Preset.nearest(strength);
        double bound = boundBeyond(preset, strength);
        return new ProtectRequest(r.mode(), preset, bound > 0 ? bound : null, decoy, r.decoyImage(), r.anchors(),
                r.seed(), workSize, steps);
    }

    /** The strength as a bound that overrides the preset's, or 0 when it is the preset's own. */
    private static double boundBeyond(Preset preset, double strength) {
        return strength == preset.maxVisibility ? 0 : strength;
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
