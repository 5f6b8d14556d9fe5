package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Both transforms on records whose headers hold anything a header converter or an upstream producer
 * can put there, by the thousand: the headers they read (event id, type, source, correlation,
 * version, their CloudEvents names) as null, text with control characters and lone surrogates,
 * random bytes (invalid UTF-8 included), byte buffers, numbers, booleans, times, lists and maps,
 * repeated up to six times under one name, 64 KB long. A transform either returns a record or
 * throws Connect's {@link DataException} with a message (which a sink's errors.tolerance routes to
 * its dead-letter queue), never another exception; a record it returns keeps every header it was
 * given and holds only headers Kafka's header converter can write.
 */
class HeaderValuesPropertiesTest {

  private static final List<String> NAMES =
      List.of(
          "event.id",
          "event.type",
          "event.source",
          "correlation.id",
          "causation.id",
          "event.schema.version",
          "ce_id",
          "ce_type",
          "ce_source",
          "ce_specversion",
          "ce_dataschema",
          "other");

  private static final List<Map<String, String>> METADATA_CONFIGS =
      List.of(
          Map.of(),
          Map.of("header.naming", "cloudevents", "source.source", "literal:/orders"),
          Map.of("on.missing", "fail", "overwrite", "true"));

  private static final List<Map<String, String>> VERSION_CONFIGS =
      List.of(
          Map.of("versions", "OrderPlaced:3,OrderShipped:1"),
          Map.of("versions", "OrderPlaced:3", "on.missing", "fail"),
          Map.of(
              "versions",
              "OrderPlaced:3",
              "header.naming",
              "cloudevents",
              "dataschema.template",
              "https://schemas.example.com/${event_type}/v${version}.json"));

  @Property(tries = 3_000)
  void eventMetadataReturnsARecordOrADataExceptionAndKeepsEveryHeader(
      @ForAll("headers") List<Tuple.Tuple2<String, SchemaAndValue>> headers,
      @ForAll("configIndex") int config) {
    EventMetadata<SourceRecord> smt = new EventMetadata.Value<>();
    smt.configure(new HashMap<>(METADATA_CONFIGS.get(config)));
    // overwrite=true replaces the metadata headers it writes; any other header stays.
    check(smt, headers, !METADATA_CONFIGS.get(config).containsKey("overwrite"));
  }

  @Property(tries = 3_000)
  void eventVersionReturnsARecordOrADataExceptionAndKeepsEveryHeader(
      @ForAll("headers") List<Tuple.Tuple2<String, SchemaAndValue>> headers,
      @ForAll("configIndex") int config) {
    EventVersion<SourceRecord> smt = new EventVersion.Value<>();
    smt.configure(new HashMap<>(VERSION_CONFIGS.get(config)));
    check(smt, headers, true);
  }

  private static void check(
      Transformation<SourceRecord> smt,
      List<Tuple.Tuple2<String, SchemaAndValue>> headers,
      boolean keepsAll) {
    ConnectHeaders given = new ConnectHeaders();
    for (Tuple.Tuple2<String, SchemaAndValue> h : headers) {
      given.add(h.get1(), h.get2());
    }
    SourceRecord in =
        new SourceRecord(
            Map.of(), Map.of(), "orders.events", null, null, "o-1", null, "{}", 1L, given);
    // An attribute whose last header is null or blank counts as missing: the header written
    // replaces every header of that name. Any other header stays where it was.
    List<String> before =
        texts(
            StreamSupport.stream(in.headers().spliterator(), false)
                .filter(
                    h -> {
                      if (h.key().equals("other")) {
                        return true;
                      }
                      String last = HeaderText.last(in.headers(), h.key());
                      return keepsAll && last != null && !last.isBlank();
                    })
                .toList());
    SourceRecord out;
    try {
      out = smt.apply(in);
    } catch (DataException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
      return;
    } finally {
      smt.close();
    }

    List<String> after = texts(out.headers());
    if (!before.isEmpty()) {
      assertThat(after).as("every header given is kept, in order").containsSubsequence(before);
    }
    SimpleHeaderConverter converter = new SimpleHeaderConverter();
    converter.configure(Map.of());
    for (Header h : out.headers()) {
      if (h.schema() != null) {
        ConnectSchema.validateValue(h.schema(), h.value());
      }
      converter.fromConnectHeader(out.topic(), h.key(), h.schema(), h.value());
    }
  }

  /** Headers as comparable text (byte arrays by content). */
  private static List<String> texts(Iterable<Header> headers) {
    return StreamSupport.stream(headers.spliterator(), false)
        .map(
            h ->
                h.key()
                    + "="
                    + (h.value() instanceof byte[] bytes
                        ? java.util.Arrays.toString(bytes)
                        : String.valueOf(h.value())))
        .toList();
  }

  @Provide
  Arbitrary<Integer> configIndex() {
    return Arbitraries.integers().between(0, 2);
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<String, SchemaAndValue>>> headers() {
    Arbitrary<String> name = Arbitraries.of(NAMES);
    return Combinators.combine(name, values()).as(Tuple::of).list().ofMaxSize(12);
  }

  private static Arbitrary<SchemaAndValue> values() {
    Arbitrary<String> text =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.strings().ofMaxLength(30)),
            Tuple.of(
                2,
                Arbitraries.of(
                    "OrderPlaced",
                    "OrderShipped",
                    "3",
                    "1.0",
                    "",
                    " ",
                    "\u0000",
                    "\ud800",
                    "null",
                    "/orders",
                    "0192b3c4-5d6e-7f80-9a0b-1c2d3e4f5a6b")),
            Tuple.of(1, Arbitraries.just("x".repeat(64 * 1024))));
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(SchemaAndValue.NULL)),
        Tuple.of(4, text.map(t -> new SchemaAndValue(Schema.OPTIONAL_STRING_SCHEMA, t))),
        Tuple.of(
            2,
            Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(40)
                .map(b -> new SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, b))),
        Tuple.of(
            1,
            text.map(
                t ->
                    new SchemaAndValue(
                        Schema.OPTIONAL_BYTES_SCHEMA,
                        ByteBuffer.wrap(t.getBytes(StandardCharsets.UTF_8))))),
        Tuple.of(
            1,
            Arbitraries.integers().map(i -> new SchemaAndValue(Schema.OPTIONAL_INT32_SCHEMA, i))),
        Tuple.of(
            1, Arbitraries.longs().map(l -> new SchemaAndValue(Schema.OPTIONAL_INT64_SCHEMA, l))),
        Tuple.of(
            1,
            Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 3.0, 1e300)
                .map(d -> new SchemaAndValue(Schema.OPTIONAL_FLOAT64_SCHEMA, d))),
        Tuple.of(
            1,
            Arbitraries.of(true, false)
                .map(b -> new SchemaAndValue(Schema.OPTIONAL_BOOLEAN_SCHEMA, b))),
        Tuple.of(
            1,
            Arbitraries.longs()
                .between(-62_135_596_800_000L, 253_402_300_799_999L)
                .map(ms -> new SchemaAndValue(Timestamp.SCHEMA, new java.util.Date(ms)))),
        Tuple.of(
            1,
            text.list()
                .ofMaxSize(3)
                .map(
                    l ->
                        new SchemaAndValue(
                            SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build(),
                            new ArrayList<>(l)))),
        Tuple.of(
            1,
            text.map(
                t ->
                    new SchemaAndValue(
                        SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA)
                            .optional()
                            .build(),
                        Map.of("k", t)))));
  }
}
