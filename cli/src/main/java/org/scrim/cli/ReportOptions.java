package org.scrim.cli;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scrim.engine.protect.Verdict;
import org.scrim.engine.protect.Verifier;
import picocli.CommandLine.Option;

/** How results are reported: readable lines, or one JSON document for scripts; and how progress is shown. */
final class ReportOptions {
    @Option(names = "--json", description = "Print one JSON report on standard output (for scripts).")
    boolean json;

    @Option(names = "--progress", defaultValue = "bar", paramLabel = "bar|lines|none",
            description = "Progress display: bar (with ETA), lines (for programs) or none. Default: ${DEFAULT-VALUE}.")
    Progress.Style progressStyle;

    private final List<Map<String, Object>> files = new ArrayList<>();

    Progress progress(String label) {
        return new Progress(json && progressStyle == Progress.Style.BAR ? Progress.Style.NONE : progressStyle, label,
                System.err);
    }

    /** A line for people before the work starts (what it will do, how long against the default); not for programs. */
    void announce(String line) {
        if (!json && progressStyle == Progress.Style.BAR) {
            System.err.println("scrim: " + line);
        }
    }

    /** Records one file's result; in plain mode prints it at once. */
    void fileDone(Map<String, Object> entry) {
        files.add(entry);
        if (json) {
            return;
        }
        if (Boolean.FALSE.equals(entry.get("ok"))) {
            System.out.println(entry.get("input") + ": FAILED: " + entry.get("error"));
            return;
        }
        StringBuilder line = new StringBuilder(entry.get("input") + " -> " + entry.get("output"));
        for (Map.Entry<String, Object> e : entry.entrySet()) {
            if (!List.of("input", "output", "ok").contains(e.getKey()) && e.getValue() != null) {
                String value = readable(e.getValue());
                line.append(System.lineSeparator()).append("  ").append(e.getKey())
                        .append(value.startsWith(System.lineSeparator()) ? ":" : ": ").append(value);
            }
        }
        System.out.println(line);
    }

    /**
     * A figure to three decimals; a map of figures as "name 0.123, name 0.456"; a map of such maps (per encoder) as
     * one indented line each.
     */
    private static String readable(Object value) {
        if (value instanceof Double d) {
            return String.format("%.3f", d);
        }
        if (value instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder();
            m.forEach((k, v) -> {
                if (v instanceof Map<?, ?>) {
                    s.append(System.lineSeparator()).append("    ").append(k).append(": ").append(readable(v));
                } else {
                    s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(readable(v));
                }
            });
            return s.toString();
        }
        return String.valueOf(value);
    }

    void finish() {
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("files", files);
            System.out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(doc));
        }
    }

    /**
     * A verification report as named figures, led by the verdict in words against {@code models} (the models
     * checked, naming the weakest view): closeness per view and manipulation (the mean over encoders), then each
     * encoder's as {@code encoders: {NAME: {closeness, closeness_768, closeness_mirrored, ...}}} (and {@code
     * poison_encoders}), what each view is ({@code views: {closeness: "1024x1024", ...}}), the AI view where
     * measured, visibility: SSIMULACRA ({@code visibility}), butteraugli's max distance and 3-norm, and in words how
     * visible the change is at 100% ({@code seen}).
     */
    static Map<String, Object> figures(Verifier.Report r, String models) {
        Map<String, Object> f = new LinkedHashMap<>();
        Verdict verdict = Verdict.of(r, models);
        f.put("verdict", verdict.headline());
        f.put("verdict_meaning", verdict.meaning());
        f.put("target", r.target());
        f.putAll(named("closeness", r.closeness()));
        f.putAll(named("poison_closeness", r.poisonCloseness()));
        if (r.byEncoder().size() > 1 || r.poisonByEncoder().size() > 1) {
            putByEncoder(f, "encoders", "closeness", r.byEncoder());
            putByEncoder(f, "poison_encoders", "poison_closeness", r.poisonByEncoder());
        }
        f.put("views", named("closeness", r.views()));
        if (r.aiView() != null) {
            f.put("ai_view_closeness", r.aiView());
        }
        if (r.poisonAiView() != null) {
            f.put("poison_ai_view_closeness", r.poisonAiView());
        }
        f.put("shift_vs_noise", r.shiftVsNoise());
        f.put("psnr", r.psnr());
        f.put("ssim", r.ssim());
        f.put("visibility", r.visibility());
        f.put("butteraugli", r.butteraugli().max());
        f.put("butteraugli_3norm", r.butteraugli().pnorm3());
        f.put("seen", r.butteraugli().seen().words());
        return f;
    }

    /** {@code prefix} for the plain figure, {@code prefix_MANIPULATION} for the others. */
    private static Map<String, Object> named(String prefix, Map<String, ?> byManipulation) {
        Map<String, Object> f = new LinkedHashMap<>();
        byManipulation.forEach((k, v) -> f.put(k.equals(Verifier.PLAIN) ? prefix : prefix + "_" + k, v));
        return f;
    }

    private static void putByEncoder(Map<String, Object> f, String key, String prefix,
            Map<String, Map<String, Double>> byEncoder) {
        if (byEncoder.isEmpty()) {
            return;
        }
        Map<String, Object> encoders = new LinkedHashMap<>();
        byEncoder.forEach((name, figures) -> encoders.put(name, named(prefix, figures)));
        f.put(key, encoders);
    }
}
