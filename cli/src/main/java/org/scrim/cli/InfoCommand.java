package org.scrim.cli;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.scrim.engine.config.UserFolders;
import org.scrim.engine.imageio.ImageFormat;
import org.scrim.engine.models.ModelStore;
import org.scrim.engine.protect.Decoy;
import org.scrim.engine.protect.Effort;
import org.scrim.engine.protect.Mode;
import org.scrim.engine.protect.Preset;
import org.scrim.engine.protect.Preview;
import org.scrim.engine.protect.ProtectRequest;
import org.scrim.engine.protect.Strength;
import org.scrim.engine.protect.TrainerViews;
import org.scrim.engine.protect.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code scrim info}: the engine's rules and choices as JSON (presets, efforts, decoys, the preview rule, trainer
 * views, working sizes, formats, models, the service's state file), so the editors' plugins ask instead of keeping
 * copies; with strength options, the request they make.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints what the engine offers, as JSON: presets (butteraugli and visibility bounds, per-pixel "
                + "cap, steps, and the largest bound on the strength scale that takes each), efforts (steps per "
                + "preset), decoys, the preview rule, the trainers' views protected against and the figures judged, "
                + "working sizes, the formats read and written, models and the service's state file.",
                "",
                "With strength options (as scrim protect takes them), also the strength they make: preset, bound, "
                        + "steps and the time against the default effort."},
        footer = {"", "Examples:", "  scrim info", "  scrim info --max-visibility 0.12 --effort max"})
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StrengthOptions strength;

    @Override
    public Integer call() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", Version.current());
        info.put("modes", names(Mode.values()));
        List<Map<String, Object>> presets = new ArrayList<>();
        for (Preset p : Preset.values()) {
            Map<String, Object> preset = new LinkedHashMap<>();
            preset.put("name", name(p));
            preset.put("max_butteraugli", p.maxButteraugli);
            preset.put("max_visibility", p.maxVisibility);
            preset.put("epsilon", p.epsilon);
            preset.put("steps", p.steps);
            preset.put("largest_bound_taking_it", Strength.largestBoundTaking(p));
            presets.add(preset);
        }
        info.put("presets", presets);
        info.put("max_visibility", ProtectRequest.MAX_VISIBILITY);
        List<Map<String, Object>> efforts = new ArrayList<>();
        for (Effort e : Effort.values()) {
            Map<String, Object> steps = new LinkedHashMap<>();
            for (Preset p : Preset.values()) {
                steps.put(name(p), e.steps(p));
            }
            efforts.add(Map.of("name", e.cliName(), "steps", steps));
        }
        info.put("efforts", efforts);
        info.put("decoys", Stream.concat(Stream.of(ProtectRequest.Builder.AUTO_DECOY),
                Stream.of(Decoy.values()).map(Decoy::cliName)).toList());
        info.put("work_size", Map.of("default", ProtectRequest.DEFAULT_WORK_SIZE, "min",
                ProtectRequest.MIN_WORK_SIZE, "max", ProtectRequest.MAX_WORK_SIZE));
        info.put("preview", Map.of("steps", Preview.STEPS, "side", Preview.SIDE, "max_side", Preview.MAX_SIDE));
        info.put("views", views());
        Map<String, List<String>> formats = new LinkedHashMap<>();
        formats.put("reads", Stream.of(ImageFormat.values()).flatMap(f -> f.extensions().stream()).toList());
        formats.put("writes", ImageFormat.writableExtensions());
        info.put("formats", formats);
        info.put("models", models());
        info.put("service_state_file", UserFolders.serviceStateFile().toString());
        if (strength.preset != null || strength.maxVisibility != null || strength.effort != null
                || strength.steps != null) {
            info.put("strength", strength(strength.strength()));
        }
        spec.commandLine().getOut().println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                .toJson(info));
        return 0;
    }

    private static Map<String, Object> strength(Strength s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", name(s.preset()));
        m.put("max_visibility", s.visibilityBound());
        m.put("custom_bound", s.maxVisibility() != null);
        m.put("effort", s.effort().cliName());
        m.put("steps", s.steps());
        m.put("time_against_default", s.timeAgainstDefault());
        m.put("in_words", s.inWords());
        return m;
    }

    /** The trainers' views that protection optimises over and verification measures at, and the figures judged. */
    private static Map<String, Object> views() {
        TrainerViews.Rule rule = TrainerViews.rule();
        Map<String, Object> views = new LinkedHashMap<>();
        views.put("resolutions", rule.resolutions());
        views.put("bucket_step", rule.bucketStep());
        views.put("crop_top", rule.cropTop());
        views.put("crop_left", rule.cropLeft());
        views.put("judged", Verifier.JUDGED);
        return views;
    }

    /** The default ensemble and each known model's files, as the store names them (the bundle copies these). */
    private static Map<String, Object> models() {
        Map<String, Object> models = new LinkedHashMap<>();
        models.put("default", ModelStore.DEFAULT_ENCODERS);
        Map<String, List<String>> files = new LinkedHashMap<>();
        ModelStore.KNOWN.values().forEach(m -> files.put(m.name(),
                m.files().stream().map(ModelStore.KnownFile::fileName).toList()));
        models.put("files", files);
        return models;
    }

    private static List<String> names(Enum<?>[] values) {
        return Stream.of(values).map(InfoCommand::name).toList();
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
