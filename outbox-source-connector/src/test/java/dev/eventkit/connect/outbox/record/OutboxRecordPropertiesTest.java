package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Outbox rows as hostile as a table allows, by the thousand: whatever the columns hold, a row
 * becomes a record Kafka and the JSON converter take, or a poison row naming its reason and column,
 * never another exception (which would stop the task); and a JSON payload keeps every number
 * exactly, in both parsed formats.
 */
class OutboxRecordPropertiesTest {

  private static final Map<String, Object> PARTITION = Map.of("table", "outbox");
  private static final Map<String, Object> OFFSET = Map.of("txid", 1L, "seq", 1L);
  private static final Set<String> COLUMNS =
      Set.of("id", "aggregatetype", "aggregateid", "type", "payload");

  /** The oracle's parse: every number as BigDecimal or BigInteger, nothing rounded. */
  private static final ObjectMapper EXACT =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  @Property(tries = 3_000)
  void anyRowIsARecordKafkaTakesOrAPoisonRowNamingItsColumn(
      @ForAll PayloadFormat format,
      @ForAll("cells") String eventId,
      @ForAll boolean timed,
      @ForAll("templates") String template,
      @ForAll("cells") String aggregateType,
      @ForAll("cells") String aggregateId,
      @ForAll("cells") String eventType,
      @ForAll("payloads") String payload,
      @ForAll("binaryPayloads") byte[] binary,
      @ForAll("cells") String header) {
    OutboxRecordFactory factory = factory(template, format);
    // A binary payload column (bytea) instead of a text one, half the time: random bytes or text.
    boolean bytea = binary.length > 0 && binary[0] % 2 == 0;
    byte[] stored = !bytea ? null : binary[0] % 4 == 0 && payload != null ? utf8(payload) : binary;
    OutboxRow row =
        new OutboxRow(
            eventId,
            aggregateType,
            aggregateId,
            eventType,
            bytea ? null : payload,
            stored,
            timed ? Instant.EPOCH : null,
            header == null ? Map.of() : Map.of("correlation.id", header),
            "1:1");
    SourceRecord record;
    try {
      record = factory.toRecord(row, PARTITION, OFFSET);
    } catch (InvalidRowException poison) {
      assertThat(poison.reason()).matches("[a-z]+(-[a-z0-9]+)*");
      assertThat(poison.column()).isIn(COLUMNS);
      assertThat(poison.getMessage()).isNotBlank();
      SourceRecord invalid =
          factory.toInvalidRecord(row, poison, "outbox.invalid", PARTITION, OFFSET);
      assertConvertible(invalid);
      if (stored != null) {
        // The invalid topic carries the stored bytes exactly: as text, or as base64 if not text.
        var encoding = invalid.headers().lastWithName("eventkit.error.payload.encoding");
        byte[] carried =
            encoding == null
                ? utf8((String) invalid.value())
                : java.util.Base64.getDecoder().decode((String) invalid.value());
        assertThat(carried).isEqualTo(stored);
      }
      return;
    }
    if (stored != null && format == PayloadFormat.BYTES) {
      assertThat((byte[]) record.value()).isEqualTo(stored);
    } else if (stored != null && format == PayloadFormat.STRING) {
      assertThat(utf8((String) record.value())).isEqualTo(stored);
    }
    assertThat(TopicNames.whyInvalid(record.topic())).isNull();
    assertThat(record.key()).isEqualTo(aggregateId);
    assertConvertible(record);
  }

  @Property(tries = 2_000)
  void jsonKeepsEveryNumberExactly(@ForAll("documents") String document) throws Exception {
    JsonNode original = EXACT.readTree(document);

    Object value = JsonPayloads.toSchemaless(JsonPayloads.parse(document));
    JsonNode written = EXACT.readTree(converter(false).fromConnectData("t", null, value));

    assertSameData(original, written, "$");
  }

  @Property(tries = 10_000)
  void structKeepsEveryNumberExactly(@ForAll("documents") String document) throws Exception {
    JsonNode original = EXACT.readTree(document);

    org.apache.kafka.connect.data.SchemaAndValue inferred;
    try {
      inferred = new JsonSchemaInference(16).toConnect(JsonPayloads.parse(document));
    } catch (IllegalArgumentException refused) {
      // The one shape a Struct cannot hold: a poison row, never a failed task.
      assertThat(refused.getMessage()).contains("empty name");
      assertThat(document).contains("\"\":");
      return;
    }
    ConnectSchema.validateValue(inferred.schema(), inferred.value());
    JsonNode written =
        EXACT.readTree(converter(false).fromConnectData("t", inferred.schema(), inferred.value()));

    assertSameData(original, written, "$");
  }

  // ---- Oracles ---------------------------------------------------------------------------------

  /** Kafka's own converters serialize the key, value and every header without an exception. */
  private static void assertConvertible(SourceRecord record) {
    ConnectSchema.validateValue(record.keySchema(), record.key());
    if (record.valueSchema() != null) {
      ConnectSchema.validateValue(record.valueSchema(), record.value());
    }
    converter(record.valueSchema() != null)
        .fromConnectData(record.topic(), record.valueSchema(), record.value());
    for (Header h : record.headers()) {
      assertThat(h.key()).isNotBlank();
      ConnectSchema.validateValue(h.schema(), h.value());
    }
  }

  /**
   * The same data: equal strings, booleans and nulls; every number equal exactly (the json format
   * may carry one as a string of its exact digits); struct fields may add nulls (merged structs),
   * and a value whose type conflicted with its siblings' is its JSON text.
   */
  private static void assertSameData(JsonNode original, JsonNode written, String path)
      throws Exception {
    if (written.isTextual()
        && !original.isTextual()
        && !original.isNumber()
        && !original.isNull()) {
      // A value whose type conflicted with its siblings' (array elements, fields of merged
      // structs), written as its JSON text.
      written = EXACT.readTree(written.asText());
    }
    if (original.isNumber()) {
      BigDecimal expected = new BigDecimal(original.asText());
      BigDecimal actual =
          written.isNumber() ? new BigDecimal(written.asText()) : new BigDecimal(written.asText());
      assertThat(actual.compareTo(expected)).as("number at %s: %s", path, written).isZero();
    } else if (original.isObject()) {
      assertThat(written.isObject()).as("object at %s: %s", path, written).isTrue();
      for (Iterator<Map.Entry<String, JsonNode>> it = original.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        assertThat(written.has(field.getKey())).as("field %s at %s", field.getKey(), path).isTrue();
        assertSameData(field.getValue(), written.get(field.getKey()), path + "." + field.getKey());
      }
      for (Iterator<String> names = written.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!original.has(name)) {
          assertThat(written.get(name).isNull()).as("added field %s at %s", name, path).isTrue();
        }
      }
    } else if (original.isArray()) {
      assertThat(written.size()).as("array at %s", path).isEqualTo(original.size());
      for (int i = 0; i < original.size(); i++) {
        assertSameData(original.get(i), written.get(i), path + "[" + i + "]");
      }
    } else {
      assertThat(written).as("value at %s", path).isEqualTo(original);
    }
  }

  private static JsonConverter converter(boolean schemas) {
    JsonConverter converter = new JsonConverter();
    converter.configure(
        Map.of("schemas.enable", Boolean.toString(schemas), "decimal.format", "NUMERIC"), false);
    return converter;
  }

  private static OutboxRecordFactory factory(String template, PayloadFormat format) {
    return new OutboxRecordFactory(
        TopicTemplate.compile(template),
        format,
        false,
        "id",
        "aggregatetype",
        "aggregateid",
        "type",
        "payload");
  }

  // ---- Generators ------------------------------------------------------------------------------

  @Provide
  Arbitrary<byte[]> binaryPayloads() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Provide
  Arbitrary<String> templates() {
    return Arbitraries.of(
        "${aggregate_type}.events", "events.${aggregate_type}.${event_type}", "all-events");
  }

  /** NULL, empty, blank, control characters, any Unicode, topic-breaking punctuation, long. */
  @Provide
  Arbitrary<String> cells() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just((String) null)),
        Tuple.of(1, Arbitraries.of("", " ", "\t", "order", "a.b", "..", "x".repeat(300))),
        Tuple.of(3, Arbitraries.strings().ofMaxLength(40)),
        Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("._-").ofMaxLength(30)));
  }

  /** NULL, random text, broken JSON, valid JSON documents, huge and deep documents. */
  @Provide
  Arbitrary<String> payloads() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just((String) null)),
        Tuple.of(2, Arbitraries.strings().ofMaxLength(60)),
        Tuple.of(
            1,
            Arbitraries.of(
                "",
                "{",
                "[1,",
                "{\"a\": 1} trailing",
                "{\"a\": 1, \"a\": 2}",
                "NaN",
                "1e999999999",
                "\"\\ud800\"",
                "[".repeat(2_000) + "]".repeat(2_000),
                "{\"a\":".repeat(1_500) + "1" + "}".repeat(1_500),
                // Just under Jackson's nesting limit: these reach inference and the converter.
                "[".repeat(900) + "1.5" + "]".repeat(900),
                "{\"a\":".repeat(900) + "[1, \"x\", {\"b\": 2}]" + "}".repeat(900))),
        Tuple.of(4, documents()));
  }

  @Provide
  Arbitrary<String> documents() {
    return value(3).filter(v -> v.startsWith("{") || v.startsWith("["));
  }

  private Arbitrary<String> value(int depth) {
    Arbitrary<String> leaf =
        Arbitraries.frequencyOf(
            Tuple.of(3, numbers()),
            Tuple.of(
                2, Arbitraries.strings().ofMaxLength(15).map(OutboxRecordPropertiesTest::quote)),
            Tuple.of(1, Arbitraries.of("true", "false", "null")));
    if (depth == 0) {
      return leaf;
    }
    return Arbitraries.frequencyOf(
        Tuple.of(3, leaf), Tuple.of(2, object(depth - 1)), Tuple.of(1, array(depth - 1)));
  }

  private Arbitrary<String> object(int depth) {
    Arbitrary<String> key = Arbitraries.strings().ofMaxLength(8);
    return Combinators.combine(key.set().ofMaxSize(5), value(depth).list().ofSize(5))
        .as(
            (keys, values) -> {
              Iterator<String> v = values.iterator();
              return keys.stream()
                  .map(k -> quote(k) + ": " + v.next())
                  .collect(Collectors.joining(", ", "{", "}"));
            });
  }

  /** Arrays of one kind (numbers, strings or objects), or mixed. */
  private Arbitrary<String> array(int depth) {
    return Arbitraries.oneOf(numbers(), value(0), object(depth))
        .list()
        .ofMaxSize(4)
        .map(items -> String.join(", ", items))
        .map(items -> "[" + items + "]");
  }

  /** Integers of any size, decimals of any scale, exponent forms, negative zero. */
  private static Arbitrary<String> numbers() {
    Arbitrary<BigInteger> unscaled =
        Arbitraries.bigIntegers()
            .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
            .edgeCases(e -> e.add(BigInteger.valueOf(Long.MAX_VALUE)));
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.longs().map(Object::toString)),
        Tuple.of(
            3,
            Combinators.combine(unscaled, Arbitraries.integers().between(-20, 40))
                .as((u, scale) -> new BigDecimal(u, scale).toString())),
        Tuple.of(
            1,
            Arbitraries.of("-0", "0.0", "-0.0", "1e5", "1E-7", "19.50", "1.7976931348623157e309")));
  }

  private static String quote(String text) {
    try {
      return EXACT.writeValueAsString(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
