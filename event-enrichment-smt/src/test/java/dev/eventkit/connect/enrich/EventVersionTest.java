package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventVersionTest {

  private static EventVersion<SourceRecord> smt(String... keyValues) {
    EventVersion<SourceRecord> smt = new EventVersion.Value<>();
    Map<String, String> props = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    smt.configure(props);
    return smt;
  }

  private static SourceRecord record(String type, Object value) {
    ConnectHeaders headers = new ConnectHeaders();
    if (type != null) {
      headers.addString("event.type", type);
    }
    return new SourceRecord(
        Map.of(), Map.of(), "orders.events", null, null, "k", null, value, 1L, headers);
  }

  /** The outbox connector's log-mode heartbeats are not events: passed through untouched. */
  @Test
  void outboxHeartbeatsPassThroughUntouched() {
    EventVersion<SourceRecord> smt = smt("versions", "OrderPlaced:3", "on.missing", "fail");
    SourceRecord heartbeat = record(null, "2026-11-27T01:02:03Z");
    heartbeat.headers().addString("eventkit.heartbeat", "true");

    assertThat(smt.apply(heartbeat)).isSameAs(heartbeat);
  }

  private static String header(SourceRecord record, String name) {
    var header = record.headers().lastWithName(name);
    return header == null ? null : (String) header.value();
  }

  @Test
  void mapsEventTypesToVersionsWithADefault() {
    EventVersion<SourceRecord> smt =
        smt("versions", "OrderPlaced:3,OrderShipped:1", "version.default", "1");

    assertThat(header(smt.apply(record("OrderPlaced", "{}")), "event.schema.version"))
        .isEqualTo("3");
    assertThat(header(smt.apply(record("OrderShipped", "{}")), "event.schema.version"))
        .isEqualTo("1");
    assertThat(header(smt.apply(record("OrderLost", "{}")), "event.schema.version")).isEqualTo("1");
  }

  @Test
  void readsTheVersionFromAFieldOfAnyShapeBeforeTheMapping() {
    EventVersion<SourceRecord> smt =
        smt("version.source", "field:schemaVersion", "versions", "OrderPlaced:3");
    Schema schema = SchemaBuilder.struct().field("schemaVersion", Schema.INT32_SCHEMA).build();

    assertThat(
            header(
                smt.apply(record("OrderPlaced", "{\"schemaVersion\": 4}")), "event.schema.version"))
        .isEqualTo("4");
    assertThat(
            header(
                smt.apply(record("OrderPlaced", new Struct(schema).put("schemaVersion", 5))),
                "event.schema.version"))
        .isEqualTo("5");
    assertThat(header(smt.apply(record("OrderPlaced", Map.of())), "event.schema.version"))
        .isEqualTo("3");
  }

  @Test
  void cloudEventsNamingWritesADataschemaUri() {
    EventVersion<SourceRecord> smt =
        smt(
            "header.naming",
            "cloudevents",
            "versions",
            "OrderPlaced:3",
            "dataschema.template",
            "https://schemas.example.com/${type}/v${version}.json");

    assertThat(header(smt.apply(record("OrderPlaced", "{}")), "ce_dataschema"))
        .isEqualTo("https://schemas.example.com/OrderPlaced/v3.json");
  }

  @Test
  void anExistingVersionIsKept() {
    SourceRecord stamped = record("OrderPlaced", "{}");
    stamped.headers().addString("event.schema.version", "9");

    assertThat(header(smt("versions", "OrderPlaced:3").apply(stamped), "event.schema.version"))
        .isEqualTo("9");
  }

  @Test
  void noVersionFailsByDefaultOrPassesWhenSkipped() {
    assertThatThrownBy(() -> smt("versions", "OrderPlaced:3").apply(record("OrderLost", "{}")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("versions has none for event type OrderLost")
        .hasMessageContaining("topic orders.events");
    SourceRecord passed =
        smt("versions", "OrderPlaced:3", "on.missing", "skip").apply(record("OrderLost", "{}"));
    assertThat(passed.headers().lastWithName("event.schema.version")).isNull();
  }

  private static SourceRecord fromOutbox(Object value) {
    return new SourceRecord(
        Map.of("table", "outbox"),
        Map.of("seq", 17L),
        "orders.events",
        null,
        null,
        "k",
        null,
        value,
        1L,
        new ConnectHeaders());
  }

  @Test
  void aRecordWithoutAnEventTypeFailsNamingTheRecordWhereTheTypeIsNeeded(@TempDir Path schemas) {
    EventVersion<SourceRecord> validating =
        smt("version.default", "1", "schemas.dir", schemas.toString());
    EventVersion<SourceRecord> cloudEvents =
        smt("header.naming", "cloudevents", "version.default", "1");
    EventVersion<SinkRecord> mapping = new EventVersion.Value<>();
    mapping.configure(Map.of("versions", "OrderPlaced:3"));

    assertThatThrownBy(() -> validating.apply(fromOutbox("{}")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("No event type from type.source (header:event.type,header:ce_type)")
        .hasMessageContaining("schemas.dir")
        .hasMessageContaining(
            "topic orders.events source partition {table=outbox} source offset {seq=17}");
    assertThatThrownBy(() -> cloudEvents.apply(fromOutbox("{}")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("No event type from type.source")
        .hasMessageContaining("dataschema.template");
    assertThatThrownBy(() -> mapping.apply(new SinkRecord("orders", 2, null, "k", null, "{}", 17)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("type.source (header:event.type,header:ce_type) yields no event type")
        .hasMessageContaining("topic orders partition 2 offset 17");
  }

  @Test
  void withoutAnEventTypeOnMissingSkipPassesTheRecordOnAndATypeNobodyNeedsIsNotAsked(
      @TempDir Path schemas) {
    SourceRecord untyped = fromOutbox("{}");

    assertThat(
            smt("version.default", "1", "schemas.dir", schemas.toString(), "on.missing", "skip")
                .apply(untyped))
        .isSameAs(untyped);
    assertThat(header(smt("version.default", "2").apply(untyped), "event.schema.version"))
        .isEqualTo("2");
  }

  /**
   * A tombstone has no data, so no schema applies to it: it is stamped when a version is found,
   * never validated, and never failed, under every on.missing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"fail", "skip"})
  void tombstonesAreStampedWhenAVersionIsFoundAndNeverFail(
      String onMissing, @TempDir Path schemas) {
    EventVersion<SourceRecord> smt =
        smt(
            "versions",
            "OrderDeleted:2",
            "on.missing",
            onMissing,
            "schemas.dir",
            schemas.toString());
    EventVersion<SourceRecord> cloudEvents =
        smt("header.naming", "cloudevents", "version.default", "1", "on.missing", onMissing);
    SourceRecord unknownType = record("OrderLost", null);
    SourceRecord untyped = record(null, null);

    assertThat(header(smt.apply(record("OrderDeleted", null)), "event.schema.version"))
        .isEqualTo("2");
    assertThat(smt.apply(unknownType)).isSameAs(unknownType);
    assertThat(smt.apply(untyped)).isSameAs(untyped);
    assertThat(cloudEvents.apply(untyped)).isSameAs(untyped);
    assertThat(header(cloudEvents.apply(record("OrderDeleted", null)), "ce_dataschema"))
        .isEqualTo("urn:eventkit:schema:OrderDeleted:1");
  }

  @Test
  void rejectsMalformedMappings() {
    assertThatThrownBy(() -> smt("versions", "OrderPlaced")).hasMessageContaining("TYPE:VERSION");
  }
}
