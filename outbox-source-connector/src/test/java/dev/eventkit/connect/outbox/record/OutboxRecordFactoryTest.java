package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class OutboxRecordFactoryTest {

  private static final Instant TIME = Instant.parse("2026-11-26T10:15:30.123Z");
  private static final Map<String, Object> PARTITION = Map.of("table", "outbox");
  private static final Map<String, Object> OFFSET = Map.of("txid", 1L, "seq", 1L);

  private static OutboxRecordFactory factory(PayloadFormat format, boolean tombstones) {
    return new OutboxRecordFactory(
        TopicTemplate.compile("${aggregate_type}.events"),
        format,
        tombstones,
        "id",
        "aggregatetype",
        "aggregateid",
        "type",
        "payload");
  }

  private static OutboxRecordFactory factory(String template) {
    return new OutboxRecordFactory(
        TopicTemplate.compile(template),
        PayloadFormat.STRING,
        false,
        "id",
        "aggregatetype",
        "aggregateid",
        "type",
        "payload");
  }

  private static OutboxRow row(String aggregateType, String aggregateId, String payload) {
    return row(aggregateType, aggregateId, "OrderPlaced", payload);
  }

  private static OutboxRow row(
      String aggregateType, String aggregateId, String eventType, String payload) {
    return new OutboxRow(
        "e-1",
        aggregateType,
        aggregateId,
        eventType,
        payload,
        null,
        TIME,
        Map.of("correlation.id", "c-1"),
        "5:9");
  }

  private static InvalidRowException poison(OutboxRecordFactory factory, OutboxRow row) {
    Throwable thrown = catchThrowable(() -> factory.toRecord(row, PARTITION, OFFSET));
    assertThat(thrown).isInstanceOf(InvalidRowException.class);
    return (InvalidRowException) thrown;
  }

  /** A legal topic, and a key, value and headers that fit their schemas: Kafka takes it. */
  private static void assertKafkaAccepts(SourceRecord record) {
    assertThat(TopicNames.whyInvalid(record.topic())).isNull();
    ConnectSchema.validateValue(record.keySchema(), record.key());
    ConnectSchema.validateValue(record.valueSchema(), record.value());
    for (Header h : record.headers()) {
      assertThat(h.key()).isNotBlank();
      ConnectSchema.validateValue(h.schema(), h.value());
    }
  }

  private static Map<String, String> headers(SourceRecord record) {
    Map<String, String> result = new LinkedHashMap<>();
    for (Header h : record.headers()) {
      result.put(h.key(), (String) h.value());
    }
    return result;
  }

  @Test
  void buildsTheDomainEventRecordContract() throws Exception {
    SourceRecord record =
        factory(PayloadFormat.STRING, false)
            .toRecord(row("order", "o-1", "{\"a\": 1}"), PARTITION, OFFSET);

    assertThat(record.topic()).isEqualTo("order.events");
    assertThat(record.key()).isEqualTo("o-1");
    assertThat(record.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
    assertThat(record.value()).isEqualTo("{\"a\": 1}");
    assertThat(record.timestamp()).isEqualTo(TIME.toEpochMilli());
    assertThat(record.sourcePartition()).isEqualTo(PARTITION);
    assertThat(record.sourceOffset()).isEqualTo(OFFSET);
    assertThat(headers(record))
        .containsExactly(
            Map.entry("event.id", "e-1"),
            Map.entry("event.type", "OrderPlaced"),
            Map.entry("event.aggregate.type", "order"),
            Map.entry("event.aggregate.id", "o-1"),
            Map.entry("event.time", "2026-11-26T10:15:30.123Z"),
            Map.entry("correlation.id", "c-1"));
  }

  @Test
  void bytesFormatCarriesUtf8Bytes() throws Exception {
    SourceRecord record =
        factory(PayloadFormat.BYTES, false).toRecord(row("order", "o-1", "ä"), PARTITION, OFFSET);

    assertThat((byte[]) record.value()).isEqualTo("ä".getBytes(StandardCharsets.UTF_8));
    assertThat(record.valueSchema()).isEqualTo(Schema.OPTIONAL_BYTES_SCHEMA);
  }

  @Test
  void jsonFormatIsSchemaless() throws Exception {
    SourceRecord record =
        factory(PayloadFormat.JSON, false)
            .toRecord(row("order", "o-1", "{\"a\": [1, {\"b\": null}]}"), PARTITION, OFFSET);

    assertThat(record.valueSchema()).isNull();
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("b", null);
    assertThat(record.value()).isEqualTo(Map.of("a", List.of(1L, nested)));
  }

  @Test
  void structFormatInfersASchema() throws Exception {
    SourceRecord record =
        factory(PayloadFormat.STRUCT, false)
            .toRecord(row("order", "o-1", "{\"a\": 1}"), PARTITION, OFFSET);

    assertThat(((Struct) record.value()).getInt64("a")).isEqualTo(1L);
  }

  @Test
  void nullPayloadIsATombstoneOnlyWhenEnabled() throws Exception {
    SourceRecord tombstone =
        factory(PayloadFormat.JSON, true).toRecord(row("order", "o-1", null), PARTITION, OFFSET);

    assertThat(tombstone.value()).isNull();
    assertThat(tombstone.key()).isEqualTo("o-1");
    assertThatThrownBy(
            () ->
                factory(PayloadFormat.JSON, false)
                    .toRecord(row("order", "o-1", null), PARTITION, OFFSET))
        .isInstanceOfSatisfying(
            InvalidRowException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("null-payload");
              assertThat(e.column()).isEqualTo("payload");
            });
  }

  @Test
  void poisonRowsSayWhatIsWrongAndWhere() {
    assertThatThrownBy(
            () ->
                factory(PayloadFormat.STRING, false)
                    .toRecord(row("order", null, "{}"), PARTITION, OFFSET))
        .isInstanceOfSatisfying(
            InvalidRowException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("null-aggregate-id");
              assertThat(e.column()).isEqualTo("aggregateid");
            });
    assertThatThrownBy(
            () ->
                factory(PayloadFormat.STRING, false)
                    .toRecord(row("bad type!", "o-1", "{}"), PARTITION, OFFSET))
        .isInstanceOfSatisfying(
            InvalidRowException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("invalid-topic");
              assertThat(e.getMessage()).contains("bad type!.events");
            });
    assertThatThrownBy(
            () ->
                factory(PayloadFormat.STRUCT, false)
                    .toRecord(row("order", "o-1", "{\"a\": "), PARTITION, OFFSET))
        .isInstanceOfSatisfying(
            InvalidRowException.class, e -> assertThat(e.reason()).isEqualTo("invalid-json"));
    assertThatThrownBy(
            () ->
                factory(PayloadFormat.STRUCT, false)
                    .toRecord(row("order", "o-1", "{\"a\": 1e999999999}"), PARTITION, OFFSET))
        .isInstanceOfSatisfying(
            InvalidRowException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("invalid-json");
              assertThat(e.column()).isEqualTo("payload");
              assertThat(e.getMessage()).contains("1E+999999999");
            });
  }

  @Test
  void aRowWithoutAnAggregateIdIsPoisonNeverARecordWithoutAKey() {
    OutboxRecordFactory factory = factory("${aggregate_type}.events");

    for (String id : Arrays.asList(null, "", "   ", "\t")) {
      InvalidRowException e = poison(factory, row("order", id, "{}"));

      assertThat(e.reason()).isEqualTo(id == null ? "null-aggregate-id" : "blank-aggregate-id");
      assertThat(e.column()).isEqualTo("aggregateid");
      assertThat(e.getMessage()).contains("aggregate id");
    }
  }

  @Test
  void aRowWithoutAnAggregateTypeIsPoisonNeverATopicNamedDotEvents() {
    for (String template : List.of("${aggregate_type}.events", "events")) {
      OutboxRecordFactory factory = factory(template);

      for (String type : Arrays.asList(null, "", "  ")) {
        InvalidRowException e = poison(factory, row(type, "o-1", "{}"));

        assertThat(e.reason())
            .isEqualTo(type == null ? "null-aggregate-type" : "blank-aggregate-type");
        assertThat(e.column()).isEqualTo("aggregatetype");
        assertThat(e.getMessage()).contains("aggregate type");
      }
    }
  }

  @Test
  void aTemplateWithTheEventTypeNeedsOne() throws Exception {
    OutboxRecordFactory factory = factory("${aggregate_type}.${event_type}");

    for (String type : Arrays.asList(null, "", " ")) {
      InvalidRowException e = poison(factory, row("order", "o-1", type, "{}"));

      assertThat(e.reason()).isEqualTo(type == null ? "null-event-type" : "blank-event-type");
      assertThat(e.column()).isEqualTo("type");
      assertThat(e.getMessage()).contains("event type", "${event_type}");
    }
    assertThat(factory.toRecord(row("order", "o-1", "Placed", "{}"), PARTITION, OFFSET).topic())
        .isEqualTo("order.Placed");
  }

  @Test
  void withoutTheEventTypeInTheTemplateAMissingTypeOnlyLeavesOutItsHeader() throws Exception {
    SourceRecord record =
        factory("${aggregate_type}.events")
            .toRecord(row("order", "o-1", null, "{}"), PARTITION, OFFSET);

    assertThat(record.topic()).isEqualTo("order.events");
    assertThat(headers(record)).doesNotContainKey("event.type");
  }

  @Test
  void anIllegalEventTypeInTheTemplateNamesTheEventTypeColumn() {
    InvalidRowException e =
        poison(
            factory("${aggregate_type}.${event_type}"), row("order", "o-1", "Order Placed", "{}"));

    assertThat(e.reason()).isEqualTo("invalid-topic");
    assertThat(e.column()).isEqualTo("type");
    assertThat(e.getMessage()).contains("order.Order Placed");
  }

  @Test
  void anIllegalFixedTopicNamesNoColumn() {
    InvalidRowException e = poison(factory("order events"), row("order", "o-1", "{}"));

    assertThat(e.reason()).isEqualTo("invalid-topic");
    assertThat(e.column()).isNull();
  }

  @Test
  void rowsWithoutIdentityBecomeValidRecordsOnTheInvalidTopic() {
    OutboxRecordFactory factory = factory("${aggregate_type}.${event_type}");
    // Each row and the topic it would have had, a missing part left as its placeholder.
    Map<OutboxRow, String> rows = new LinkedHashMap<>();
    rows.put(row("order", null, "{\"a\": 1}"), "order.OrderPlaced");
    rows.put(row("order", "", "{\"a\": 1}"), "order.OrderPlaced");
    rows.put(row(null, "o-1", "{\"a\": 1}"), "${aggregate_type}.OrderPlaced");
    rows.put(row("", "o-1", "{\"a\": 1}"), "${aggregate_type}.OrderPlaced");
    rows.put(row("order", "o-1", null, "{\"a\": 1}"), "order.${event_type}");
    rows.put(row(null, null, null, null), "${aggregate_type}.${event_type}");

    rows.forEach(
        (bad, wouldBeTopic) -> {
          InvalidRowException error = poison(factory, bad);
          SourceRecord record =
              factory.toInvalidRecord(bad, error, "outbox.invalid", PARTITION, OFFSET);

          assertKafkaAccepts(record);
          assertThat(record.topic()).isEqualTo("outbox.invalid");
          assertThat(record.key()).isEqualTo(bad.aggregateId());
          assertThat(record.value()).isEqualTo(bad.payloadText());
          assertThat(record.timestamp()).isEqualTo(TIME.toEpochMilli());
          assertThat(record.sourceOffset()).isEqualTo(OFFSET);
          assertThat(headers(record))
              .containsEntry("event.id", "e-1")
              .containsEntry("eventkit.error.reason", error.reason())
              .containsEntry("eventkit.error.column", error.column())
              .containsEntry("eventkit.error.message", error.getMessage())
              .containsEntry("eventkit.error.topic", wouldBeTopic)
              .containsEntry("eventkit.error.position", "5:9");
        });
  }

  @Test
  void invalidRowRecordsKeepThePayloadAndNameTheFault() {
    OutboxRow bad = row("order", "o-1", "{not json");
    InvalidRowException error =
        new InvalidRowException("invalid-json", "payload", "payload is not valid JSON");

    SourceRecord record =
        factory(PayloadFormat.JSON, false)
            .toInvalidRecord(bad, error, "outbox.invalid", PARTITION, OFFSET);

    assertThat(record.topic()).isEqualTo("outbox.invalid");
    assertThat(record.value()).isEqualTo("{not json");
    assertThat(headers(record))
        .containsEntry("event.id", "e-1")
        .containsEntry("eventkit.error.reason", "invalid-json")
        .containsEntry("eventkit.error.column", "payload")
        .containsEntry("eventkit.error.message", "payload is not valid JSON")
        .containsEntry("eventkit.error.topic", "order.events")
        .containsEntry("eventkit.error.position", "5:9");
  }

  @Test
  void aBinaryPayloadThatIsNotUtf8IsPoisonAsTextAndCarriedExactlyOnTheInvalidTopic()
      throws Exception {
    byte[] notText = {(byte) 0xC3, (byte) 0x28, 0x41, (byte) 0xFF};
    OutboxRow row =
        new OutboxRow("e-1", "order", "o-1", "OrderPlaced", null, notText, TIME, Map.of(), "5:9");

    for (PayloadFormat format : List.of(PayloadFormat.STRING, PayloadFormat.JSON)) {
      InvalidRowException poison = poison(factory(format, false), row);
      assertThat(poison.reason()).isEqualTo("invalid-utf8");
      assertThat(poison.column()).isEqualTo("payload");
      assertThat(poison.getMessage()).contains("payload.format=bytes");
      SourceRecord invalid =
          factory(format, false).toInvalidRecord(row, poison, "outbox.invalid", PARTITION, OFFSET);
      assertThat(headers(invalid)).containsEntry("eventkit.error.payload.encoding", "base64");
      assertThat(java.util.Base64.getDecoder().decode((String) invalid.value())).isEqualTo(notText);
    }
    SourceRecord asBytes = factory(PayloadFormat.BYTES, false).toRecord(row, PARTITION, OFFSET);
    assertThat((byte[]) asBytes.value()).isEqualTo(notText);
  }
}
