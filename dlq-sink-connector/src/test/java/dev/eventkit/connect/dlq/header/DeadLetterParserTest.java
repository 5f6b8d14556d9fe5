package dev.eventkit.connect.dlq.header;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterParserTest {

  private static RawHeader text(String key, String value) {
    return new RawHeader(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static DeadLetter parse(List<RawHeader> headers) {
    return DeadLetterParser.parse(
        "orders.dlq",
        2,
        41,
        1_700_000_000_000L,
        "k".getBytes(StandardCharsets.UTF_8),
        new byte[] {1, 2, 3},
        headers);
  }

  @Test
  void kafkaConnectHeadersWithTheLastDuplicateWinning() {
    List<RawHeader> headers =
        new ArrayList<>(
            List.of(
                text("__connect.errors.topic", "first-topic"),
                text("__connect.errors.topic", "orders"),
                text("__connect.errors.partition", "1"),
                text("__connect.errors.offset", "77"),
                text("__connect.errors.connector.name", "orders-sink"),
                text("__connect.errors.task.id", "0"),
                text("__connect.errors.stage", "VALUE_CONVERTER"),
                text("__connect.errors.class.name", "org.apache.kafka.connect.json.JsonConverter"),
                text(
                    "__connect.errors.exception.class.name",
                    "org.apache.kafka.connect.errors.DataException"),
                text("__connect.errors.exception.message", null),
                text("__connect.errors.exception.stacktrace", "trace"),
                text("event.id", "e-1"),
                text("event.type", "OrderPlaced"),
                text("correlation.id", "c-1")));

    DeadLetter letter = parse(headers);

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.CONNECT);
    assertThat(letter.originTopic()).isEqualTo("orders");
    assertThat(letter.originPartition()).isEqualTo(1);
    assertThat(letter.originOffset()).isEqualTo(77L);
    assertThat(letter.connectorName()).isEqualTo("orders-sink");
    assertThat(letter.taskId()).isZero();
    assertThat(letter.stage()).isEqualTo("VALUE_CONVERTER");
    assertThat(letter.failingClass()).isEqualTo("org.apache.kafka.connect.json.JsonConverter");
    assertThat(letter.exceptionClass()).isEqualTo("org.apache.kafka.connect.errors.DataException");
    assertThat(letter.exceptionMessage()).isNull();
    assertThat(letter.exceptionStacktrace()).isEqualTo("trace");
    assertThat(letter.eventId()).isEqualTo("e-1");
    assertThat(letter.eventType()).isEqualTo("OrderPlaced");
    assertThat(letter.correlationId()).isEqualTo("c-1");
    assertThat(letter.dlqTimestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(letter.headers()).hasSize(14);
  }

  @Test
  void springKafkaHeadersWithBinaryNumbers() {
    DeadLetter letter =
        parse(
            List.of(
                text("kafka_dlt-original-topic", "payments"),
                new RawHeader(
                    "kafka_dlt-original-partition", ByteBuffer.allocate(4).putInt(3).array()),
                new RawHeader(
                    "kafka_dlt-original-offset",
                    ByteBuffer.allocate(8).putLong(123_456_789_012L).array()),
                new RawHeader(
                    "kafka_dlt-original-timestamp",
                    ByteBuffer.allocate(8).putLong(1_600_000_000_000L).array()),
                text("kafka_dlt-original-timestamp-type", "CreateTime"),
                text("kafka_dlt-original-consumer-group", "payments-service"),
                text(
                    "kafka_dlt-exception-fqcn",
                    "org.springframework.kafka.listener.ListenerExecutionFailedException"),
                text("kafka_dlt-exception-cause-fqcn", "java.lang.IllegalStateException"),
                text("kafka_dlt-exception-message", "boom"),
                text("kafka_dlt-exception-stacktrace", "trace"),
                text("ce_id", "e-9"),
                text("ce_type", "PaymentCaptured"),
                text("ce_correlationid", "c-9")));

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.SPRING);
    assertThat(letter.originTopic()).isEqualTo("payments");
    assertThat(letter.originPartition()).isEqualTo(3);
    assertThat(letter.originOffset()).isEqualTo(123_456_789_012L);
    assertThat(letter.originTimestamp()).isEqualTo(Instant.ofEpochMilli(1_600_000_000_000L));
    assertThat(letter.consumerGroup()).isEqualTo("payments-service");
    assertThat(letter.exceptionClass())
        .isEqualTo("org.springframework.kafka.listener.ListenerExecutionFailedException");
    assertThat(letter.failingClass()).isEqualTo("java.lang.IllegalStateException");
    assertThat(letter.exceptionMessage()).isEqualTo("boom");
    assertThat(letter.eventId()).isEqualTo("e-9");
    assertThat(letter.eventType()).isEqualTo("PaymentCaptured");
    assertThat(letter.correlationId()).isEqualTo("c-9");
  }

  @Test
  void springKeyDeserializationFailures() {
    DeadLetter letter =
        parse(
            List.of(
                text("kafka_dlt-original-topic", "payments"),
                text(
                    "kafka_dlt-key-exception-fqcn",
                    "org.apache.kafka.common.errors.SerializationException"),
                text("kafka_dlt-key-exception-message", "bad key")));

    assertThat(letter.stage()).isEqualTo("KEY_DESERIALIZATION");
    assertThat(letter.exceptionClass())
        .isEqualTo("org.apache.kafka.common.errors.SerializationException");
    assertThat(letter.exceptionMessage()).isEqualTo("bad key");
  }

  @Test
  void kafkaStreamsHeaders() {
    DeadLetter letter =
        parse(
            List.of(
                text(
                    "__streams.errors.exception",
                    "org.apache.kafka.common.errors.SerializationException"),
                text("__streams.errors.message", "Size of data received is not 8"),
                text("__streams.errors.stacktrace", "trace"),
                text("__streams.errors.topic", "clicks"),
                text("__streams.errors.partition", "5"),
                text("__streams.errors.offset", "900")));

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.STREAMS);
    assertThat(letter.originTopic()).isEqualTo("clicks");
    assertThat(letter.originPartition()).isEqualTo(5);
    assertThat(letter.originOffset()).isEqualTo(900L);
    assertThat(letter.exceptionClass())
        .isEqualTo("org.apache.kafka.common.errors.SerializationException");
  }

  @Test
  void anythingElseIsUnknownAndNeverRejected() {
    DeadLetter letter =
        parse(
            List.of(
                new RawHeader("binary", new byte[] {(byte) 0xff, 0}),
                text("__connect.errors.partition", "not a number")));
    DeadLetter bare = parse(List.of());

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.CONNECT);
    assertThat(letter.originPartition()).isNull();
    assertThat(bare.dialect()).isEqualTo(ErrorDialect.UNKNOWN);
    assertThat(bare.originTopic()).isNull();
  }
}
