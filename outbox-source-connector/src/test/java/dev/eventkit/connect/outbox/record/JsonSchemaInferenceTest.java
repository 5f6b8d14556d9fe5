package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class JsonSchemaInferenceTest {

  private final JsonSchemaInference inference = new JsonSchemaInference(16);

  private SchemaAndValue infer(String json) throws Exception {
    return inference.toConnect(JsonPayloads.parse(json));
  }

  @Test
  void scalarsNestedObjectsAndSortedOptionalFields() throws Exception {
    SchemaAndValue result =
        infer("{\"total\": 12.5, \"id\": 7, \"paid\": true, \"customer\": {\"name\": \"Ada\"}}");

    Schema schema = result.schema();
    assertThat(schema.fields())
        .extracting(f -> f.name())
        .containsExactly("customer", "id", "paid", "total");
    assertThat(schema.field("id").schema()).isEqualTo(Schema.OPTIONAL_INT64_SCHEMA);
    assertThat(schema.field("total").schema()).isEqualTo(Schema.OPTIONAL_FLOAT64_SCHEMA);
    assertThat(schema.field("paid").schema()).isEqualTo(Schema.OPTIONAL_BOOLEAN_SCHEMA);
    Struct value = (Struct) result.value();
    value.validate();
    assertThat(value.getInt64("id")).isEqualTo(7L);
    assertThat(value.getStruct("customer").getString("name")).isEqualTo("Ada");
  }

  @Test
  void nullFieldsAreOptionalStringsHoldingNull() throws Exception {
    Struct value = (Struct) infer("{\"note\": null}").value();

    assertThat(value.schema().field("note").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(value.get("note")).isNull();
  }

  @Test
  void emptyArraysAndEmptyObjectsAreKept() throws Exception {
    Struct value = (Struct) infer("{\"tags\": [], \"meta\": {}}").value();
    value.validate();

    assertThat(value.schema().field("tags").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(value.getArray("tags")).isEmpty();
    assertThat(value.getStruct("meta").schema().fields()).isEmpty();
  }

  @Test
  void integersAndDecimalsInOneArrayBecomeDoubles() throws Exception {
    Struct value = (Struct) infer("{\"xs\": [1, 2.5, null]}").value();

    assertThat(value.schema().field("xs").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_FLOAT64_SCHEMA);
    assertThat(value.getArray("xs")).containsExactly(1.0, 2.5, null);
  }

  @Test
  void mixedTypeArraysKeepEveryElementAsJsonText() throws Exception {
    Struct value = (Struct) infer("{\"xs\": [1, \"a\", {\"b\": 2}, [true]]}").value();
    value.validate();

    assertThat(value.getArray("xs")).containsExactly("1", "a", "{\"b\":2}", "[true]");
  }

  @Test
  void objectsInAnArrayMergeIntoOneStructWithTheUnionOfFields() throws Exception {
    Struct value =
        (Struct)
            infer("{\"lines\": [{\"sku\": \"a\", \"qty\": 1}, {\"sku\": \"b\", \"gift\": true}]}")
                .value();
    value.validate();

    Schema line = value.schema().field("lines").schema().valueSchema();
    assertThat(line.fields()).extracting(f -> f.name()).containsExactly("gift", "qty", "sku");
    List<Struct> lines = value.getArray("lines");
    assertThat(lines.get(0).get("gift")).isNull();
    assertThat(lines.get(1).getBoolean("gift")).isTrue();
  }

  @Test
  void eventsOfOneShapeShareOneSchemaInstance() throws Exception {
    Schema first = infer("{\"id\": 1, \"tags\": [\"a\"]}").schema();
    Schema second = infer("{\"tags\": [\"b\", \"c\"], \"id\": 2}").schema();

    assertThat(second).isSameAs(first);
  }

  @Test
  void theCacheIsBounded() throws Exception {
    for (int i = 0; i < 100; i++) {
      infer("{\"f" + i + "\": 1}");
    }

    assertThat(inference.cachedSchemas()).isEqualTo(16);
  }

  @Test
  void topLevelArraysAndScalarsAreValuesToo() throws Exception {
    SchemaAndValue array = infer("[1, 2]");
    SchemaAndValue text = infer("\"hello\"");

    assertThat(array.value()).isEqualTo(List.of(1L, 2L));
    assertThat(text.value()).isEqualTo("hello");
  }
}
