package dev.eventkit.benchmarks.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyResultTest {

  private static LatencyScenario.LatencyResult run(double offered, long first, long last) {
    return LatencyScenario.LatencyResult.ofOneRun(
        "Eventkit poll, 1 task", 1_000, offered, LongStream.rangeClosed(first, last).toArray());
  }

  @Test
  void runsArePooledIntoOneDistributionKeepingEachRunsP99() {
    LatencyScenario.LatencyResult pooled =
        LatencyScenario.LatencyResult.pool(
            List.of(run(990, 1, 100), run(1_010, 101, 200), run(1_000, 1_001, 1_100)));

    assertThat(pooled.repeats()).isEqualTo(3);
    assertThat(pooled.runP99s()).containsExactly(99, 199, 1_099);
    assertThat(pooled.latencies()).hasSize(300).isSorted();
    assertThat(pooled.percentile(50)).isEqualTo(150);
    assertThat(pooled.percentile(99)).isEqualTo(1_097);
    assertThat(pooled.max()).isEqualTo(1_100);
    assertThat(pooled.offeredRate()).isEqualTo(1_000);
    assertThat(LatencyScenario.LatencyResult.markdown(List.of(pooled), Duration.ofSeconds(30)))
        .contains(
            "| 1,000 (1,000) | Eventkit poll, 1 task | 150 | 1097 | 99, 199, 1099 | 1100 | 300 |");
  }

  @Test
  void repeatsBelowOneAreRefusedBeforeAnythingRuns() {
    assertThatThrownBy(() -> DrainBenchmark.DrainOptions.parse("--latency-repeats", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--latency-repeats");
    assertThat(DrainBenchmark.DrainOptions.parse("--repeats", "2").latencyRepeats()).isEqualTo(2);
  }

  @Test
  void eachRepetitionStartsOneSystemLater() {
    List<DrainSystem> systems =
        List.of(DrainSystem.EVENTKIT_POLL_1, DrainSystem.EVENTKIT_LOG, DrainSystem.DEBEZIUM);
    assertThat(DrainBenchmark.rotated(systems, 0)).isEqualTo(systems);
    assertThat(DrainBenchmark.rotated(systems, 1))
        .containsExactly(
            DrainSystem.EVENTKIT_LOG, DrainSystem.DEBEZIUM, DrainSystem.EVENTKIT_POLL_1);
    assertThat(DrainBenchmark.rotated(systems, 3)).isEqualTo(systems);
  }

  @Test
  void oneRunIsItsOwnResult() {
    LatencyScenario.LatencyResult only = run(1_000, 1, 100);

    assertThat(only.repeats()).isEqualTo(1);
    assertThat(only.runP99s()).containsExactly(99);
    assertThat(LatencyScenario.LatencyResult.pool(List.of(only))).isSameAs(only);
    assertThat(LatencyScenario.LatencyResult.markdown(List.of(only), Duration.ofSeconds(30)))
        .contains("| 1,000 (1,000) | Eventkit poll, 1 task | 50 | 99 | — | 100 | 100 |");
  }
}
