package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class JsonPayloadsTest {

  private static Object schemaless(String json) throws Exception {
    return JsonPayloads.toSchemaless(JsonPayloads.parse(json));
  }

  /** What JsonConverter with schemas.enable=false writes for a schemaless value. */
  private static String written(Object value) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "false"), false);
    return new String(converter.fromConnectData("t", null, value), StandardCharsets.UTF_8);
  }

  @Test
  void decimalsADoubleWritesBackAsTheSameNumberAreDoubles() throws Exception {
    Object value = schemaless("{\"rate\": 0.1, \"price\": 19.99, \"total\": 12.5, \"tiny\": 1e-7}");

    assertThat(value).isEqualTo(Map.of("rate", 0.1, "price", 19.99, "total", 12.5, "tiny", 1e-7));
    assertThat(written(value))
        .isEqualTo("{\"rate\":0.1,\"price\":19.99,\"total\":12.5,\"tiny\":1.0E-7}");
  }

  @Test
  void integersThatFitInALongAreLongsWrittenWithEveryDigit() throws Exception {
    Object value = schemaless("[9007199254740993, 9223372036854775807, -9223372036854775808]");

    assertThat(value).isEqualTo(List.of(9007199254740993L, Long.MAX_VALUE, Long.MIN_VALUE));
    assertThat(written(value))
        .isEqualTo("[9007199254740993,9223372036854775807,-9223372036854775808]");
  }

  @Test
  void numbersNoDoubleOrLongHoldsKeepEveryDigitAsText() throws Exception {
    Object value =
        schemaless(
            "{\"price\": 12345678901234567.89, \"id\": 12345678901234567890123,"
                + " \"ratio\": 0.1234567890123456789, \"huge\": 1e400}");

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("price", "12345678901234567.89");
    expected.put("id", "12345678901234567890123");
    expected.put("ratio", "0.1234567890123456789");
    expected.put("huge", "1E+400");
    assertThat(value).isEqualTo(expected);
    assertThat(written(value))
        .isEqualTo(
            "{\"price\":\"12345678901234567.89\",\"id\":\"12345678901234567890123\","
                + "\"ratio\":\"0.1234567890123456789\",\"huge\":\"1E+400\"}");
  }

  @Test
  void aDecimalTheJvmWouldWriteWithOtherDigitsIsKeptAsText() throws Exception {
    // Before JDK 19, Double.toString (which Jackson and so JsonConverter use) writes this double
    // as 2.82879384806159008E17: the same double, but not the same decimal number. Whatever the
    // JVM, the bytes JsonConverter writes must hold the number as written.
    BigDecimal number = new BigDecimal("2.82879384806159E17");
    double parsed = number.doubleValue();
    boolean jvmWritesItBack = new BigDecimal(Double.toString(parsed)).compareTo(number) == 0;

    Object value = schemaless("[2.82879384806159E17]");

    assertThat(value)
        .isEqualTo(jvmWritesItBack ? List.of(parsed) : List.of("2.82879384806159E+17"));
    JsonNode written = JsonPayloads.parse(written(value)).get(0);
    assertThat(written.isTextual() ? new BigDecimal(written.textValue()) : written.decimalValue())
        .isEqualByComparingTo(number);
  }

  @Test
  void numbersInsideNestedArraysAndObjectsAreMappedTheSameWay() throws Exception {
    Object value =
        schemaless("{\"lines\": [{\"qty\": 2, \"price\": 19.99}, null, [12345678901234567.89]]}");

    Map<String, Object> line = new LinkedHashMap<>();
    line.put("qty", 2L);
    line.put("price", 19.99);
    assertThat(value)
        .isEqualTo(Map.of("lines", Arrays.asList(line, null, List.of("12345678901234567.89"))));
    assertThat(written(value))
        .isEqualTo("{\"lines\":[{\"qty\":2,\"price\":19.99},null,[\"12345678901234567.89\"]]}");
  }
}
