package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventMetadataTest {

  private static final long TIMESTAMP = 1_764_150_000_000L;

  private static EventMetadata<SourceRecord> value(String... keyValues) {
    EventMetadata<SourceRecord> smt = new EventMetadata.Value<>();
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    smt.configure(props);
    return smt;
  }

  private static SourceRecord record(Object key, Object value, ConnectHeaders headers) {
    return new SourceRecord(
        Map.of(), Map.of(), "orders.events", null, null, key, null, value, TIMESTAMP, headers);
  }

  private static SourceRecord record(Object value) {
    return record("o-1", value, new ConnectHeaders());
  }

  private static Map<String, String> headers(SourceRecord record) {
    Map<String, String> result = new LinkedHashMap<>();
    for (Header h : record.headers()) {
      result.put(h.key(), String.valueOf(h.value()));
    }
    return result;
  }

  @Test
  void defaultsGenerateATimeOrderedIdStartAChainAndStampTheTime() {
    SourceRecord out = value().apply(record(Map.of("a", 1)));

    Map<String, String> h = headers(out);
    UUID id = UUID.fromString(h.get("event.id"));
    assertThat(id.version()).isEqualTo(7);
    assertThat(h.get("correlation.id")).isEqualTo(h.get("event.id"));
    assertThat(h.get("event.time")).isEqualTo("2025-11-26T09:40:00Z");
    assertThat(h).doesNotContainKeys("event.type", "causation.id", "content-type");
    assertThat(out.value()).isEqualTo(Map.of("a", 1));
  }

  @Test
  void existingHeadersAreKeptUnlessOverwriteIsOn() {
    ConnectHeaders existing = new ConnectHeaders();
    existing.addString("event.id", "e-1");
    existing.addString("correlation.id", "c-0");

    Map<String, String> kept = headers(value().apply(record("k", "{}", existing)));
    Map<String, String> replaced =
        headers(
            value("overwrite", "true", "id.source", "literal:e-2", "correlation.id.source", "id")
                .apply(record("k", "{}", existing)));

    assertThat(kept).containsEntry("event.id", "e-1").containsEntry("correlation.id", "c-0");
    assertThat(replaced).containsEntry("event.id", "e-2").containsEntry("correlation.id", "e-2");
  }

  @Test
  void readsFieldsFromMapsStructsAndJsonTextWithoutTouchingTheValue() {
    EventMetadata<SourceRecord> smt =
        value("type.source", "field:meta.type", "causation.id.source", "field:cause");
    Schema meta = SchemaBuilder.struct().field("type", Schema.STRING_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .field("meta", meta)
            .field("cause", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    Struct struct =
        new Struct(schema).put("meta", new Struct(meta).put("type", "Placed")).put("cause", "e-0");
    String json = "{\"meta\": {\"type\": \"Placed\"}, \"cause\": 42}";

    assertThat(headers(smt.apply(record(Map.of("meta", Map.of("type", "Placed"), "cause", "e-0")))))
        .containsEntry("event.type", "Placed")
        .containsEntry("causation.id", "e-0");
    assertThat(headers(smt.apply(record(struct))))
        .containsEntry("event.type", "Placed")
        .containsEntry("causation.id", "e-0");
    SourceRecord fromText = smt.apply(record(json));
    assertThat(headers(fromText))
        .containsEntry("event.type", "Placed")
        .containsEntry("causation.id", "42");
    assertThat(fromText.value()).isSameAs(json);
    assertThat(headers(smt.apply(record(json.getBytes(StandardCharsets.UTF_8)))))
        .containsEntry("event.type", "Placed");
  }

  @Test
  void tombstonesKeepTheirHeaders() {
    SourceRecord out = value("type.source", "field:type,literal:Deleted").apply(record(null));

    assertThat(out.value()).isNull();
    assertThat(headers(out)).containsEntry("event.type", "Deleted").containsKey("event.id");
  }

  /**
   * The outbox connector's log-mode heartbeats carry a log position, not an event: they pass
   * through untouched, even where a missing attribute would fail an event.
   */
  @Test
  void outboxHeartbeatsPassThroughUntouched() {
    EventMetadata<SourceRecord> smt =
        value("header.naming", "cloudevents", "on.missing", "fail", "source.source", "literal:/x");
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("eventkit.heartbeat", "true");
    SourceRecord heartbeat = record("orders-outbox", "2026-11-27T01:02:03Z", headers);

    assertThat(smt.apply(heartbeat)).isSameAs(heartbeat);
  }

  @ParameterizedTest(name = "header.naming={0}, on.missing={1}")
  @CsvSource({"eventkit, skip", "eventkit, fail", "cloudevents, skip", "cloudevents, fail"})
  void tombstonesAreStampedWithWhatCanBeFoundAndNeverFailForAMissingAttribute(
      String naming, String onMissing) {
    // A delete without an event type (or a field to read) must not go to the dead letter queue.
    EventMetadata<SourceRecord> smt =
        value(
            "header.naming",
            naming,
            "on.missing",
            onMissing,
            "source.source",
            "literal:/orders",
            "causation.id.source",
            "field:cause");
    boolean cloudEvents = naming.equals("cloudevents");
    SourceRecord untyped = record("o-1", null, new ConnectHeaders());

    SourceRecord out = smt.apply(untyped);

    Map<String, String> h = headers(out);
    assertThat(out.value()).isNull();
    assertThat(out.key()).isEqualTo("o-1");
    assertThat(h)
        .containsKeys(
            cloudEvents ? "ce_id" : "event.id",
            cloudEvents ? "ce_time" : "event.time",
            cloudEvents ? "ce_source" : "event.source")
        .doesNotContainKeys("event.type", "ce_type", "causation.id", "ce_causationid")
        // Without ce_type it is not a CloudEvent, so it does not claim to be one.
        .doesNotContainKey("ce_specversion");

    ConnectHeaders typed = new ConnectHeaders();
    typed.addString("event.type", "OrderDeleted");
    Map<String, String> complete = headers(smt.apply(record("o-1", null, typed)));
    assertThat(complete).containsEntry(cloudEvents ? "ce_type" : "event.type", "OrderDeleted");
    if (cloudEvents) {
      assertThat(complete).containsEntry("ce_specversion", "1.0");
    }
  }

  @Test
  void cloudEventsNamingCarriesEveryRequiredAttribute() {
    ConnectHeaders outbox = new ConnectHeaders();
    outbox.addString("event.id", "e-1");
    outbox.addString("event.type", "OrderPlaced");
    outbox.addString("correlation.id", "c-1");

    Map<String, String> h =
        headers(
            value(
                    "header.naming",
                    "cloudevents",
                    "source.source",
                    "literal:/orders-service",
                    "content.type.source",
                    "literal:application/json")
                .apply(record("o-1", "{}", outbox)));

    assertThat(h)
        .containsEntry("ce_id", "e-1")
        .containsEntry("ce_type", "OrderPlaced")
        .containsEntry("ce_source", "/orders-service")
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_time", "2025-11-26T09:40:00Z")
        .containsEntry("ce_correlationid", "c-1")
        .containsEntry("content-type", "application/json");
  }

  @Test
  void byteArrayHeadersAreReadAsUtf8Text() {
    // MirrorMaker 2 and ByteArrayConverter header converters hand headers over as byte[].
    ConnectHeaders mirrored = new ConnectHeaders();
    mirrored.addBytes("event.id", "e-1".getBytes(StandardCharsets.UTF_8));
    mirrored.addBytes("event.type", "OrderPlaced".getBytes(StandardCharsets.UTF_8));
    ConnectHeaders mirroredCloudEvent = new ConnectHeaders();
    mirroredCloudEvent.addBytes("ce_id", "e-2".getBytes(StandardCharsets.UTF_8));
    mirroredCloudEvent.addBytes("ce_type", "OrderPlaced".getBytes(StandardCharsets.UTF_8));

    Map<String, String> eventkit = headers(value().apply(record("o-1", "{}", mirrored)));
    Map<String, String> cloudEvents =
        headers(
            value("header.naming", "cloudevents", "source.source", "literal:/orders")
                .apply(record("o-1", "{}", mirroredCloudEvent)));

    assertThat(eventkit).containsEntry("correlation.id", "e-1");
    assertThat(cloudEvents).containsEntry("ce_correlationid", "e-2");
  }

  @Test
  void typedHeadersFromSimpleHeaderConverterAreReadInTheirTextForm() {
    // On a sink, the default SimpleHeaderConverter turns "2025-11-26T09:40:00.123Z" into a Date.
    ConnectHeaders converted = new ConnectHeaders();
    converted.addTimestamp("event.time", new java.util.Date(TIMESTAMP + 123));
    converted.addString("event.type", "OrderPlaced");

    Map<String, String> h =
        headers(
            value("header.naming", "cloudevents", "source.source", "literal:/orders")
                .apply(record("o-1", "{}", converted)));

    assertThat(h).containsEntry("ce_time", "2025-11-26T09:40:00.123Z");
  }

  @Test
  void underCloudEventsNamingARecordWithoutARequiredAttributeFailsWhateverOnMissingSays() {
    EventMetadata<SinkRecord> smt = new EventMetadata.Value<>();
    smt.configure(
        Map.of(
            "header.naming",
            "cloudevents",
            "source.source",
            "literal:/orders",
            "on.missing",
            "skip"));
    ConnectHeaders alreadyACloudEvent = new ConnectHeaders();
    alreadyACloudEvent.addString("ce_type", "OrderPlaced");

    assertThatThrownBy(() -> smt.apply(new SinkRecord("orders", 2, null, "k", null, "{}", 17)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("ce_type")
        .hasMessageContaining("type.source (header:event.type)")
        .hasMessageContaining("topic orders partition 2 offset 17");
    SinkRecord passedOn =
        smt.apply(
            new SinkRecord(
                "orders",
                2,
                null,
                "k",
                null,
                "{}",
                18,
                1L,
                TimestampType.CREATE_TIME,
                alreadyACloudEvent));
    assertThat(passedOn.headers().lastWithName("ce_type").value()).isEqualTo("OrderPlaced");
    assertThat(passedOn.headers().lastWithName("ce_source").value()).isEqualTo("/orders");
  }

  @ParameterizedTest(name = "on.missing={0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"skip", "fail"})
  void underCloudEventsNamingEmptyTextIsAMissingRequiredAttribute(String onMissing) {
    // CloudEvents requires id, source and type to be non-empty strings.
    EventMetadata<SourceRecord> smt =
        value(
            "header.naming",
            "cloudevents",
            "on.missing",
            onMissing,
            "id.source",
            "field:id",
            "source.source",
            "header:ce_source,literal:/relay",
            "causation.id.source",
            "");
    ConnectHeaders emptyType = new ConnectHeaders();
    emptyType.addString("event.type", "");

    assertThatThrownBy(() -> smt.apply(record("o-1", "{\"id\": \"e-1\"}", emptyType)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("type.source (header:event.type)");
    ConnectHeaders typed = new ConnectHeaders();
    typed.addString("event.type", "OrderPlaced");
    assertThatThrownBy(() -> smt.apply(record("o-1", "{\"id\": \" \"}", typed)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("id.source (field:id)");

    // Blank ce_ headers already on the record are missing too: the sources fill them in.
    ConnectHeaders blanks = new ConnectHeaders();
    blanks.addString("ce_id", "");
    blanks.addString("ce_type", " ");
    blanks.addString("ce_source", "");
    blanks.addString("ce_specversion", "");
    blanks.addString("event.type", "OrderPlaced");
    SourceRecord filled = smt.apply(record("o-1", "{\"id\": \"e-1\"}", blanks));
    assertThat(headers(filled))
        .containsEntry("ce_id", "e-1")
        .containsEntry("ce_type", "OrderPlaced")
        .containsEntry("ce_source", "/relay")
        .containsEntry("ce_specversion", "1.0");
    for (String name : new String[] {"ce_id", "ce_type", "ce_source", "ce_specversion"}) {
      assertThat(filled.headers().allWithName(name)).toIterable().hasSize(1);
    }

    // A tombstone never fails, and without a usable ce_type it is not a CloudEvent.
    SourceRecord deleted = smt.apply(record("o-1", null, emptyType));
    assertThat(headers(deleted)).doesNotContainKeys("ce_type", "ce_specversion");
  }

  @Test
  void headerNamesCanBeOverridden() {
    assertThat(
            headers(value("id.source", "literal:x", "id.header", "message-id").apply(record("{}"))))
        .containsEntry("message-id", "x")
        .doesNotContainKey("event.id");
  }

  @Test
  void uuid5IdsAreTheSameOnEveryRun() {
    EventMetadata<SourceRecord> smt = value("id.source", "uuid5:orderId");
    String first = headers(smt.apply(record("{\"orderId\": 7}"))).get("event.id");
    String again =
        headers(value("id.source", "uuid5:orderId").apply(record("{\"orderId\": 7}")))
            .get("event.id");
    String other = headers(smt.apply(record("{\"orderId\": 8}"))).get("event.id");

    assertThat(UUID.fromString(first).version()).isEqualTo(5);
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void keySourcesAndTheKeyVariant() {
    EventMetadata<SourceRecord> keyVariant = new EventMetadata.Key<>();
    keyVariant.configure(Map.of("type.source", "field:kind"));
    SourceRecord keyed = record(Map.of("kind", "Account"), "{}", new ConnectHeaders());

    assertThat(headers(keyVariant.apply(keyed))).containsEntry("event.type", "Account");
    assertThat(headers(value("source.source", "key.kind").apply(keyed)))
        .containsEntry("event.source", "Account");
    assertThat(headers(value("source.source", "topic").apply(keyed)))
        .containsEntry("event.source", "orders.events");
  }

  @Test
  void aMissingSourceFailsNamingTheOptionAndTheRecordWhenAsked() {
    SinkRecord sink = new SinkRecord("orders", 2, null, "k", null, "{not json", 17);
    EventMetadata<SinkRecord> smt = new EventMetadata.Value<>();
    smt.configure(Map.of("type.source", "field:type", "on.missing", "fail"));

    assertThatThrownBy(() -> smt.apply(sink))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("type.source (field:type)")
        .hasMessageContaining("topic orders partition 2 offset 17")
        .hasMessageContaining("not valid JSON");
  }

  /**
   * uuid5 ids must stay the same across an upgrade: topic, key and field are rendered as release
   * 0.1.0 rendered them (an object in JSON text as compact JSON with its numbers as doubles, a
   * Struct as its toString). Only what gave 0.1.0 unstable or shared ids changed, as the CHANGELOG
   * lists: bytes that are not UTF-8 (decoded with replacement characters), byte buffers, Structs
   * holding bytes (printed by identity), keys nested too deep to name, values holding bytes that
   * cannot be written as JSON.
   */
  @Test
  void uuid5IdsAreDerivedAsRelease010DerivedThem() {
    EventMetadata<SourceRecord> smt =
        value("id.source", "uuid5:order", "correlation.id.source", "");

    assertThat(
            idOf(
                smt,
                record(
                    "k-1",
                    "{\"order\": {\"total\": 1.50, \"lines\": [1, 2]}}",
                    new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "{\"total\":1.5,\"lines\":[1,2]}"));
    assertThat(idOf(smt, record("k-1", "{\"order\": 1.50}", new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "1.50"));
    Schema keySchema = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
    Struct key = new Struct(keySchema).put("id", "k-1");
    Schema orderSchema = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).build();
    Schema valueSchema = SchemaBuilder.struct().field("order", orderSchema).build();
    Struct value = new Struct(valueSchema).put("order", new Struct(orderSchema).put("n", 7));
    assertThat(idOf(smt, record(key, value, new ConnectHeaders())))
        .isEqualTo(uuid5("Struct{id=k-1}", "Struct{n=7}"));
    assertThat(
            idOf(
                smt,
                record(
                    "k-1".getBytes(StandardCharsets.UTF_8),
                    Map.of("order", "o-9"),
                    new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "o-9"));

    // A List of Structs Jackson cannot write: 0.1.0 hashed its toString.
    Schema lineSchema = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).build();
    assertThat(
            idOf(
                smt,
                record(
                    "k-1",
                    Map.of("order", List.of(new Struct(lineSchema).put("n", 1))),
                    new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "[Struct{n=1}]"));
    // A duplicate key: the read stops at the first once every wanted path is found, as in 0.1.0;
    // while another wanted path is still missing it reads on, and the last one wins, a number after
    // an object as written.
    String duplicate = "{\"order\": {\"a\": 1}, \"order\": 1.50}";
    assertThat(idOf(smt, record("k-1", duplicate, new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "{\"a\":1}"));
    EventMetadata<SourceRecord> readingOn =
        value(
            "id.source", "uuid5:order", "correlation.id.source", "", "type.source", "field:absent");
    assertThat(idOf(readingOn, record("k-1", duplicate, new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "1.50"));

    // A Struct holding bytes: 0.1.0's toString printed them by identity, a new id on every run.
    Schema withBytes =
        SchemaBuilder.struct()
            .field("n", Schema.INT32_SCHEMA)
            .field("b", Schema.BYTES_SCHEMA)
            .build();
    Map<String, Object> holdingBytes =
        Map.of("order", new Struct(withBytes).put("n", 7).put("b", new byte[] {1, 2}));
    assertThat(idOf(smt, record("k-1", holdingBytes, new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", "{\"n\":7,\"b\":\"AQI=\"}"));
    // Bytes only as a schema default, not stored: toString does not print them, 0.1.0's id holds.
    Schema defaulted =
        SchemaBuilder.struct()
            .field("n", Schema.INT32_SCHEMA)
            .field("b", SchemaBuilder.bytes().optional().defaultValue(new byte[] {1}).build())
            .build();
    Map<String, Object> defaultOnly = Map.of("order", new Struct(defaulted).put("n", 7));
    assertThat(idOf(smt, record("k-1", defaultOnly, new ConnectHeaders())))
        .isEqualTo(uuid5("k-1", new Struct(defaulted).put("n", 7).toString()));
    // A key that cannot be named (nested past 1,000 levels) gives no id, not one shared by all.
    Object deepKey = "k";
    for (int i = 0; i < 1_001; i++) {
      deepKey = List.of(deepKey);
    }
    assertThat(headers(smt.apply(record(deepKey, Map.of("order", "o-9"), new ConnectHeaders()))))
        .doesNotContainKey("event.id");

    byte[] binaryKey = {(byte) 0x81, 0x01};
    byte[] otherBinaryKey = {(byte) 0x82, 0x01};
    String first = idOf(smt, record(binaryKey, Map.of("order", "o-9"), new ConnectHeaders()));
    assertThat(first).isEqualTo(uuid5("base64:gQE=", "o-9"));
    assertThat(idOf(smt, record(otherBinaryKey, Map.of("order", "o-9"), new ConnectHeaders())))
        .isNotEqualTo(first);
  }

  private static String idOf(EventMetadata<SourceRecord> smt, SourceRecord record) {
    return headers(smt.apply(record)).get("event.id");
  }

  private static String uuid5(String key, String field) {
    return Uuids.v5(Uuids.EVENTKIT_NAMESPACE, "orders.events\0" + key + "\0" + field).toString();
  }

  @Test
  void nonUtf8BytesAreNotJson() {
    EventMetadata<SourceRecord> smt = value("type.source", "field:type", "on.missing", "fail");

    assertThatThrownBy(() -> smt.apply(record(new byte[] {(byte) 0xc3, (byte) 0x28})))
        .hasMessageContaining("not UTF-8");
    assertThat(headers(value("type.source", "field:type").apply(record(new byte[] {(byte) 0xc3}))))
        .doesNotContainKey("event.type");
  }

  @Test
  void unknownSourcesAreRejectedNamingTheOption() {
    assertThatThrownBy(() -> value("type.source", "column:type"))
        .hasMessageContaining("type.source")
        .hasMessageContaining("Unknown source");
  }
}
