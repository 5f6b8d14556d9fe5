package dev.eventkit.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkChartsTest {

  @TempDir Path dir;

  @Test
  void drawsTheDrainLinesOfSeveralRunsAndOneLatencyPicturePerRate() throws Exception {
    Path small =
        write(
            "small.json",
            """
            {"results": [
              {"system": "Eventkit poll, 1 task", "rows": 100000, "median": 21000},
              {"system": "Debezium + EventRouter", "rows": 100000, "median": 14000}],
             "latencies": [
              {"system": "Eventkit poll + NOTIFY, 1 task", "rate": 1000,
               "p50Ms": 4, "p90Ms": 7, "p99Ms": 12, "maxMs": 40},
              {"system": "Debezium + EventRouter", "rate": 1000,
               "p50Ms": 0, "p90Ms": 9, "p99Ms": 30, "maxMs": 210},
              {"system": "Debezium + EventRouter", "rate": 5000,
               "p50Ms": 3, "p90Ms": 11, "p99Ms": 60, "maxMs": 400}]}
            """);
    Path large =
        write(
            "large.json",
            """
            {"results": [
              {"system": "Eventkit poll, 1 task", "rows": 1000000, "median": 22000}]}
            """);

    List<Path> written = BenchmarkCharts.draw(List.of(small, large), dir.resolve("out"));

    assertThat(written)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "benchmarks-drain.svg", "benchmarks-latency-1000.svg", "benchmarks-latency-5000.svg");
    String drain = Files.readString(written.get(0), StandardCharsets.UTF_8);
    assertThat(drain)
        .contains("<svg")
        .contains("Eventkit poll, 1 task")
        .contains("Debezium + EventRouter")
        .contains("backlog (rows, log scale)");
    String latency = Files.readString(written.get(1), StandardCharsets.UTF_8);
    assertThat(latency)
        .contains("1,000 events/s")
        .contains("Eventkit poll + NOTIFY, 1 task")
        .contains("p99");
    assertThat(Files.readString(written.get(2), StandardCharsets.UTF_8))
        .contains("5,000 events/s")
        .doesNotContain("Eventkit poll + NOTIFY, 1 task");
  }

  @Test
  void resultsWithoutLatenciesDrawOnlyTheDrain() throws Exception {
    Path only =
        write(
            "only.json",
            """
            {"results": [{"system": "Plain producer", "rows": 200000, "median": 80000}]}
            """);

    assertThat(BenchmarkCharts.draw(List.of(only), dir))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("benchmarks-drain.svg");
  }

  private Path write(String name, String json) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return file;
  }
}
