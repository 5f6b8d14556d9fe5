package dev.eventkit.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.connect.KafkaBroker;
import dev.eventkit.testkit.connect.process.ConnectWorkerProcess;
import dev.eventkit.testkit.connect.process.WorkerDistribution;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's small-heap promise, on a real worker process: a Kafka Connect 4.3 worker with a 256
 * MB heap (and {@code -XX:+ExitOnOutOfMemoryError}, so running out would end it) drains an outbox
 * backlog larger than its heap of 1 MB events with {@code poll.max.rows=100}, then archives 5 MB
 * dead letters, and is still alive and RUNNING at the end.
 */
class SmallHeapIT {

  private static final String HEAP = "256m";
  private static final int EVENTS = 300;
  private static final int EVENT_BYTES = 1024 * 1024;
  private static final int LETTERS = 30;
  private static final int LETTER_BYTES = 5 * 1024 * 1024;
  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final Path EXAMPLES =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"));

  private static Path workDir;
  private static Path pluginPath;
  private static KafkaBroker broker;
  private static PostgresServer postgres;

  @BeforeAll
  static void start() throws Exception {
    workDir =
        Files.createTempDirectory(
            Files.createDirectories(
                Path.of(System.getProperty("eventkit.compat.dir", "target/compat"))),
            "small-heap");
    pluginPath = Files.createDirectories(workDir.resolve("plugins"));
    ComponentArchive.install(pluginPath);
    broker = KafkaBroker.start();
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aWorkerWithA256MbHeapPublishesMegabyteEventsAndArchivesFiveMegabyteLetters()
      throws Exception {
    WorkerDistribution connect43 =
        WorkerDistribution.configured("eventkit.compat.workers").stream()
            .filter(d -> d.version().startsWith("4.3."))
            .findFirst()
            .orElseThrow();
    TestDatabase db = postgres.createDatabase();
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text"
            + " NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp"
            + " timestamptz NOT NULL DEFAULT now(), txid xid8 NOT NULL DEFAULT"
            + " pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX outbox_position ON outbox (txid, seq)");
    writeBacklog(db);
    Map<String, String> connection = new HashMap<>();
    connection.put("connection.url", db.jdbcUrl());
    connection.put("connection.user", db.user());
    connection.put("connection.password", db.password());

    try (ConnectWorkerProcess worker =
        ConnectWorkerProcess.start(
            connect43,
            broker.bootstrapServers(),
            pluginPath,
            workDir.resolve("worker"),
            Map.of(),
            HEAP)) {
      Map<String, String> outbox = new HashMap<>(connection);
      outbox.put("name", "heap-outbox");
      outbox.put("poll.max.rows", "100");
      outbox.put("poll.interval.ms", "200");
      outbox.put("topic.template", "heap.${aggregate_type}");
      // A 1 MB event is over the producer's and the topic's 1 MB defaults: raised as the
      // README says, for this connector only.
      outbox.put("producer.override.max.request.size", "4194304");
      outbox.put("topic.creation.default.max.message.bytes", "4194304");
      create(worker, EXAMPLES.resolve("outbox-postgres-poll.json"), outbox);
      awaitCount(worker, "every event published", () -> published("heap.order"), EVENTS);
      worker.awaitState("heap-outbox", "RUNNING", 1);

      broker
          .kafka()
          .createTopic("heap.dlq", 1, 1, Map.of("max.message.bytes", Integer.toString(8 << 20)));
      deadLetters();
      Map<String, String> archive = new HashMap<>(connection);
      archive.put("name", "heap-archive");
      archive.put("topics.regex", "heap\\.dlq");
      create(worker, EXAMPLES.resolve("dlq-archive-postgres.json"), archive);
      awaitCount(
          worker,
          "every letter archived whole",
          () ->
              db.queryForLong(
                          "SELECT count(*) FROM pg_tables WHERE tablename = 'dead_letter_archive'")
                      == 0
                  ? 0
                  : db.queryForLong(
                      "SELECT count(*) FROM dead_letter_archive WHERE length(record_value) = "
                          + LETTER_BYTES),
          LETTERS);
      worker.awaitState("heap-archive", "RUNNING", 1);
      worker.awaitState("heap-outbox", "RUNNING", 1);
      assertThat(worker.isAlive()).isTrue();
      System.out.printf(
          "Connect %s, -Xmx%s: %d events of %d bytes (backlog %d MB) and %d letters of %d bytes;"
              + " peak heap in use at a collection %d MB%n",
          connect43.version(),
          HEAP,
          EVENTS,
          EVENT_BYTES,
          (long) EVENTS * EVENT_BYTES >> 20,
          LETTERS,
          LETTER_BYTES,
          worker.peakHeapMegabytes());
    }
  }

  /** The backlog, ten events a transaction, written before the connector exists. */
  private static void writeBacklog(TestDatabase db) throws Exception {
    String payload = "{\"blob\": \"" + "x".repeat(EVENT_BYTES - 12) + "\"}";
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                    + " VALUES ('order', ?, 'OrderPlaced', CAST(? AS jsonb))")) {
      c.setAutoCommit(false);
      for (int i = 0; i < EVENTS; i++) {
        ps.setString(1, "o-" + (i % 7));
        ps.setString(2, payload);
        ps.executeUpdate();
        if (i % 10 == 9) {
          c.commit();
        }
      }
      c.commit();
    }
  }

  private static void deadLetters() {
    byte[] value = new byte[LETTER_BYTES];
    java.util.Arrays.fill(value, (byte) 'd');
    try (KafkaProducer<byte[], byte[]> producer =
        broker
            .kafka()
            .createProducer(
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20)))) {
      for (int i = 0; i < LETTERS; i++) {
        producer.send(new ProducerRecord<>("heap.dlq", ("k-" + i).getBytes(), value));
      }
    }
  }

  private static long published(String topic) {
    return broker.topics().exists(topic)
        ? broker.topics().endOffsets(topic).values().stream().mapToLong(Long::longValue).sum()
        : 0;
  }

  /** Waits until {@code count} reaches {@code expected}, failing at once if the worker died. */
  private static void awaitCount(
      ConnectWorkerProcess worker,
      String what,
      java.util.concurrent.Callable<Long> count,
      long expected) {
    Awaitility.await(what)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofSeconds(1))
        .failFast("the worker died (out of memory?): " + worker.log(), () -> !worker.isAlive())
        .until(count, n -> n >= expected);
  }

  private static void create(ConnectWorkerProcess worker, Path example, Map<String, String> config)
      throws Exception {
    ObjectNode body = ConnectCluster.withOverrides(Files.readString(example), config);
    body.put("name", config.get("name"));
    ((ObjectNode) body.get("config")).remove("name");
    worker
        .post("connectors", body.toString())
        .expectSuccess("POST /connectors " + config.get("name"));
  }
}
