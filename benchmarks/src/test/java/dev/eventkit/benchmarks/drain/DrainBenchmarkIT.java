package dev.eventkit.benchmarks.drain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.benchmarks.drain.DrainBenchmark.DrainOptions;
import dev.eventkit.benchmarks.drain.DrainBenchmark.DrainResult;
import dev.eventkit.benchmarks.report.FlightProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drain harness on a tiny backlog, every system once, so that it cannot rot. */
class DrainBenchmarkIT {

  @TempDir Path temp;

  @Test
  void everySystemDrainsTheWholeBacklogAndTheTableShowsIt() throws Exception {
    Path recording = temp.resolve("drains.jfr");
    DrainOptions options =
        DrainOptions.parse(
            "--rows",
            "2000",
            "--repeats",
            "1",
            "--warmup-rows",
            "500",
            "--latency-rates",
            "100",
            "--latency-seconds",
            "2",
            "--dlq-letters",
            "500",
            "--warmup-rounds",
            "1",
            "--database-waits",
            "true",
            "--task-threads",
            "true",
            "--flight-recording",
            recording.toString());
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    DrainBenchmark.Results all =
        DrainBenchmark.run(options, new PrintStream(log, true, StandardCharsets.UTF_8));
    List<DrainResult> results = all.drains();

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
    // Linux /proc times, in 10 ms ticks: a 2,000-row drain may fit in less than one, so only the
    // shape is checked here (the benchmark's own drains are long enough to measure).
    assertThat(results)
        .flatExtracting(DrainResult::runs)
        .allSatisfy(
            run -> {
              assertThat(run.cost().cpuMicrosPerRow()).isNotNegative().isFinite();
              assertThat(run.cost().jvmMicrosPerRow()).isNotNegative().isFinite();
              assertThat(run.cost().databaseMicrosPerRow()).isNotNegative().isFinite();
            });
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("warm-up")
        .contains("µs CPU/row")
        .contains("outbox rows read per row");
    // Poll mode's reads of the outbox table, counted by PostgreSQL: every row at least once (for
    // the safe cuts and in its batch, and by the task's first backlog count, which in a task of
    // four
    // steps over the other tasks' rows too); log mode and Debezium read a slot. A 2,000-row backlog
    // is one or two batches, where a task's one-off reads weigh heavily (2.0 to 3.8 per row for one
    // task between runs): whether a drain's reads grow with the backlog is
    // PostgresPollingCaptureIT's to show, at 200,000 rows, and docs/benchmarks.md's at 1M.
    assertThat(results.subList(0, 2))
        .flatExtracting(DrainResult::runs)
        .allSatisfy(run -> assertThat(run.outboxReadsPerRow()).isBetween(1.0, 10.0));
    assertThat(results.subList(2, 6))
        .flatExtracting(DrainResult::runs)
        .allSatisfy(run -> assertThat(run.outboxReadsPerRow()).isNaN());
    // The database's sessions were sampled during each drain that reads the database (the
    // ceiling and the plain producer read none): the poll task's reader among them.
    assertThat(results.subList(0, 4))
        .flatExtracting(DrainResult::runs)
        .allSatisfy(run -> assertThat(run.databaseSessions()).contains("| session | doing |"));
    assertThat(results.get(0).runs().get(0).databaseSessions()).contains("`eventkit-outbox-0`");
    // Connect's task threads were sampled during each connector's drain (the plain producer has
    // no task); a 2,000-row drain lasts only a few samples (the ceiling's may fall between two), so
    // the table is checked for the slowest, one poll task.
    assertThat(results.subList(0, 5))
        .flatExtracting(DrainResult::runs)
        .allSatisfy(run -> assertThat(run.taskThreads()).contains("One sample every 5 ms."));
    assertThat(results.get(5).runs()).allSatisfy(run -> assertThat(run.taskThreads()).isNull());
    assertThat(results.get(0).runs().get(0).taskThreads())
        .contains("| phase | share of samples | innermost frames outside the JDK |");
    assertThat(results.get(0).runs().get(0).taskThreads())
        .containsPattern("`drain-[0-9a-f]{8}-0`")
        .contains("On a CPU for");
    assertThat(DrainResult.markdown(results, options))
        .contains("| 2,000 | Eventkit poll, 1 task |")
        .contains("× Debezium")
        .contains("× ceiling")
        .contains("CPU µs/row (database)")
        .contains("| 2,000 | Eventkit log, 1 task |");
    // The flight recording of the measured drains was written, and FlightProfile reads it.
    assertThat(FlightProfile.summarize(recording, Pattern.compile("."), 5))
        .contains("samples running Java code");
    // Every latency system delivered every one of its 200 events, each with a latency.
    assertThat(all.latencies())
        .extracting(LatencyScenario.LatencyResult::system)
        .containsExactly(
            "Eventkit poll, 1 task",
            "Eventkit poll + NOTIFY, 1 task",
            "Eventkit log, 1 task",
            "Debezium + EventRouter");
    assertThat(all.latencies()).allSatisfy(r -> assertThat(r.latencies()).hasSize(200));
    assertThat(LatencyScenario.LatencyResult.markdown(all.latencies(), options.latencyDuration()))
        .contains("| 100 (")
        .contains("p99 ms");
    // Each way of archiving archived all 500 dead letters (it waits for them) at some rate.
    assertThat(all.archives())
        .extracting(DrainBenchmark.DlqResult::system)
        .containsExactly(
            "Eventkit DLQ archive, table",
            "Raw JDBC batch insert",
            "Eventkit DLQ archive, JSON-lines files",
            "Raw buffered file write");
    assertThat(all.archives()).allSatisfy(r -> assertThat(r.median()).isPositive());
    assertThat(DrainBenchmark.DlqResult.markdown(all.archives()))
        .contains("| 500 | Raw JDBC batch insert |");
  }
}
