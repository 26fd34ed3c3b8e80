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
                line.append(System.lineSeparator()).append("  ").append(e.getKey()).append(": ")
                        .append(e.getValue() instanceof Double d ? String.format("%.3f", d) : e.getValue());
            }
        }
        System.out.println(line);
    }

    void finish() {
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("files", files);
            System.out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(doc));
        }
    }

    /** A verification report as flat named figures (closeness per manipulation, visibility). */
    /** The report's figures, led by the verdict in words against {@code models}, the models checked. */
    static Map<String, Object> figures(Verifier.Report r, String models) {
        Map<String, Object> f = new LinkedHashMap<>();
        Verdict verdict = Verdict.of(r, models);
        f.put("verdict", verdict.headline());
        f.put("verdict_meaning", verdict.meaning());
        f.put("target", r.target());
        r.closeness().forEach((k, v) -> f.put(k.equals(Verifier.PLAIN) ? "closeness" : "closeness_" + k, v));
        r.poisonCloseness().forEach((k, v) -> f.put(k.equals(Verifier.PLAIN) ? "poison_closeness"
                : "poison_closeness_" + k, v));
        f.put("shift_vs_noise", r.shiftVsNoise());
        f.put("psnr", r.psnr());
        f.put("ssim", r.ssim());
        f.put("visibility", r.visibility());
        return f;
    }
}
