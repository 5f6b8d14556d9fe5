package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Numbers a double cannot hold survive the whole way: outbox row, record value, JsonConverter bytes
 * (and back, where the converter reads them).
 */
class ExactNumbersTest {

  private static final String PAYLOAD =
      "{\"rate\": 0.1, \"price\": 19.99, \"total\": 12345678901234567.89,"
          + " \"id\": 12345678901234567890123, \"seq\": 9007199254740993,"
          + " \"lines\": [{\"amount\": 0.30}, {\"amount\": 1}, {\"amount\": null}]}";

  /** Reads numbers back without rounding, keeping their scale. */
  private static final JsonMapper EXACT =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private static SourceRecord record(PayloadFormat format) throws InvalidRowException {
    OutboxRecordFactory factory =
        new OutboxRecordFactory(
            TopicTemplate.compile("${aggregate_type}.events"),
            format,
            false,
            "id",
            "aggregatetype",
            "aggregateid",
            "type",
            "payload");
    OutboxRow row =
        new OutboxRow(
            "e-1", "order", "o-1", "OrderPlaced", PAYLOAD, null, Instant.EPOCH, Map.of(), "1:1");
    return factory.toRecord(row, Map.of(), Map.of());
  }

  private static JsonConverter converter(Map<String, String> config) {
    JsonConverter converter = new JsonConverter();
    converter.configure(config, false);
    return converter;
  }

  @Test
  void jsonFormatWritesEveryDigitThroughJsonConverterWithoutSchemas() throws Exception {
    SourceRecord record = record(PayloadFormat.JSON);

    byte[] bytes =
        converter(Map.of("schemas.enable", "false"))
            .fromConnectData(record.topic(), record.valueSchema(), record.value());

    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text)
        .contains("\"rate\":0.1", "\"price\":19.99", "\"seq\":9007199254740993")
        .contains("\"total\":\"12345678901234567.89\"", "\"id\":\"12345678901234567890123\"");
    JsonNode json = EXACT.readTree(bytes);
    assertThat(json.get("rate").decimalValue()).isEqualByComparingTo("0.1");
    assertThat(json.get("price").decimalValue()).isEqualByComparingTo("19.99");
    assertThat(new BigDecimal(json.get("total").textValue()))
        .isEqualTo(new BigDecimal("12345678901234567.89"));
    assertThat(new BigInteger(json.get("id").textValue()))
        .isEqualTo(new BigInteger("12345678901234567890123"));
    assertThat(json.get("seq").longValue()).isEqualTo(9007199254740993L);
    assertThat(json.get("lines").get(0).get("amount").decimalValue()).isEqualByComparingTo("0.3");
    assertThat(json.get("lines").get(1).get("amount").longValue()).isEqualTo(1L);
    assertThat(json.get("lines").get(2).get("amount").isNull()).isTrue();
  }

  @Test
  void structFormatWritesEveryDigitThroughJsonConverterWithNumericDecimals() throws Exception {
    SourceRecord record = record(PayloadFormat.STRUCT);
    JsonConverter converter =
        converter(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC"));

    byte[] bytes = converter.fromConnectData(record.topic(), record.valueSchema(), record.value());

    JsonNode payload = EXACT.readTree(bytes).get("payload");
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"total\":12345678901234567.89", "\"id\":12345678901234567890123");
    assertThat(payload.get("rate").decimalValue()).isEqualTo(new BigDecimal("0.1"));
    assertThat(payload.get("price").decimalValue()).isEqualTo(new BigDecimal("19.99"));
    assertThat(payload.get("total").decimalValue())
        .isEqualTo(new BigDecimal("12345678901234567.89"));
    assertThat(payload.get("id").bigIntegerValue())
        .isEqualTo(new BigInteger("12345678901234567890123"));
    assertThat(payload.get("seq").longValue()).isEqualTo(9007199254740993L);
    assertThat(payload.get("lines").get(0).get("amount").decimalValue())
        .isEqualTo(new BigDecimal("0.30"));
    assertThat(payload.get("lines").get(1).get("amount").decimalValue())
        .isEqualTo(new BigDecimal("1.00"));
    assertThat(payload.get("lines").get(2).get("amount").isNull()).isTrue();
    assertRoundTrip(converter, record);
  }

  @Test
  void structFormatSurvivesJsonConverterWithItsDefaultBase64Decimals() throws Exception {
    SourceRecord record = record(PayloadFormat.STRUCT);

    assertRoundTrip(converter(Map.of("schemas.enable", "true")), record);
  }

  private static void assertRoundTrip(JsonConverter converter, SourceRecord record) {
    byte[] bytes = converter.fromConnectData(record.topic(), record.valueSchema(), record.value());
    SchemaAndValue back = converter.toConnectData(record.topic(), bytes);

    Struct value = (Struct) back.value();
    assertThat(back.schema()).isEqualTo(record.valueSchema());
    assertThat(value).isEqualTo(record.value());
    assertThat(value.get("total")).isEqualTo(new BigDecimal("12345678901234567.89"));
    assertThat(value.get("id")).isEqualTo(new BigDecimal("12345678901234567890123"));
    assertThat(value.get("rate")).isEqualTo(new BigDecimal("0.1"));
    assertThat(value.get("price")).isEqualTo(new BigDecimal("19.99"));
    assertThat(value.getInt64("seq")).isEqualTo(9007199254740993L);
  }
}
