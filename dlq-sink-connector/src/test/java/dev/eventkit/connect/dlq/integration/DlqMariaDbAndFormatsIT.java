package dev.eventkit.connect.dlq.integration;

import static dev.eventkit.connect.dlq.integration.DlqTestSupport.JDBC_EXAMPLE;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.jdbc;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spring Kafka and Kafka Streams dead letters, produced as those frameworks write them, archived
 * into MariaDB with their binary headers decoded; multi-megabyte values survive intact.
 */
class DlqMariaDbAndFormatsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestStack STACK =
      TestStack.mariadb(
          DlqTestSupport.cluster()
              .brokerProp("message.max.bytes", "16777216")
              .workerProp("consumer.max.partition.fetch.bytes", "16777216"));

  @Test
  void springAndStreamsDeadLettersAndHugeValuesInMariaDb() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    STACK.cluster().topics().create("payments.dlq", 1);
    STACK.cluster().topics().create("clicks.dlq", 1);
    byte[] huge = new byte[5 * 1024 * 1024];
    new Random(7).nextBytes(huge);
    try (KafkaProducer<byte[], byte[]> producer =
        STACK
            .cluster()
            .kafka()
            .createProducer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16777216"))) {
      ProducerRecord<byte[], byte[]> spring =
          new ProducerRecord<>("payments.dlq", utf8("p-1"), utf8("{\"amount\": 5}"));
      spring
          .headers()
          .add("kafka_dlt-original-topic", utf8("payments"))
          .add("kafka_dlt-original-partition", ByteBuffer.allocate(4).putInt(2).array())
          .add("kafka_dlt-original-offset", ByteBuffer.allocate(8).putLong(4_000_000_000L).array())
          .add(
              "kafka_dlt-original-timestamp",
              ByteBuffer.allocate(8).putLong(1_700_000_000_123L).array())
          .add("kafka_dlt-original-timestamp-type", utf8("CreateTime"))
          .add("kafka_dlt-original-consumer-group", utf8("payments-service"))
          .add(
              "kafka_dlt-exception-fqcn",
              utf8("org.springframework.kafka.listener.ListenerExecutionFailedException"))
          .add("kafka_dlt-exception-cause-fqcn", utf8("java.lang.IllegalStateException"))
          .add("kafka_dlt-exception-message", utf8("Listener failed; insufficient funds"))
          .add(
              "kafka_dlt-exception-stacktrace",
              utf8("java.lang.IllegalStateException: insufficient funds"))
          .add("ce_id", utf8("e-spring"));
      producer.send(spring).get();
      ProducerRecord<byte[], byte[]> streams = new ProducerRecord<>("clicks.dlq", null, huge);
      streams
          .headers()
          .add(
              "__streams.errors.exception",
              utf8("org.apache.kafka.common.errors.SerializationException"))
          .add("__streams.errors.message", utf8("Size of data received is not 8"))
          .add("__streams.errors.stacktrace", utf8("trace"))
          .add("__streams.errors.topic", utf8("clicks"))
          .add("__streams.errors.partition", utf8("3"))
          .add("__streams.errors.offset", utf8("99"))
          .add("event.id", utf8("e-streams"));
      producer.send(streams).get();
    }

    STACK
        .cluster()
        .createConnector(
            "maria-archive",
            JDBC_EXAMPLE,
            jdbc(db, "consumer.override.max.partition.fetch.bytes", "16777216"));
    STACK.cluster().awaitRunning("maria-archive", 1);
    Awaitility.await("two archived rows")
        .atMost(TIMEOUT)
        .until(
            () ->
                db.queryForLong(
                            "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'dead_letter_archive'")
                        == 1
                    && db.queryForLong("SELECT count(*) FROM dead_letter_archive") == 2);

    Map<String, Object> spring =
        db.query("SELECT * FROM dead_letter_archive WHERE dlq_topic = 'payments.dlq'").get(0);
    assertThat(spring)
        .containsEntry("error_dialect", "spring")
        .containsEntry("origin_topic", "payments")
        .containsEntry("origin_partition", 2)
        .containsEntry("origin_offset", 4_000_000_000L)
        .containsEntry("consumer_group", "payments-service")
        .containsEntry(
            "exception_class",
            "org.springframework.kafka.listener.ListenerExecutionFailedException")
        .containsEntry("failing_class", "java.lang.IllegalStateException")
        .containsEntry("exception_message", "Listener failed; insufficient funds")
        .containsEntry("event_id", "e-spring");
    assertThat(((java.sql.Timestamp) spring.get("origin_timestamp")).toLocalDateTime())
        .isEqualTo(LocalDateTime.ofEpochSecond(1_700_000_000L, 123_000_000, ZoneOffset.UTC));
    JsonNode headers = JSON.readTree((String) spring.get("record_headers"));
    JsonNode partition = findHeader(headers, "kafka_dlt-original-partition");
    assertThat(partition.get("base64").asText()).isEqualTo("AAAAAg==");

    Map<String, Object> streams =
        db.query("SELECT * FROM dead_letter_archive WHERE dlq_topic = 'clicks.dlq'").get(0);
    assertThat(streams)
        .containsEntry("error_dialect", "streams")
        .containsEntry("origin_topic", "clicks")
        .containsEntry("origin_partition", 3)
        .containsEntry("origin_offset", 99L)
        .containsEntry("exception_class", "org.apache.kafka.common.errors.SerializationException")
        .containsEntry("event_id", "e-streams");
    assertThat(streams.get("record_key")).isNull();
    assertThat((byte[]) streams.get("record_value")).isEqualTo(huge);
  }

  @Test
  void aRecordTheServerRefusesIsReportedOrFailsTheTaskNamingIt() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    STACK.cluster().topics().create("big.dlq", 1);
    byte[] twoMegabytes = new byte[2 * 1024 * 1024];
    try (KafkaProducer<byte[], byte[]> producer =
        STACK
            .cluster()
            .kafka()
            .createProducer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16777216"))) {
      producer.send(new ProducerRecord<>("big.dlq", utf8("small-1"), utf8("{}"))).get();
      producer.send(new ProducerRecord<>("big.dlq", utf8("too-big"), twoMegabytes)).get();
      producer.send(new ProducerRecord<>("big.dlq", utf8("small-2"), utf8("{}"))).get();
    }
    db.execute("SET GLOBAL max_allowed_packet = 1048576");
    try {
      STACK
          .cluster()
          .createConnector(
              "strict-archive",
              JDBC_EXAMPLE,
              jdbc(
                  db,
                  "topics.regex",
                  "big\\.dlq",
                  "consumer.override.max.partition.fetch.bytes",
                  "16777216"));
      JsonNode status = STACK.cluster().awaitTaskFailed("strict-archive");
      assertThat(status.get("tasks").get(0).get("trace").asText())
          .contains("Cannot archive dead letter big.dlq-0@1");
      STACK.cluster().delete("connectors/strict-archive").expectSuccess("delete");

      STACK
          .cluster()
          .createConnector(
              "tolerant-archive",
              JDBC_EXAMPLE,
              jdbc(
                  db,
                  "topics.regex",
                  "big\\.dlq",
                  "consumer.override.max.partition.fetch.bytes",
                  "16777216",
                  "producer.override.max.request.size",
                  "16777216",
                  "errors.tolerance",
                  "all",
                  "errors.deadletterqueue.topic.name",
                  "big.dlq.rejected",
                  "errors.deadletterqueue.topic.replication.factor",
                  "1",
                  "errors.deadletterqueue.context.headers.enable",
                  "true"));
      var rejected = STACK.cluster().topics().consume("big.dlq.rejected", 1, TIMEOUT).get(0);
      assertThat(rejected.key()).isEqualTo(utf8("too-big"));
      assertThat(rejected.value()).isEqualTo(twoMegabytes);
      Awaitility.await("the small records archived")
          .atMost(TIMEOUT)
          .until(() -> db.queryForLong("SELECT count(*) FROM dead_letter_archive") == 2);
      STACK.cluster().awaitRunning("tolerant-archive", 1);
      STACK.cluster().delete("connectors/tolerant-archive").expectSuccess("delete");
    } finally {
      db.execute("SET GLOBAL max_allowed_packet = 67108864");
    }
  }

  private static JsonNode findHeader(JsonNode headers, String key) {
    for (JsonNode header : headers) {
      if (header.get("key").asText().equals(key)) {
        return header;
      }
    }
    throw new AssertionError("No header " + key + " in " + headers);
  }
}
