package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonSchemaValidationTest {

  @TempDir Path schemas;

  @BeforeEach
  void writeSchemas() throws Exception {
    Files.createDirectories(schemas.resolve("OrderPlaced"));
    Files.writeString(
        schemas.resolve("OrderPlaced/3.json"),
        "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"type\": \"object\","
            + " \"required\": [\"total\"], \"properties\": {\"total\": {\"type\": \"number\"},"
            + " \"lines\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
            + " \"properties\": {\"qty\": {\"type\": \"integer\", \"minimum\": 1}}}}}}");
  }

  private EventVersion<SourceRecord> smt() {
    EventVersion<SourceRecord> smt = new EventVersion.Value<>();
    smt.configure(
        Map.of(
            "versions",
            "OrderPlaced:3,OrderShipped:1",
            "schemas.dir",
            schemas.toString(),
            "schemas.cache.size",
            "2"));
    return smt;
  }

  private static SourceRecord record(String type, Object value) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("event.type", type);
    return new SourceRecord(
        Map.of(), Map.of(), "orders.events", 1, null, "k", null, value, 1L, headers);
  }

  @Test
  void aByteArrayVersionHeaderIsReadAsUtf8Text() {
    SourceRecord mirrored = record("OrderPlaced", "{\"total\": \"12\"}");
    mirrored.headers().addBytes("event.schema.version", "3".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> smt().apply(mirrored))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Event OrderPlaced v3 in topic orders.events")
        .hasMessageContaining("/total breaks 'type'");
  }

  @Test
  void validPayloadsOfEveryShapePass() {
    Schema line = SchemaBuilder.struct().field("qty", Schema.INT32_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct()
            .field("total", Schema.FLOAT64_SCHEMA)
            .field("lines", SchemaBuilder.array(line).build())
            .build();
    Struct struct =
        new Struct(schema).put("total", 2.5).put("lines", List.of(new Struct(line).put("qty", 2)));

    EventVersion<SourceRecord> smt = smt();
    assertThat(
            smt.apply(record("OrderPlaced", "{\"total\": 12.5}"))
                .headers()
                .lastWithName("event.schema.version")
                .value())
        .isEqualTo("3");
    smt.apply(record("OrderPlaced", "{\"total\": 1}".getBytes(StandardCharsets.UTF_8)));
    smt.apply(record("OrderPlaced", Map.of("total", 1, "lines", List.of(Map.of("qty", 1)))));
    smt.apply(record("OrderPlaced", struct));
    smt.apply(record("OrderPlaced", null));
  }

  @Test
  void aViolationNamesThePointerAndTheRule() {
    assertThatThrownBy(
            () -> smt().apply(record("OrderPlaced", "{\"total\": 1, \"lines\": [{\"qty\": 0}]}")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Event OrderPlaced v3 in topic orders.events partition 1")
        .hasMessageContaining("/lines/0/qty breaks 'minimum'");
    assertThatThrownBy(() -> smt().apply(record("OrderPlaced", "{\"lines\": []}")))
        .hasMessageContaining("breaks 'required'");
  }

  @Test
  void malformedJsonAndMissingSchemasFailClearly() {
    assertThatThrownBy(() -> smt().apply(record("OrderPlaced", "{\"total\": ")))
        .hasMessageContaining("is not valid JSON");
    assertThatThrownBy(() -> smt().apply(record("OrderShipped", "{}")))
        .hasMessageContaining("No JSON Schema for event OrderShipped v1")
        .hasMessageContaining("OrderShipped/1.json does not exist");
  }

  @Test
  void compiledSchemasAreCachedInABoundedLru() throws Exception {
    for (String type : List.of("A", "B", "C")) {
      Files.createDirectories(schemas.resolve(type));
      Files.writeString(schemas.resolve(type + "/1.json"), "{\"type\": \"object\"}");
    }
    JsonSchemas cache = new JsonSchemas(schemas, 2);

    var first = cache.schema("A", "1");
    assertThat(cache.schema("A", "1")).isSameAs(first);
    cache.schema("B", "1");
    cache.schema("C", "1");
    assertThat(cache.cachedSchemas()).isEqualTo(2);
    assertThat(cache.schema("A", "1")).isNotSameAs(first);
  }
}
