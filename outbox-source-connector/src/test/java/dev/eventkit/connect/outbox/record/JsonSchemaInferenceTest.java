package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class JsonSchemaInferenceTest {

  private final JsonSchemaInference inference = new JsonSchemaInference(16);

  private SchemaAndValue infer(String json) throws Exception {
    return inference.toConnect(JsonPayloads.parse(json));
  }

  private static Schema decimal(int scale) {
    return Decimal.builder(scale).optional().build();
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
    assertThat(schema.field("total").schema()).isEqualTo(decimal(1));
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
  void decimalsAreConnectDecimalsWithTheScaleTheyAreWrittenWith() throws Exception {
    Struct value =
        (Struct)
            infer(
                    "{\"rate\": 0.1, \"price\": 19.99, \"net\": 19.50, \"big\": 12345678901234567.89}")
                .value();
    value.validate();

    assertThat(value.schema().field("rate").schema()).isEqualTo(decimal(1));
    assertThat(value.schema().field("price").schema()).isEqualTo(decimal(2));
    assertThat(value.schema().field("net").schema()).isEqualTo(decimal(2));
    assertThat(value.get("rate")).isEqualTo(new BigDecimal("0.1"));
    assertThat(value.get("price")).isEqualTo(new BigDecimal("19.99"));
    assertThat(value.get("net")).isEqualTo(new BigDecimal("19.50"));
    assertThat(value.get("big")).isEqualTo(new BigDecimal("12345678901234567.89"));
  }

  @Test
  void integersBeyond64BitsAreDecimalsOfScaleZero() throws Exception {
    Struct value =
        (Struct) infer("{\"id\": 12345678901234567890123, \"max\": 9223372036854775807}").value();
    value.validate();

    assertThat(value.schema().field("id").schema()).isEqualTo(decimal(0));
    assertThat(value.get("id")).isEqualTo(new BigDecimal("12345678901234567890123"));
    assertThat(value.schema().field("max").schema()).isEqualTo(Schema.OPTIONAL_INT64_SCHEMA);
    assertThat(value.getInt64("max")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void exponentNotationIsExactAndNeverGivesANegativeScale() throws Exception {
    Struct value = (Struct) infer("{\"a\": 1e5, \"b\": 1.5E-7, \"c\": 2.50E+1}").value();
    value.validate();

    assertThat(value.schema().field("a").schema()).isEqualTo(decimal(0));
    assertThat(value.get("a")).isEqualTo(new BigDecimal("100000"));
    assertThat(value.schema().field("b").schema()).isEqualTo(decimal(8));
    assertThat(value.get("b")).isEqualTo(new BigDecimal("0.00000015"));
    assertThat(value.schema().field("c").schema()).isEqualTo(decimal(1));
    assertThat(value.get("c")).isEqualTo(new BigDecimal("25.0"));
  }

  @Test
  void numbersOfOneArrayShareTheLargestScaleSeenThere() throws Exception {
    Struct value =
        (Struct) infer("{\"xs\": [1, 2.5, null, 0.125, 12345678901234567890123]}").value();
    value.validate();

    assertThat(value.schema().field("xs").schema().valueSchema()).isEqualTo(decimal(3));
    assertThat(value.getArray("xs"))
        .containsExactly(
            new BigDecimal("1.000"),
            new BigDecimal("2.500"),
            null,
            new BigDecimal("0.125"),
            new BigDecimal("12345678901234567890123.000"));
  }

  @Test
  void integersOnlyArraysStayInt64UnlessOneIsBeyond64Bits() throws Exception {
    Struct value =
        (Struct) infer("{\"small\": [1, 2], \"ids\": [1, 99999999999999999999]}").value();
    value.validate();

    assertThat(value.schema().field("small").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_INT64_SCHEMA);
    assertThat(value.getArray("small")).containsExactly(1L, 2L);
    assertThat(value.schema().field("ids").schema().valueSchema()).isEqualTo(decimal(0));
    assertThat(value.getArray("ids"))
        .containsExactly(new BigDecimal("1"), new BigDecimal("99999999999999999999"));
  }

  @Test
  void decimalFieldsOfMergedObjectsShareTheLargestScale() throws Exception {
    Struct value =
        (Struct)
            infer(
                    "{\"lines\": [{\"price\": 1.5}, {\"price\": 2.25, \"tax\": {\"rate\": 0.2}},"
                        + " {\"price\": null}, {}, {\"price\": 3, \"tax\": {\"rate\": 0.075}}]}")
                .value();
    value.validate();

    Schema line = value.schema().field("lines").schema().valueSchema();
    assertThat(line.field("price").schema()).isEqualTo(decimal(2));
    assertThat(line.field("tax").schema().field("rate").schema()).isEqualTo(decimal(3));
    List<Struct> lines = value.getArray("lines");
    assertThat(lines)
        .extracting(l -> l.get("price"))
        .containsExactly(
            new BigDecimal("1.50"), new BigDecimal("2.25"), null, null, new BigDecimal("3.00"));
    assertThat(lines.get(4).getStruct("tax").get("rate")).isEqualTo(new BigDecimal("0.075"));
    assertThat(lines.get(1).getStruct("tax").get("rate")).isEqualTo(new BigDecimal("0.200"));
  }

  @Test
  void numbersAmongOtherTypesAreKeptAsTheirExactJsonText() throws Exception {
    Struct value =
        (Struct)
            infer("{\"xs\": [12345678901234567.89, \"a\", 12345678901234567890123, 19.50]}")
                .value();
    value.validate();

    assertThat(value.getArray("xs"))
        .containsExactly("12345678901234567.89", "a", "12345678901234567890123", "19.50");
  }

  @Test
  void aNumberTooLargeOrTooPreciseForAnyDecimalIsRefusedNeverRounded() {
    assertThatThrownBy(() -> infer("{\"a\": 1e999999999}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1E+999999999");
    assertThatThrownBy(() -> infer("[1e-999999999]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1E-999999999");
  }

  @Test
  void nullsAndEmptyArraysNextToDecimalsKeepTheirRules() throws Exception {
    Struct value =
        (Struct)
            infer(
                    "{\"a\": [null, 0.5], \"b\": [], \"c\": [null], \"d\": null, \"e\": [[], [0.25]]}")
                .value();
    value.validate();

    assertThat(value.schema().field("a").schema().valueSchema()).isEqualTo(decimal(1));
    assertThat(value.getArray("a")).containsExactly(null, new BigDecimal("0.5"));
    assertThat(value.schema().field("b").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(value.schema().field("c").schema().valueSchema())
        .isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(value.schema().field("d").schema()).isEqualTo(Schema.OPTIONAL_STRING_SCHEMA);
    assertThat(value.schema().field("e").schema().valueSchema().valueSchema())
        .isEqualTo(decimal(2));
    assertThat(value.getArray("e")).containsExactly(List.of(), List.of(new BigDecimal("0.25")));
  }

  @Test
  void aTopLevelNumberIsExactToo() throws Exception {
    SchemaAndValue result = infer("12345678901234567.89");

    assertThat(result.schema()).isEqualTo(decimal(2));
    assertThat(result.value()).isEqualTo(new BigDecimal("12345678901234567.89"));
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

  @Test
  void aDocumentNestedDeeperThanConvertersCanWriteIsRefusedAndAnEmptyFieldNameToo()
      throws Exception {
    String deepest =
        "[".repeat(JsonSchemaInference.MAX_DEPTH) + "1" + "]".repeat(JsonSchemaInference.MAX_DEPTH);
    SchemaAndValue fits = infer(deepest);
    org.apache.kafka.connect.json.JsonConverter converter =
        new org.apache.kafka.connect.json.JsonConverter();
    converter.configure(java.util.Map.of("schemas.enable", "true"), false);
    assertThat(converter.fromConnectData("t", fits.schema(), fits.value())).isNotEmpty();

    assertThatThrownBy(() -> infer("[" + deepest + "]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 100 levels deep");
    // Containers count, values do not: 100 nested arrays around an empty one are 101 levels.
    assertThatThrownBy(
            () ->
                infer(
                    "[".repeat(JsonSchemaInference.MAX_DEPTH + 1)
                        + "]".repeat(JsonSchemaInference.MAX_DEPTH + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            infer(
                    "[".repeat(JsonSchemaInference.MAX_DEPTH)
                        + "]".repeat(JsonSchemaInference.MAX_DEPTH))
                .schema())
        .isNotNull();
    assertThatThrownBy(() -> infer("{\"a\": {\"\": 1}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty name");
  }
}
