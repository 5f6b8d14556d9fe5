package dev.eventkit.benchmarks.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drains of an outbox backlog, side by side in one run on one embedded stack (PostgreSQL, a KRaft
 * broker, one Connect worker): Eventkit poll mode with 1 and 4 tasks and log mode, Debezium's
 * PostgreSQL connector with its outbox {@code EventRouter}, the framework's ceiling (a source
 * connector emitting the same records from memory through the same worker) and a plain producer
 * sending them (what Kafka itself costs here). Each system drains a backlog written while it was
 * stopped; the rate is taken from the broker's append times of the first and the last record.
 *
 * <p>Run: {@code ./mvnw -pl benchmarks -am install -DskipTests && ./mvnw -pl benchmarks
 * exec:exec@drain -Ddrain.args="--rows 100000,200000 --repeats 3 --json target/drain.json"}.
 */
public final class DrainBenchmark {

  private DrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    DrainOptions options = DrainOptions.parse(args);
    List<DrainResult> results = run(options, System.out);
    System.out.println();
    System.out.println(DrainResult.markdown(results, options));
    if (options.json() != null) {
      writeJson(options.json(), options, results);
      System.out.println("Results written to " + options.json());
    }
    System.exit(0); // embedded servers leave non-daemon threads behind
  }

  /** Runs every system on every backlog size, {@code repeats} times, and returns the rates. */
  public static List<DrainResult> run(DrainOptions options, PrintStream log) throws Exception {
    List<DrainResult> results = new ArrayList<>();
    try (PostgresServer postgres = PostgresServer.start();
        ConnectCluster cluster =
            ConnectCluster.builder()
                .workers(1)
                .workerProp("offset.flush.interval.ms", "1000")
                .start()) {
      int run = 0;
      for (int rows : options.rows()) {
        for (DrainSystem system : options.systems()) {
          List<Double> rates = new ArrayList<>();
          for (int repeat = 0; repeat < options.repeats(); repeat++) {
            TestDatabase db = postgres.createDatabase();
            String topic = "drain-" + (++run) + ".events";
            double rate = system.drain(cluster, db, topic, rows, options);
            log.printf(
                "%-22s %,9d rows  repeat %d: %,10.0f rec/s%n",
                system.label(), rows, repeat + 1, rate);
            rates.add(rate);
          }
          results.add(new DrainResult(system.label(), rows, rates));
        }
      }
    }
    return results;
  }

  private static void writeJson(Path file, DrainOptions options, List<DrainResult> results)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("payloadBytes", options.payloadBytes());
    root.put("rowsPerTransaction", DrainOptions.ROWS_PER_TRANSACTION);
    root.put("aggregates", DrainOptions.AGGREGATES);
    root.put("cores", Runtime.getRuntime().availableProcessors());
    ArrayNode list = root.putArray("results");
    for (DrainResult r : results) {
      ObjectNode node = list.addObject();
      node.put("system", r.system());
      node.put("rows", r.rows());
      node.put("median", r.median());
      node.put("min", r.min());
      node.put("max", r.max());
      ArrayNode each = node.putArray("rates");
      r.rates().forEach(each::add);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  /** Options of a run. */
  public record DrainOptions(
      List<Integer> rows, List<DrainSystem> systems, int repeats, int payloadBytes, Path json) {

    static final int ROWS_PER_TRANSACTION = 10;
    static final int AGGREGATES = 1_000;

    public static DrainOptions parse(String... args) {
      List<Integer> rows = List.of(100_000, 200_000);
      List<DrainSystem> systems = DrainSystem.ALL;
      int repeats = 3;
      int payload = 1024;
      Path json = null;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--rows" -> rows = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
          case "--systems" -> systems = DrainSystem.parse(value);
          case "--repeats" -> repeats = Integer.parseInt(value);
          case "--payload-bytes" -> payload = Integer.parseInt(value);
          case "--json" -> json = Path.of(value);
          default -> throw new IllegalArgumentException("Unknown option " + args[i]);
        }
        i++;
      }
      return new DrainOptions(rows, systems, repeats, payload, json);
    }
  }

  /** The rates of one system on one backlog size. */
  public record DrainResult(String system, int rows, List<Double> rates) {

    public double median() {
      List<Double> sorted = rates.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public double min() {
      return rates.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    public double max() {
      return rates.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** A table of medians (min–max), and each system as a fraction of Debezium and the producer. */
    static String markdown(List<DrainResult> results, DrainOptions options) {
      Map<Integer, Map<String, DrainResult>> byRows = new LinkedHashMap<>();
      results.forEach(
          r -> byRows.computeIfAbsent(r.rows(), k -> new LinkedHashMap<>()).put(r.system(), r));
      StringBuilder md = new StringBuilder();
      md.append(
          "| backlog | system | rec/s, median (min–max) | × Debezium | × ceiling | × producer |\n");
      md.append("|---|---|---|---|---|---|\n");
      byRows.forEach(
          (rows, systems) -> {
            DrainResult debezium = systems.get(DrainSystem.DEBEZIUM.label());
            DrainResult producer = systems.get(DrainSystem.PRODUCER.label());
            DrainResult ceiling = systems.get(DrainSystem.CEILING.label());
            systems.forEach(
                (name, r) ->
                    md.append(
                        String.format(
                            "| %,d | %s | %,.0f (%,.0f–%,.0f) | %s | %s | %s |%n",
                            rows,
                            name,
                            r.median(),
                            r.min(),
                            r.max(),
                            ratio(r, debezium),
                            ratio(r, ceiling),
                            ratio(r, producer))));
          });
      md.append(
          String.format(
              "%n%d repetitions; %d rows per transaction, %d aggregates, %d-byte JSON payloads.",
              options.repeats(),
              DrainOptions.ROWS_PER_TRANSACTION,
              DrainOptions.AGGREGATES,
              options.payloadBytes()));
      return md.toString();
    }

    private static String ratio(DrainResult r, DrainResult base) {
      return base == null ? "" : String.format("%.2f", r.median() / base.median());
    }
  }
}
