package dev.eventkit.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * Draws the two pictures people look at first from the drain harness's JSON results: the drain rate
 * against the backlog size per system, and the commit-to-append latency percentiles per system at
 * each writer rate. Several result files (say a 100k/200k run and a 1M run) are drawn together.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks exec:exec@charts -Dcharts.args="docs
 * docs/benchmarks-drain-a.json docs/benchmarks-drain-b.json"} (output directory first).
 */
public final class BenchmarkCharts {

  static final String DRAIN_FILE = "benchmarks-drain.svg";
  static final String LATENCY_FILE_PREFIX = "benchmarks-latency-";

  private static final int WIDTH = 760;
  private static final int HEIGHT = 440;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Latency percentiles in the order drawn, as named in the results. */
  private static final Map<String, String> PERCENTILES = new LinkedHashMap<>();

  static {
    PERCENTILES.put("p50Ms", "p50");
    PERCENTILES.put("p90Ms", "p90");
    PERCENTILES.put("p99Ms", "p99");
    PERCENTILES.put("p999Ms", "p99.9");
    PERCENTILES.put("maxMs", "max");
  }

  private BenchmarkCharts() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "Usage: BenchmarkCharts <output directory> <results.json>...");
    }
    List<Path> inputs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      inputs.add(Path.of(args[i]));
    }
    draw(inputs, Path.of(args[0])).forEach(p -> System.out.println("Wrote " + p));
  }

  /** Draws every picture the results allow into {@code directory}; returns the files written. */
  public static List<Path> draw(List<Path> results, Path directory) throws IOException {
    List<JsonNode> roots = new ArrayList<>();
    for (Path file : results) {
      roots.add(JSON.readTree(file.toFile()));
    }
    Files.createDirectories(directory);
    List<Path> written = new ArrayList<>();
    JFreeChart drain = drainChart(roots);
    if (drain != null) {
      written.add(write(drain, directory.resolve(DRAIN_FILE)));
    }
    for (Map.Entry<Integer, JFreeChart> latency : latencyCharts(roots).entrySet()) {
      written.add(
          write(
              latency.getValue(),
              directory.resolve(LATENCY_FILE_PREFIX + latency.getKey() + ".svg")));
    }
    return written;
  }

  /** Median rate per backlog size, one line per system; null without drain results. */
  private static JFreeChart drainChart(List<JsonNode> roots) {
    Map<String, XYSeries> bySystem = new LinkedHashMap<>();
    for (JsonNode root : roots) {
      for (JsonNode r : root.path("results")) {
        bySystem
            .computeIfAbsent(r.path("system").asText(), s -> new XYSeries(s, true, false))
            .addOrUpdate(r.path("rows").asDouble(), r.path("median").asDouble());
      }
    }
    if (bySystem.isEmpty()) {
      return null;
    }
    XYSeriesCollection data = new XYSeriesCollection();
    bySystem.values().forEach(data::addSeries);
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Draining a backlog of committed outbox rows (median of runs)",
            "backlog (rows)",
            "records per second",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(logAxis("backlog (rows, log scale)"));
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    style(chart);
    return chart;
  }

  /** One chart per writer rate: latency percentiles (log scale), one line per system. */
  private static Map<Integer, JFreeChart> latencyCharts(List<JsonNode> roots) {
    Map<Integer, DefaultCategoryDataset> byRate = new TreeMap<>();
    for (JsonNode root : roots) {
      for (JsonNode r : root.path("latencies")) {
        DefaultCategoryDataset data =
            byRate.computeIfAbsent(r.path("rate").asInt(), k -> new DefaultCategoryDataset());
        PERCENTILES.forEach(
            (field, label) -> {
              if (r.has(field)) {
                // A latency of 0 ms cannot sit on a log axis: it is drawn at its floor, 1 ms.
                data.addValue(
                    Math.max(1, r.path(field).asDouble()), r.path("system").asText(), label);
              }
            });
      }
    }
    Map<Integer, JFreeChart> charts = new LinkedHashMap<>();
    byRate.forEach(
        (rate, data) -> {
          JFreeChart chart =
              ChartFactory.createLineChart(
                  String.format("Commit-to-append latency at %,d events/s", rate),
                  "percentile",
                  "milliseconds (log scale)",
                  data,
                  PlotOrientation.VERTICAL,
                  true,
                  false,
                  false);
          CategoryPlot plot = chart.getCategoryPlot();
          plot.setRangeAxis(logAxis("milliseconds (log scale)"));
          LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true);
          for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
          }
          plot.setRenderer(renderer);
          style(chart);
          charts.put(rate, chart);
        });
    return charts;
  }

  /** A base-10 log axis ticked at powers of ten, labelled as plain numbers (1,000, not 10^3). */
  private static LogAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label);
    axis.setBase(10);
    axis.setSmallestValue(1);
    axis.setAutoTickUnitSelection(false);
    axis.setTickUnit(new NumberTickUnit(1)); // one decade
    axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
    return axis;
  }

  private static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    chart.getPlot().setBackgroundPaint(Color.WHITE);
    if (chart.getPlot() instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
      xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
    } else if (chart.getPlot() instanceof CategoryPlot category) {
      category.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }
  }

  private static Path write(JFreeChart chart, Path file) throws IOException {
    SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
    svg.setDefsKeyPrefix("eventkit"); // not a timestamp: the same results draw the same file
    chart.draw(svg, new Rectangle(0, 0, WIDTH, HEIGHT));
    SVGUtils.writeToSVG(new File(file.toString()), svg.getSVGElement());
    return file;
  }
}
