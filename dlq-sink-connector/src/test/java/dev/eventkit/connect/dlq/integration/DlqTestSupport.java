package dev.eventkit.connect.dlq.integration;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Example configs, overrides and a producer of dead letters shared by the DLQ ITs. */
final class DlqTestSupport {

  static final Path EXAMPLES =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"));
  static final Path JDBC_EXAMPLE = EXAMPLES.resolve("dlq-archive-postgres.json");
  static final Path FILE_EXAMPLE = EXAMPLES.resolve("dlq-archive-files.json");

  private DlqTestSupport() {}

  static ConnectCluster.Builder cluster() {
    return ConnectCluster.builder().envConfigProvider();
  }

  static Map<String, String> jdbc(TestDatabase db, String... keyValues) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", db.user());
    overrides.put("connection.password", db.password());
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return overrides;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Produces one record as Kafka Connect dead-letters it, with its event id. */
  static void produceConnectDeadLetter(
      KafkaProducer<byte[], byte[]> producer,
      String dlqTopic,
      String origin,
      long originOffset,
      String eventId)
      throws Exception {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            dlqTopic, utf8("key-" + originOffset), utf8("{\"n\": " + originOffset + "}"));
    record.headers().add("event.id", utf8(eventId));
    record.headers().add("__connect.errors.topic", utf8(origin));
    record.headers().add("__connect.errors.partition", utf8("0"));
    record.headers().add("__connect.errors.offset", utf8(Long.toString(originOffset)));
    record.headers().add("__connect.errors.connector.name", utf8("orders-sink"));
    record.headers().add("__connect.errors.task.id", utf8("0"));
    record.headers().add("__connect.errors.stage", utf8("VALUE_CONVERTER"));
    record
        .headers()
        .add(
            "__connect.errors.exception.class.name",
            utf8("org.apache.kafka.connect.errors.DataException"));
    record.headers().add("__connect.errors.exception.message", utf8("bad " + originOffset));
    producer.send(record).get();
  }
}
