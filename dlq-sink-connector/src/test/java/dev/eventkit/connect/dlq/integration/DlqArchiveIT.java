package dev.eventkit.connect.dlq.integration;

import static dev.eventkit.connect.dlq.integration.DlqTestSupport.JDBC_EXAMPLE;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.jdbc;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.produceConnectDeadLetter;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.connect.dlq.replay.ReplayCommand;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The DLQ sink against real Connect workers and a real PostgreSQL archive. */
class DlqArchiveIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestDatabase db;

  @RegisterExtension static final TestStack STACK = TestStack.postgres(DlqTestSupport.cluster());

  @BeforeEach
  void freshDatabase() {
    db = STACK.postgres().createDatabase();
  }

  @AfterEach
  void deleteConnectors() {
    STACK
        .cluster()
        .get("connectors")
        .json()
        .forEach(name -> STACK.cluster().delete("connectors/" + name.asText()));
  }

  private long archived() {
    return db.queryForLong("SELECT count(*) FROM dead_letter_archive");
  }

  private void awaitArchived(long rows) {
    Awaitility.await(rows + " archived rows")
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> tableExists() && archived() >= rows);
  }

  private boolean tableExists() {
    return db.queryForLong("SELECT count(*) FROM pg_class WHERE relname = 'dead_letter_archive'")
        == 1;
  }

  @Test
  void theExampleValidatesAndLossyConvertersAreRefused() {
    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(JDBC_EXAMPLE, jdbc(db))))
        .isEmpty();

    List<String> errors =
        ConnectCluster.validationErrors(
            STACK
                .cluster()
                .validateConnector(
                    JDBC_EXAMPLE,
                    jdbc(db, "value.converter", "org.apache.kafka.connect.json.JsonConverter")));
    assertThat(errors)
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith(
                        "value.converter: org.apache.kafka.connect.json.JsonConverter re-encodes"));
  }

  @Test
  void archivesWhatARealSinkConnectorDeadLettersWithEveryColumnFilled() throws Exception {
    STACK.cluster().topics().create("orders", 1);
    // Created up front, as the README advises: a topics.regex consumer that subscribed before the
    // sink's reporter created it would only see it after metadata.max.age.ms (5 minutes).
    STACK.cluster().topics().create("orders.dlq", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      producer.send(new ProducerRecord<>("orders", utf8("o-1"), utf8("{\"id\": 1}"))).get();
      ProducerRecord<byte[], byte[]> notJson =
          new ProducerRecord<>("orders", utf8("o-2"), utf8("not json"));
      notJson.headers().add("event.id", utf8("e-2")).add("correlation.id", utf8("c-2"));
      producer.send(notJson).get();
      ProducerRecord<byte[], byte[]> noField =
          new ProducerRecord<>("orders", utf8("o-3"), utf8("\"just text\""));
      noField.headers().add("ce_id", utf8("e-3")).add("ce_type", utf8("OrderNoted"));
      producer.send(noField).get();
      producer.send(new ProducerRecord<>("orders", utf8("o-4"), utf8("{\"id\": 4}"))).get();
    }
    Path sinkFile = Files.createTempFile("orders-sink", ".txt");
    Map<String, String> sink = new HashMap<>();
    sink.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
    sink.put("tasks.max", "1");
    sink.put("topics", "orders");
    sink.put("file", sinkFile.toString());
    sink.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    sink.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    sink.put("value.converter.schemas.enable", "false");
    sink.put("transforms", "id");
    sink.put("transforms.id.type", "org.apache.kafka.connect.transforms.ExtractField$Value");
    sink.put("transforms.id.field", "id");
    sink.put("errors.tolerance", "all");
    sink.put("errors.deadletterqueue.topic.name", "orders.dlq");
    sink.put("errors.deadletterqueue.topic.replication.factor", "1");
    sink.put("errors.deadletterqueue.context.headers.enable", "true");
    STACK.cluster().connect().configureConnector("orders-sink", sink);
    STACK
        .cluster()
        .createConnector("archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "orders\\.dlq"));
    STACK.cluster().awaitRunning("archive", 1);

    awaitArchived(2);
    Awaitility.await().atMost(TIMEOUT).until(() -> Files.readAllLines(sinkFile).size() == 2);
    List<Map<String, Object>> rows =
        db.query("SELECT * FROM dead_letter_archive ORDER BY origin_offset");
    assertThat(rows).hasSize(2);

    Map<String, Object> converterFailure = rows.get(0);
    assertThat(converterFailure)
        .containsEntry("dlq_topic", "orders.dlq")
        .containsEntry("dlq_partition", 0)
        .containsEntry("dlq_offset", 0L)
        .containsEntry("origin_topic", "orders")
        .containsEntry("origin_partition", 0)
        .containsEntry("origin_offset", 1L)
        .containsEntry("error_dialect", "connect")
        .containsEntry("connector_name", "orders-sink")
        .containsEntry("task_id", 0)
        .containsEntry("stage", "VALUE_CONVERTER")
        .containsEntry("failing_class", "org.apache.kafka.connect.json.JsonConverter")
        .containsEntry("exception_class", "org.apache.kafka.connect.errors.DataException")
        .containsEntry("event_id", "e-2")
        .containsEntry("correlation_id", "c-2")
        .containsEntry("replay_count", 0);
    assertThat((String) converterFailure.get("exception_stacktrace")).contains("DataException");
    assertThat((byte[]) converterFailure.get("record_key")).isEqualTo(utf8("o-2"));
    assertThat((byte[]) converterFailure.get("record_value")).isEqualTo(utf8("not json"));
    assertThat(converterFailure.get("dlq_timestamp")).isNotNull();
    assertThat(converterFailure.get("archived_at")).isNotNull();
    JsonNode headers = JSON.readTree(converterFailure.get("record_headers").toString());
    assertThat(headers.findValuesAsText("key")).contains("event.id", "__connect.errors.stage");

    Map<String, Object> transformFailure = rows.get(1);
    assertThat(transformFailure)
        .containsEntry("origin_offset", 2L)
        .containsEntry("stage", "TRANSFORMATION")
        .containsEntry("failing_class", "org.apache.kafka.connect.transforms.ExtractField$Value")
        .containsEntry("event_id", "e-3")
        .containsEntry("event_type", "OrderNoted");
    assertThat((String) transformFailure.get("exception_message")).isNotBlank();

    ObjectName metrics =
        new ObjectName("dev.eventkit.connect:type=dlq-sink-task,connector=\"archive\",task=0");
    assertThat(
            (Long)
                ManagementFactory.getPlatformMBeanServer().getAttribute(metrics, "RecordsArchived"))
        .isEqualTo(2L);
    STACK.cluster().delete("connectors/orders-sink").expectSuccess("delete");
    STACK.cluster().delete("connectors/archive").expectSuccess("delete");
  }

  @Test
  void restartsAndOffsetResetsNeverDuplicateRows() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      STACK.cluster().topics().create("restart.dlq", 2);
      for (int i = 0; i < 50; i++) {
        produceConnectDeadLetter(producer, "restart.dlq", "restart", i, "e-" + i);
      }
      STACK
          .cluster()
          .createConnector(
              "restart-archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "restart\\.dlq"));
      awaitArchived(50);

      STACK
          .cluster()
          .post("connectors/restart-archive/tasks/0/restart", "")
          .expectSuccess("restart");
      for (int i = 50; i < 70; i++) {
        produceConnectDeadLetter(producer, "restart.dlq", "restart", i, "e-" + i);
      }
      awaitArchived(70);

      STACK.cluster().put("connectors/restart-archive/stop", "").expectSuccess("stop");
      STACK
          .cluster()
          .connect()
          .assertions()
          .assertConnectorIsStopped("restart-archive", "not stopped");
      STACK.cluster().delete("connectors/restart-archive/offsets").expectSuccess("reset offsets");
      STACK.cluster().put("connectors/restart-archive/resume", "").expectSuccess("resume");
      for (int i = 70; i < 80; i++) {
        produceConnectDeadLetter(producer, "restart.dlq", "restart", i, "e-" + i);
      }
    }
    ObjectName metrics =
        new ObjectName(
            "dev.eventkit.connect:type=dlq-sink-task,connector=\"restart-archive\",task=0");
    Awaitility.await("the whole topic read again after the reset")
        .atMost(TIMEOUT)
        .until(
            () ->
                ManagementFactory.getPlatformMBeanServer().isRegistered(metrics)
                    && (Long)
                            ManagementFactory.getPlatformMBeanServer()
                                .getAttribute(metrics, "RecordsArchived")
                        >= 80L);
    assertThat(archived()).isEqualTo(80);
    assertThat(db.queryForLong("SELECT count(DISTINCT event_id) FROM dead_letter_archive"))
        .isEqualTo(80);
    STACK.cluster().delete("connectors/restart-archive").expectSuccess("delete");
  }

  @Test
  void killedDatabaseSessionsLoseNothing() throws Exception {
    STACK.cluster().topics().create("outage.dlq", 1);
    STACK
        .cluster()
        .createConnector(
            "outage-archive",
            JDBC_EXAMPLE,
            jdbc(
                db,
                "topics.regex",
                "outage\\.dlq",
                "retry.backoff.ms",
                "100",
                "retry.backoff.max.ms",
                "1000"));
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 40; i++) {
          produceConnectDeadLetter(
              producer, "outage.dlq", "outage", round * 40 + i, "e-" + (round * 40 + i));
        }
        Awaitility.await("the archive's database session")
            .atMost(TIMEOUT)
            .until(
                () ->
                    db.queryForLong(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'eventkit-dlq'")
                        > 0);
        assertThat(db.terminateSessions("eventkit-dlq")).isPositive();
      }
    }
    awaitArchived(200);
    assertThat(db.queryForLong("SELECT count(DISTINCT origin_offset) FROM dead_letter_archive"))
        .isEqualTo(200);
    STACK.cluster().awaitRunning("outage-archive", 1);
    STACK.cluster().delete("connectors/outage-archive").expectSuccess("delete");
  }

  @Test
  void replayPublishesTheOriginalRecordBackWithReplayHeaders() throws Exception {
    STACK.cluster().topics().create("payments", 1);
    STACK.cluster().topics().create("payments.dlq", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>("payments.dlq", utf8("p-1"), new byte[] {0, 1, (byte) 0xfe});
      record.headers().add("event.id", utf8("e-77")).add("traceparent", utf8("00-abc-01"));
      record.headers().add("__connect.errors.topic", utf8("payments"));
      record
          .headers()
          .add("__connect.errors.exception.class.name", utf8("java.lang.IllegalStateException"));
      producer.send(record).get();
    }
    STACK
        .cluster()
        .createConnector(
            "replay-archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "payments\\.dlq"));
    awaitArchived(1);

    String[] base = {"--jdbc-url", db.jdbcUrl(), "--user", db.user(), "--origin-topic", "payments"};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int dry =
        ReplayCommand.run(concat(base, "--dry-run"), new PrintStream(out), new PrintStream(err));
    assertThat(dry).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("would replay payments.dlq/0/0 -> payments (event e-77");
    assertThat(
            STACK
                .cluster()
                .topics()
                .consumeAll("payments", org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED))
        .isEmpty();
    out.reset();
    ReplayCommand.run(
        concat(
            base,
            "--dry-run",
            "--exception-class",
            "java.lang.IllegalStateException",
            "--event-id",
            "e-77,e-78",
            "--from",
            "2020-01-01T00:00:00Z",
            "--to",
            "2999-01-01T00:00:00Z"),
        new PrintStream(out),
        new PrintStream(err));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Dry run: 1 selected, 1 would be replayed");
    out.reset();
    ReplayCommand.run(
        concat(base, "--dry-run", "--exception-class", "java.lang.Error"),
        new PrintStream(out),
        new PrintStream(err));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Dry run: 0 selected");

    int code =
        ReplayCommand.run(
            concat(
                base,
                "--bootstrap-servers",
                STACK.cluster().bootstrapServers(),
                "--max-replays",
                "1"),
            new PrintStream(out),
            new PrintStream(err));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    ConsumerRecord<byte[], byte[]> replayed =
        STACK.cluster().topics().consume("payments", 1, TIMEOUT).get(0);
    assertThat(replayed.key()).isEqualTo(utf8("p-1"));
    assertThat(replayed.value()).isEqualTo(new byte[] {0, 1, (byte) 0xfe});
    Map<String, String> headers = new HashMap<>();
    for (Header h : replayed.headers()) {
      headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    assertThat(headers)
        .containsEntry("event.id", "e-77")
        .containsEntry("traceparent", "00-abc-01")
        .containsEntry("eventkit.replay.count", "1")
        .containsEntry("eventkit.replayed.from", "payments.dlq/0/0");
    assertThat(
            headers.keySet().stream()
                .filter(k -> k.startsWith("__connect"))
                .collect(Collectors.toList()))
        .isEmpty();
    assertThat(db.query("SELECT replay_count FROM dead_letter_archive"))
        .containsExactly(Map.of("replay_count", 1));
    assertThat(
            db.queryForLong(
                "SELECT count(*) FROM dead_letter_archive WHERE last_replayed_at IS NOT NULL"))
        .isEqualTo(1);

    out.reset();
    int parked =
        ReplayCommand.run(
            concat(
                base,
                "--bootstrap-servers",
                STACK.cluster().bootstrapServers(),
                "--max-replays",
                "1"),
            new PrintStream(out),
            new PrintStream(err));
    assertThat(parked).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("1 selected, 0 replayed, 1 skipped");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("already replayed 1 times");
    STACK.cluster().delete("connectors/replay-archive").expectSuccess("delete");
  }

  private static String[] concat(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
