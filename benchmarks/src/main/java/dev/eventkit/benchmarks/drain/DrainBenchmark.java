package dev.eventkit.benchmarks.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.benchmarks.dlq.DlqArchiveScenario;
import dev.eventkit.benchmarks.report.BenchmarkCharts;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Drains of an outbox backlog, side by side in one run on one embedded stack (PostgreSQL, a KRaft
 * broker, one Connect worker): Eventkit poll mode with 1 and 4 tasks and log mode, Debezium's
 * PostgreSQL connector with its outbox {@code EventRouter}, the framework's ceiling (a source
 * connector emitting the same records from memory through the same worker) and a plain producer
 * sending them (what Kafka itself costs here). Each system drains a backlog written while it was
 * stopped; the rate is taken from the broker's append times of the first and the last record, the
 * CPU per row from the first record read to the last ({@link DrainMeter}). Every system drains a
 * warm-up backlog first. Then the systems that read a database as it is written run under steady
 * writers, and their commit-to-append latencies are taken ({@link LatencyScenario}). Last, dead
 * letters are archived by the DLQ sink and by the hand-rolled archivers it replaces ({@link
 * DlqArchiveScenario}).
 *
 * <p>Options: {@code --rows} ({@code none} skips the drains), {@code --systems}, {@code --repeats},
 * {@code --warmup-rows}, {@code --warmup-rounds} (warm-up drains per system at most: they go on
 * until the JIT is quiet during one), {@code --payload-bytes}, {@code --latency-rates} ({@code
 * none} skips the scenario), {@code --latency-systems}, {@code --latency-seconds}, {@code
 * --latency-repeats} (runs per system and rate, in rotating order, pooled; as {@code --repeats}
 * unless given), {@code --dlq-letters} (0 skips the archive scenario), {@code --producer-overrides}
 * ({@code linger.ms=10,batch.size=262144}: the same producer settings for every system), {@code
 * --database-waits}, {@code --task-threads} (per drain, what the database's sessions and Connect's
 * task threads did: {@link DatabaseWaits}, {@link TaskThreads}), {@code --flight-recording} (a JFR
 * file of the measured drains, after the warm-ups; {@code FlightProfile} summarises it per thread),
 * {@code --json}, {@code --charts} (a directory for the SVG pictures, drawn from the {@code --json}
 * file by {@link BenchmarkCharts}).
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install -DskipTests && ./mvnw -pl benchmarks
 * exec:exec@drain -Ddrain.args="--rows 100000,200000 --repeats 3 --json target/drain.json"}.
 */
public final class DrainBenchmark {

  /** A warm-up drain during which the JIT compiled for at most this share of it ends warming. */
  static final double WARM_JIT_SHARE = 0.1;

  private DrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    DrainOptions options = DrainOptions.parse(args);
    Results results = run(options, System.out);
    System.out.println();
    System.out.println(DrainResult.markdown(results.drains(), options));
    if (!results.latencies().isEmpty()) {
      System.out.println();
      System.out.println(
          LatencyScenario.LatencyResult.markdown(results.latencies(), options.latencyDuration()));
    }
    if (!results.archives().isEmpty()) {
      System.out.println();
      System.out.println(DlqResult.markdown(results.archives()));
    }
    if (options.json() != null) {
      writeJson(options.json(), options, results);
      System.out.println("Results written to " + options.json());
    }
    if (options.charts() != null) {
      BenchmarkCharts.draw(List.of(options.json()), options.charts())
          .forEach(file -> System.out.println("Chart written to " + file));
    }
    System.exit(0); // embedded servers leave non-daemon threads behind
  }

  /** What one run measured: the drains, the steady latencies, the dead-letter archives. */
  public record Results(
      List<DrainResult> drains,
      List<LatencyScenario.LatencyResult> latencies,
      List<DlqResult> archives) {}

  /** The rates of one way of archiving dead letters. */
  public record DlqResult(String system, int letters, List<Double> rates) {

    public double median() {
      List<Double> sorted = rates.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String markdown(List<DlqResult> results) {
      StringBuilder md = new StringBuilder();
      md.append("| dead letters | system | letters/s, median (min–max) | × its raw baseline |\n");
      md.append("|---|---|---|---|\n");
      for (int i = 0; i < results.size(); i++) {
        DlqResult r = results.get(i);
        // Results come in pairs: Eventkit, then the hand-rolled archiver it replaces.
        DlqResult raw = i % 2 == 0 && i + 1 < results.size() ? results.get(i + 1) : null;
        md.append(
            String.format(
                "| %,d | %s | %,.0f (%,.0f–%,.0f) | %s |%n",
                r.letters(),
                r.system(),
                r.median(),
                r.rates().stream().mapToDouble(Double::doubleValue).min().orElse(0),
                r.rates().stream().mapToDouble(Double::doubleValue).max().orElse(0),
                raw == null ? "" : String.format("%.2f", r.median() / raw.median())));
      }
      return md.toString();
    }
  }

  /**
   * Runs every system on every backlog size, {@code repeats} times, then every latency system at
   * every rate, and returns what they measured.
   */
  public static Results run(DrainOptions options, PrintStream log) throws Exception {
    List<DrainResult> results = new ArrayList<>();
    List<LatencyScenario.LatencyResult> latencies = new ArrayList<>();
    List<DlqResult> archives = new ArrayList<>();
    DrainSystem.producerOverrides = options.producerOverrides();
    try (PostgresServer postgres = PostgresServer.start();
        ConnectCluster cluster =
            ConnectCluster.builder()
                .workers(1)
                .workerProp("offset.flush.interval.ms", "1000")
                .workerProp("connector.client.config.override.policy", "All")
                .start()) {
      int run = 0;
      if (options.warmupRows() > 0 && !options.rows().isEmpty()) {
        // Every system's code paths (and the broker's and worker's) compiled before any counts:
        // warm-up drains until the JIT compiler is quiet during one. Code that runs once per poll
        // is called a few hundred times in a 300,000-row drain, too few for the JIT's last tier,
        // and a drain during which it compiled for 2.5 s ran at half the rate of one during which
        // it compiled for 0.2 s (docs/benchmarks.md, "Warm-up").
        for (DrainSystem system : options.systems()) {
          for (int round = 1; ; round++) {
            DrainSystem.DrainRun warmup =
                system.drain(
                    cluster,
                    postgres.createDatabase(),
                    "drain-" + (++run) + ".events",
                    options.warmupRows(),
                    options);
            double drainMillis = options.warmupRows() * 1000.0 / warmup.rate();
            long jit = warmup.cost().jitMillis();
            log.printf(
                "%-22s %,9d rows  warm-up %d: %,10.0f rec/s, JIT %,d ms%n",
                system.label(), options.warmupRows(), round, warmup.rate(), jit);
            if (jit <= WARM_JIT_SHARE * drainMillis || round >= options.warmupRounds()) {
              break;
            }
          }
        }
      }
      // After the warm-ups, so that it holds the measured drains only; closed if a drain fails.
      try (jdk.jfr.Recording recording = startFlightRecording(options.flightRecording())) {
        for (int rows : options.rows()) {
          // Round-robin, the order rotated each repetition: no system always runs first after the
          // warm-ups, or always right after the same other system, or all its repetitions in a row.
          List<DrainSystem> systems = options.systems();
          Map<DrainSystem, List<DrainSystem.DrainRun>> runs = new LinkedHashMap<>();
          systems.forEach(system -> runs.put(system, new ArrayList<>()));
          for (int repeat = 0; repeat < options.repeats(); repeat++) {
            for (DrainSystem system : rotated(systems, repeat)) {
              TestDatabase db = postgres.createDatabase();
              String topic = "drain-" + (++run) + ".events";
              DrainSystem.DrainRun drain = system.drain(cluster, db, topic, rows, options);
              DrainMeter.Cost cost = drain.cost();
              log.printf(
                  "%-22s %,9d rows  repeat %d: %,10.0f rec/s, %5.1f µs CPU/row (database %4.1f),"
                      + " JIT %,d ms, peak live heap %,.0f MiB%s%n",
                  system.label(),
                  rows,
                  repeat + 1,
                  drain.rate(),
                  cost.cpuMicrosPerRow(),
                  cost.databaseMicrosPerRow(),
                  cost.jitMillis(),
                  cost.peakLiveHeapMib(),
                  Double.isNaN(drain.outboxReadsPerRow())
                      ? ""
                      : String.format(
                          ", %.2f outbox rows read per row", drain.outboxReadsPerRow()));
              if (drain.databaseSessions() != null) {
                log.printf(
                    "%nThe database's sessions meanwhile:%n%n%s%n", drain.databaseSessions());
              }
              if (drain.taskThreads() != null) {
                log.printf("%nConnect's task threads meanwhile:%n%s%n", drain.taskThreads());
              }
              runs.get(system).add(drain);
            }
          }
          runs.forEach((system, each) -> results.add(new DrainResult(system.label(), rows, each)));
        }
        if (recording != null) {
          recording.dump(options.flightRecording());
          log.printf("Flight recording of the drains: %s%n", options.flightRecording());
        }
      }
      for (int rate : options.latencyRates()) {
        // Repetitions in rotating order, as the drains; each system's runs pooled.
        List<DrainSystem> systems = options.latencySystems();
        Map<DrainSystem, List<LatencyScenario.LatencyResult>> runs = new LinkedHashMap<>();
        systems.forEach(system -> runs.put(system, new ArrayList<>()));
        for (int repeat = 0; repeat < options.latencyRepeats(); repeat++) {
          for (DrainSystem system : rotated(systems, repeat)) {
            LatencyScenario.LatencyResult latency =
                LatencyScenario.run(
                    system,
                    cluster,
                    postgres.createDatabase(),
                    "latency-" + (++run) + ".events",
                    rate,
                    options.latencyDuration(),
                    options.payloadBytes());
            log.printf(
                "%-22s %,6d events/s  run %d: p50 %d ms, p99 %d ms, max %d ms%n",
                system.label(),
                rate,
                repeat + 1,
                latency.percentile(50),
                latency.percentile(99),
                latency.max());
            runs.get(system).add(latency);
          }
        }
        runs.values().forEach(each -> latencies.add(LatencyScenario.LatencyResult.pool(each)));
      }
      if (options.dlqLetters() > 0) {
        archives.addAll(archiveDeadLetters(options, cluster, postgres, log));
      }
    }
    return new Results(results, latencies, archives);
  }

  /**
   * JFR's "profile" settings (execution samples every 10 ms, socket I/O and parks over 10 ms), or
   * null without a file to write to.
   */
  private static jdk.jfr.Recording startFlightRecording(Path file)
      throws IOException, java.text.ParseException {
    if (file == null) {
      return null;
    }
    jdk.jfr.Recording recording =
        new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
    recording.setName("drains");
    recording.start();
    return recording;
  }

  /** The systems in the order of one repetition: the list rotated left by {@code repeat}. */
  static List<DrainSystem> rotated(List<DrainSystem> systems, int repeat) {
    List<DrainSystem> order = new ArrayList<>(systems);
    java.util.Collections.rotate(order, -(repeat % Math.max(1, systems.size())));
    return order;
  }

  /** Each way of archiving, on its own topic of the same dead letters, after one warm-up. */
  private static List<DlqResult> archiveDeadLetters(
      DrainOptions options, ConnectCluster cluster, PostgresServer postgres, PrintStream log)
      throws IOException {
    List<String> labels =
        List.of(
            "Eventkit DLQ archive, table",
            "Raw JDBC batch insert",
            "Eventkit DLQ archive, JSON-lines files",
            "Raw buffered file write");
    List<List<Double>> rates = new ArrayList<>();
    labels.forEach(l -> rates.add(new ArrayList<>()));
    int warmup = Math.min(options.dlqLetters(), Math.max(1_000, options.warmupRows() / 5));
    for (int round = -1; round < options.repeats(); round++) {
      int letters = round < 0 ? warmup : options.dlqLetters();
      for (int system = 0; system < labels.size(); system++) {
        String topic =
            DlqArchiveScenario.produce(
                cluster, "archive-" + UUID.randomUUID() + ".dlq", letters, options.payloadBytes());
        Path files = Files.createTempDirectory("eventkit-dlq-bench");
        double rate =
            switch (system) {
              case 0 ->
                  DlqArchiveScenario.eventkitJdbc(
                      cluster, postgres.createDatabase(), topic, letters);
              case 1 ->
                  DlqArchiveScenario.rawJdbc(cluster, postgres.createDatabase(), topic, letters);
              case 2 -> DlqArchiveScenario.eventkitFiles(cluster, files, topic, letters);
              default ->
                  DlqArchiveScenario.rawFile(cluster, files.resolve("raw.jsonl"), topic, letters);
            };
        deleteTree(files);
        log.printf(
            "%-38s %,9d letters %s: %,10.0f letters/s%n",
            labels.get(system), letters, round < 0 ? "warm-up " : "repeat " + (round + 1), rate);
        if (round >= 0) {
          rates.get(system).add(rate);
        }
      }
    }
    List<DlqResult> results = new ArrayList<>();
    for (int system = 0; system < labels.size(); system++) {
      results.add(new DlqResult(labels.get(system), options.dlqLetters(), rates.get(system)));
    }
    return results;
  }

  private static void deleteTree(Path directory) throws IOException {
    try (var paths = Files.walk(directory)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The commit of the working tree the harness runs from ({@code git describe --always --dirty}),
   * so that results of different code can be told apart; {@code unknown} outside a git checkout.
   */
  private static String sourceCommit() {
    try {
      Process git =
          new ProcessBuilder("git", "describe", "--always", "--dirty", "--abbrev=12")
              .redirectErrorStream(true)
              .start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return git.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void writeJson(Path file, DrainOptions options, Results all) throws IOException {
    List<DrainResult> results = all.drains();
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("payloadBytes", options.payloadBytes());
    root.put("rowsPerTransaction", DrainOptions.ROWS_PER_TRANSACTION);
    root.put("aggregates", DrainOptions.AGGREGATES);
    root.put("warmupRows", options.warmupRows());
    root.put("warmupRounds", options.warmupRounds());
    root.put("repeats", options.repeats());
    root.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    root.put("commit", sourceCommit());
    root.put("maxHeapMib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    root.set("producerOverrides", json.valueToTree(options.producerOverrides()));
    root.put("cores", Runtime.getRuntime().availableProcessors());
    ArrayNode list = root.putArray("results");
    for (DrainResult r : results) {
      ObjectNode node = list.addObject();
      node.put("system", r.system());
      node.put("rows", r.rows());
      node.put("median", r.median());
      node.put("min", r.min());
      node.put("max", r.max());
      node.put("cpuMicrosPerRowMedian", r.medianOf(DrainMeter.Cost::cpuMicrosPerRow));
      ArrayNode each = node.putArray("runs");
      for (DrainSystem.DrainRun run : r.runs()) {
        ObjectNode one = each.addObject();
        one.put("rate", run.rate());
        one.put("cpuMicrosPerRow", run.cost().cpuMicrosPerRow());
        one.put("jvmMicrosPerRow", run.cost().jvmMicrosPerRow());
        one.put("databaseMicrosPerRow", run.cost().databaseMicrosPerRow());
        one.put("jitMillis", run.cost().jitMillis());
        one.put("peakLiveHeapMib", run.cost().peakLiveHeapMib());
        if (!Double.isNaN(run.outboxReadsPerRow())) {
          one.put("outboxReadsPerRow", run.outboxReadsPerRow());
        }
      }
    }
    root.put("latencySeconds", options.latencyDuration().toSeconds());
    root.put("latencyWriters", LatencyScenario.WRITERS);
    ArrayNode latencyList = root.putArray("latencies");
    for (LatencyScenario.LatencyResult r : all.latencies()) {
      ObjectNode node = latencyList.addObject();
      node.put("system", r.system());
      node.put("rate", r.rate());
      node.put("achievedRate", r.offeredRate());
      node.put("events", r.latencies().length);
      node.put("repeats", r.repeats());
      ArrayNode p99s = node.putArray("runP99Ms");
      Arrays.stream(r.runP99s()).forEach(p99s::add);
      node.put("p50Ms", r.percentile(50));
      node.put("p90Ms", r.percentile(90));
      node.put("p99Ms", r.percentile(99));
      node.put("p999Ms", r.percentile(99.9));
      node.put("maxMs", r.max());
    }
    ArrayNode archiveList = root.putArray("archives");
    for (DlqResult r : all.archives()) {
      ObjectNode node = archiveList.addObject();
      node.put("system", r.system());
      node.put("letters", r.letters());
      node.put("median", r.median());
      ArrayNode each = node.putArray("rates");
      r.rates().forEach(each::add);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  /** Options of a run. */
  public record DrainOptions(
      List<Integer> rows,
      List<DrainSystem> systems,
      int repeats,
      int warmupRows,
      int warmupRounds,
      int payloadBytes,
      List<Integer> latencyRates,
      List<DrainSystem> latencySystems,
      Duration latencyDuration,
      int latencyRepeats,
      int dlqLetters,
      Map<String, String> producerOverrides,
      boolean databaseWaits,
      boolean taskThreads,
      Path flightRecording,
      Path json,
      Path charts) {

    static final int ROWS_PER_TRANSACTION = 10;
    static final int AGGREGATES = 1_000;

    public static DrainOptions parse(String... args) {
      List<Integer> rows = List.of(100_000, 200_000);
      List<DrainSystem> systems = DrainSystem.DRAINS;
      int repeats = 3;
      // A 50,000-row warm-up ended before the JIT had compiled the hot paths: the 100k-row drains
      // after it spent 2.5-3 s of their 4 s compiling (docs/benchmarks.md, "Warm-up").
      int warmup = 300_000;
      int warmupRounds = 5;
      int payload = 1024;
      List<Integer> latencyRates = List.of(1_000, 5_000);
      List<DrainSystem> latencySystems = DrainSystem.LATENCIES;
      Duration latencyDuration = Duration.ofSeconds(30);
      Integer latencyRepeats = null; // as many as --repeats unless given
      int dlqLetters = 200_000;
      Map<String, String> producerOverrides = Map.of();
      boolean databaseWaits = false;
      boolean taskThreads = false;
      Path flightRecording = null;
      Path json = null;
      Path charts = null;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--rows" ->
              rows =
                  value.equals("none")
                      ? List.of()
                      : Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
          case "--producer-overrides" -> {
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String pair : value.split(",")) {
              String[] kv = pair.split("=", 2);
              overrides.put(kv[0].trim(), kv[1].trim());
            }
            producerOverrides = Map.copyOf(overrides);
          }
          case "--systems" -> systems = DrainSystem.parse(value);
          case "--repeats" -> repeats = Integer.parseInt(value);
          case "--warmup-rows" -> warmup = Integer.parseInt(value);
          case "--warmup-rounds" -> warmupRounds = Integer.parseInt(value);
          case "--payload-bytes" -> payload = Integer.parseInt(value);
          case "--latency-rates" ->
              latencyRates =
                  value.equals("none")
                      ? List.of()
                      : Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
          case "--latency-systems" -> latencySystems = DrainSystem.parse(value);
          case "--latency-seconds" -> latencyDuration = Duration.ofSeconds(Long.parseLong(value));
          case "--latency-repeats" -> latencyRepeats = Integer.parseInt(value);
          case "--json" -> json = Path.of(value);
          case "--charts" -> charts = Path.of(value);
          case "--dlq-letters" -> dlqLetters = Integer.parseInt(value);
          case "--database-waits" -> databaseWaits = Boolean.parseBoolean(value);
          case "--task-threads" -> taskThreads = Boolean.parseBoolean(value);
          case "--flight-recording" -> flightRecording = Path.of(value);
          default -> throw new IllegalArgumentException("Unknown option " + args[i]);
        }
        i++;
      }
      if (repeats < 1 || (latencyRepeats != null && latencyRepeats < 1)) {
        throw new IllegalArgumentException("--repeats and --latency-repeats must be at least 1");
      }
      if (charts != null && json == null) {
        throw new IllegalArgumentException("--charts draws from the results file: give --json too");
      }
      return new DrainOptions(
          rows,
          systems,
          repeats,
          warmup,
          warmupRounds,
          payload,
          latencyRates,
          latencySystems,
          latencyDuration,
          latencyRepeats == null ? repeats : latencyRepeats,
          dlqLetters,
          producerOverrides,
          databaseWaits,
          taskThreads,
          flightRecording,
          json,
          charts);
    }
  }

  /** The runs of one system on one backlog size. */
  public record DrainResult(String system, int rows, List<DrainSystem.DrainRun> runs) {

    public List<Double> rates() {
      return runs.stream().map(DrainSystem.DrainRun::rate).toList();
    }

    public double median() {
      return median(rates());
    }

    /** The median of one measure of the runs' costs. */
    public double medianOf(java.util.function.ToDoubleFunction<DrainMeter.Cost> measure) {
      return median(runs.stream().map(r -> measure.applyAsDouble(r.cost())).toList());
    }

    public double min() {
      return rates().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    public double max() {
      return rates().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double median(List<Double> values) {
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * A table of medians (min–max), each system as a fraction of Debezium, the ceiling and the
     * producer, with the median CPU per row and heap after GC.
     */
    static String markdown(List<DrainResult> results, DrainOptions options) {
      Map<Integer, Map<String, DrainResult>> byRows = new LinkedHashMap<>();
      results.forEach(
          r -> byRows.computeIfAbsent(r.rows(), k -> new LinkedHashMap<>()).put(r.system(), r));
      StringBuilder md = new StringBuilder();
      md.append(
          "| backlog | system | rec/s, median (min–max) | × Debezium | × ceiling | × producer"
              + " | CPU µs/row (database) | peak live heap MiB |\n");
      md.append("|---|---|---|---|---|---|---|---|\n");
      byRows.forEach(
          (rows, systems) -> {
            DrainResult debezium = systems.get(DrainSystem.DEBEZIUM.label());
            DrainResult producer = systems.get(DrainSystem.PRODUCER.label());
            DrainResult ceiling = systems.get(DrainSystem.CEILING.label());
            systems.forEach(
                (name, r) ->
                    md.append(
                        String.format(
                            "| %,d | %s | %,.0f (%,.0f–%,.0f) | %s | %s | %s | %.1f (%.1f) | %,.0f |%n",
                            rows,
                            name,
                            r.median(),
                            r.min(),
                            r.max(),
                            ratio(r, debezium),
                            ratio(r, ceiling),
                            ratio(r, producer),
                            r.medianOf(DrainMeter.Cost::cpuMicrosPerRow),
                            r.medianOf(DrainMeter.Cost::databaseMicrosPerRow),
                            r.medianOf(DrainMeter.Cost::peakLiveHeapMib))));
          });
      md.append(
          String.format(
              "%n%d repetitions after %,d-row warm-up drains of each system (until the JIT"
                  + " compiled for at most a tenth of one, %d at most); %d rows per transaction,"
                  + " %d aggregates, %d-byte JSON payloads.",
              options.repeats(),
              options.warmupRows(),
              options.warmupRounds(),
              DrainOptions.ROWS_PER_TRANSACTION,
              DrainOptions.AGGREGATES,
              options.payloadBytes()));
      if (!options.producerOverrides().isEmpty()) {
        md.append(" Producer overrides for every system: ").append(options.producerOverrides());
      }
      return md.toString();
    }

    private static String ratio(DrainResult r, DrainResult base) {
      return base == null ? "" : String.format("%.2f", r.median() / base.median());
    }
  }
}
