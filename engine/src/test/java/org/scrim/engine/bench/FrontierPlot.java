package org.scrim.engine.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The frontier table and plot from {@link FrontierBenchmark}'s {@code frontier.tsv}: per shape and preset, the
 * medians (and ranges) of butteraugli's max distance and of the weaker encoder's closeness, over all images and over
 * the images kept out of tuning; and a PNG with every image's point and each shape's medians joined. Run by {@code
 * bench/run-frontier.sh} after the benchmark: {@code FrontierPlot TSV PNG [tuning images]}.
 */
public final class FrontierPlot {
    private static final Color[] COLOURS = {new Color(0x999999), new Color(0x1f77b4), new Color(0xd62728),
        new Color(0x2ca02c)};

    record Row(String shape, String image, String preset, double butteraugli, double weaker) {}

    public static void main(String[] args) throws IOException {
        Path tsv = Path.of(args[0]);
        Path png = Path.of(args[1]);
        List<String> tuning = args.length > 2 ? List.of(args[2].split(",")) : List.of();
        List<Row> rows = read(tsv);
        Map<String, Map<String, List<Row>>> byShape = new LinkedHashMap<>();
        for (Row r : rows) {
            byShape.computeIfAbsent(r.shape(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.preset(), k -> new ArrayList<>()).add(r);
        }
        System.out.println("| shape | preset | images | butteraugli max, median (range) | weaker encoder, median (range)"
                + " | weaker, held out of tuning |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Map<String, List<Row>>> s : byShape.entrySet()) {
            XYSeries points = new XYSeries(s.getKey() + " (each image)");
            XYSeries medians = new XYSeries(s.getKey() + " (medians)");
            for (Map.Entry<String, List<Row>> p : s.getValue().entrySet()) {
                List<Row> rs = p.getValue();
                double[] b = rs.stream().mapToDouble(Row::butteraugli).toArray();
                double[] w = rs.stream().mapToDouble(Row::weaker).toArray();
                double[] heldOut = rs.stream().filter(r -> !tuning.contains(r.image())).mapToDouble(Row::weaker)
                        .toArray();
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f (%.2f-%.2f) | %.3f (%.3f-%.3f) | %s |%n",
                        s.getKey(), p.getKey(), rs.size(), median(b), min(b), max(b), median(w), min(w), max(w),
                        heldOut.length == 0 ? "-" : String.format(Locale.ROOT, "%.3f (%d images)", median(heldOut),
                                heldOut.length));
                rs.forEach(r -> points.add(r.butteraugli(), r.weaker()));
                medians.add(median(b), median(w));
            }
            data.addSeries(points);
            data.addSeries(medians);
        }
        NumberAxis x = new NumberAxis("butteraugli max distance (about 1 is just noticeable)");
        NumberAxis y = new NumberAxis("closeness on the weaker encoder");
        x.setAutoRangeIncludesZero(true);
        y.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int k = 0; k < data.getSeriesCount(); k++) {
            Color c = COLOURS[(k / 2) % COLOURS.length];
            boolean medianSeries = k % 2 == 1;
            renderer.setSeriesPaint(k, medianSeries ? c : new Color(c.getRed(), c.getGreen(), c.getBlue(), 110));
            renderer.setSeriesLinesVisible(k, medianSeries);
            renderer.setSeriesStroke(k, new BasicStroke(2.5f));
            double r = medianSeries ? 5 : 3;
            renderer.setSeriesShape(k, new Ellipse2D.Double(-r, -r, 2 * r, 2 * r));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Protection against visibility (512 px, per preset)", plot);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 560);
        System.out.println("plot: " + png);
    }

    private static List<Row> read(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        List<String> header = List.of(lines.get(0).split("\t"));
        int shape = header.indexOf("shape");
        int image = header.indexOf("image");
        int preset = header.indexOf("preset");
        int butteraugli = header.indexOf("butteraugli");
        int weaker = header.indexOf("weaker");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            if (f.length == header.size() && !f[0].equals("shape")) {
                rows.add(new Row(f[shape], f[image], f[preset], Double.parseDouble(f[butteraugli]),
                        Double.parseDouble(f[weaker])));
            }
        }
        return rows;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
