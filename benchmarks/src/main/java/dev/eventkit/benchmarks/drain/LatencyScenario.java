package dev.eventkit.benchmarks.drain;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Steady writers at a fixed rate while a system runs: each event's latency is the broker's append
 * time of its record minus the moment its insert's commit returned to the writer (one clock, one
 * machine). Each event is its own transaction, as in a service writing one event per request.
 */
final class LatencyScenario {

  /** Concurrent writers sharing the rate, each on its own connection. */
  static final int WRITERS = 4;

  private static final Pattern EVENT_NUMBER = Pattern.compile("\"n\": ?(\\d+)");
  private static final Duration READ_LIMIT = Duration.ofMinutes(5);

  private LatencyScenario() {}

  /** Starts {@code system} on an empty outbox, writes at {@code rate} for {@code duration}. */
  static LatencyResult run(
      DrainSystem system,
      ConnectCluster cluster,
      TestDatabase db,
      String topic,
      int rate,
      Duration duration,
      int payloadBytes) {
    DrainSystem.createOutbox(db);
    String name = "latency-" + UUID.randomUUID().toString().substring(0, 8);
    system.start(cluster, db, name, topic);
    try {
      system.awaitReady(cluster, db, name);
      int events = (int) (rate * duration.toMillis() / 1000);
      long[] committedAt = new long[events];
      long started = System.nanoTime();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int first = w;
        writers.add(
            CompletableFuture.runAsync(
                () -> write(db, first, events, rate, started, payloadBytes, committedAt)));
      }
      writers.forEach(CompletableFuture::join);
      double offered = events / ((System.nanoTime() - started) / 1e9);
      long[] latencies = read(cluster, topic, committedAt);
      return LatencyResult.ofOneRun(system.label(), rate, offered, latencies);
    } finally {
      cluster.delete("connectors/" + name).expectSuccess("delete " + name);
      system.cleanUp(db, name);
    }
  }

  /** Writes events first, first + WRITERS, ... each when it is due, each in its own commit. */
  private static void write(
      TestDatabase db,
      int first,
      int events,
      int rate,
      long started,
      int payloadBytes,
      long[] committedAt) {
    try (Connection c = db.connect();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                    + " VALUES ('order', ?, 'Changed', jsonb_build_object('n', ?, 'data',"
                    + " repeat('x', ?)))")) {
      try (var settings = c.createStatement()) {
        // PostgreSQL's default, which the embedded server turns off: a commit returns once its WAL
        // is flushed, so log readers (Debezium, log mode) can see it as soon as poll mode can.
        settings.execute("SET synchronous_commit = on");
      }
      for (int n = first; n < events; n += WRITERS) {
        long due = started + (long) (n * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        insert.setString(1, "agg-" + (n % DrainBenchmark.DrainOptions.AGGREGATES));
        insert.setInt(2, n);
        insert.setInt(3, payloadBytes);
        insert.executeUpdate();
        committedAt[n] = System.currentTimeMillis();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Writing outbox events failed", e);
    }
  }

  /** Reads every event's record once and returns append time minus commit time, per event. */
  private static long[] read(ConnectCluster cluster, String topic, long[] committedAt) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    long[] latencies = new long[committedAt.length];
    boolean[] seen = new boolean[committedAt.length];
    int count = 0;
    long deadline = System.nanoTime() + READ_LIMIT.toNanos();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (count < committedAt.length) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              topic + " received " + count + " of " + committedAt.length + " events");
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          Matcher m = EVENT_NUMBER.matcher(record.value());
          if (!m.find()) {
            throw new IllegalStateException("No event number in " + record.value());
          }
          int n = Integer.parseInt(m.group(1));
          if (!seen[n]) {
            seen[n] = true;
            latencies[count++] = record.timestamp() - committedAt[n];
          }
        }
      }
    }
    Arrays.sort(latencies);
    return latencies;
  }

  /**
   * One system at one rate: the sorted latencies in ms of every run, the rate the writers achieved
   * (the mean of the runs), the number of runs, and each run's p99.
   */
  record LatencyResult(
      String system, int rate, double offeredRate, long[] latencies, int repeats, long[] runP99s) {

    static LatencyResult ofOneRun(String system, int rate, double offered, long[] sorted) {
      return new LatencyResult(
          system, rate, offered, sorted, 1, new long[] {percentile(sorted, 99)});
    }

    /** The runs of one system at one rate as one distribution, keeping each run's p99. */
    static LatencyResult pool(List<LatencyResult> runs) {
      if (runs.isEmpty()) {
        throw new IllegalArgumentException("No runs to pool");
      }
      if (runs.size() == 1) {
        return runs.get(0);
      }
      long[] all =
          runs.stream().flatMapToLong(r -> Arrays.stream(r.latencies())).sorted().toArray();
      double offered = runs.stream().mapToDouble(LatencyResult::offeredRate).average().orElse(0);
      long[] p99s = runs.stream().flatMapToLong(r -> Arrays.stream(r.runP99s())).toArray();
      LatencyResult first = runs.get(0);
      return new LatencyResult(first.system(), first.rate(), offered, all, p99s.length, p99s);
    }

    long percentile(double p) {
      return percentile(latencies, p);
    }

    private static long percentile(long[] sorted, double p) {
      int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    long max() {
      return latencies[latencies.length - 1];
    }

    static String markdown(List<LatencyResult> results, Duration duration) {
      StringBuilder md = new StringBuilder();
      md.append(
          "| events/s (achieved) | system | p50 ms | p99 ms | p99 ms of each run | max ms | events"
              + " |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (LatencyResult r : results) {
        md.append(
            String.format(
                "| %,d (%,.0f) | %s | %d | %d | %s | %d | %,d |%n",
                r.rate(),
                r.offeredRate(),
                r.system(),
                r.percentile(50),
                r.percentile(99),
                r.repeats() == 1
                    ? "—"
                    : Arrays.stream(r.runP99s())
                        .mapToObj(Long::toString)
                        .collect(java.util.stream.Collectors.joining(", ")),
                r.max(),
                r.latencies().length));
      }
      md.append(
          String.format(
              "%nCommit-to-append latency, %d writers for %d s per run, one event per"
                  + " transaction; the runs of a row pooled.",
              WRITERS, duration.toSeconds()));
      return md.toString();
    }
  }
}
