package dev.eventkit.benchmarks.drain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.benchmarks.drain.DrainBenchmark.DrainOptions;
import dev.eventkit.benchmarks.drain.DrainBenchmark.DrainResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drain harness on a tiny backlog, every system once, so that it cannot rot. */
class DrainBenchmarkIT {

  @Test
  void everySystemDrainsTheWholeBacklogAndTheTableShowsIt() throws Exception {
    DrainOptions options = DrainOptions.parse("--rows", "2000", "--repeats", "1");
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    List<DrainResult> results =
        DrainBenchmark.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(results)
        .extracting(DrainResult::system)
        .containsExactly(
            "Eventkit poll, 1 task",
            "Eventkit poll, 4 tasks",
            "Eventkit log, 1 task",
            "Debezium + EventRouter",
            "Framework ceiling (in-memory source)",
            "Plain producer");
    assertThat(results).allSatisfy(r -> assertThat(r.median()).isPositive());
    assertThat(DrainResult.markdown(results, options))
        .contains("| 2,000 | Eventkit poll, 1 task |")
        .contains("× Debezium")
        .contains("× ceiling")
        .contains("| 2,000 | Eventkit log, 1 task |");
  }
}
