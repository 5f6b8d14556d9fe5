package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;

/**
 * On a sink, the worker's header converter turns the wire bytes into header values before the
 * transforms run. What the README promises about each: StringConverter and ByteArrayConverter keep
 * the text exactly; the default SimpleHeaderConverter parses it, and what parses as a number (or
 * the word null) comes back in Connect's form, not as written.
 */
class HeaderConvertersTest {

  private static final String TOPIC = "orders.events";

  private static ConnectHeaders converted(HeaderConverter converter, String name, String text) {
    converter.configure(Map.of("converter.type", "header")); // as the worker configures it
    ConnectHeaders headers = new ConnectHeaders();
    headers.add(
        name, converter.toConnectHeader(TOPIC, name, text.getBytes(StandardCharsets.UTF_8)));
    return headers;
  }

  private static String read(HeaderConverter converter, String text) {
    return HeaderText.last(converted(converter, "h", text), "h");
  }

  @Test
  void stringAndByteArrayConvertersKeepTheTextExactly() {
    for (String text : new String[] {"007", "1.10", "1.0", " 7 ", "null", "[1, 2]", "e-1"}) {
      assertThat(read(new StringConverter(), text)).isEqualTo(text);
      assertThat(read(new ByteArrayConverter(), text)).isEqualTo(text);
    }
  }

  @Test
  void simpleHeaderConverterKeepsTextButNormalisesWhatParsesAsANumber() {
    // Kept: names, ids, URIs, times (an ISO instant with milliseconds round-trips through a Date).
    for (String text :
        new String[] {
          "OrderPlaced",
          "0190f6b4-1111-7abc-8def-0123456789ab",
          "/orders-service",
          "2025-11-26T09:40:00.123Z",
          "2025-11-26T09:40:00Z",
          "true",
          "TRUE",
          "v1.10"
        }) {
      assertThat(read(new SimpleHeaderConverter(), text)).as(text).isEqualTo(text);
    }
    // Changed: numbers lose leading and trailing zeros and whitespace, JSON loses its spacing,
    // and the text null is no value at all.
    assertThat(read(new SimpleHeaderConverter(), "007")).isEqualTo("7");
    assertThat(read(new SimpleHeaderConverter(), "1.10")).isEqualTo("1.1");
    assertThat(read(new SimpleHeaderConverter(), "1.0")).isEqualTo("1");
    assertThat(read(new SimpleHeaderConverter(), " 7 ")).isEqualTo("7");
    assertThat(read(new SimpleHeaderConverter(), "1e3")).isEqualTo("1000");
    assertThat(read(new SimpleHeaderConverter(), "[1, 2]")).isEqualTo("[1,2]");
    assertThat(read(new SimpleHeaderConverter(), "null")).isNull();
  }

  @Test
  void aVersionHeaderThroughSimpleHeaderConverterChangesTheVersionTheTransformsSee() {
    EventVersion<SinkRecord> version = new EventVersion.Value<>();
    version.configure(Map.of("version.source", "header:schema.version"));
    EventMetadata<SinkRecord> metadata = new EventMetadata.Value<>();
    metadata.configure(Map.of());

    assertThat(stamped(version, new SimpleHeaderConverter(), "schema.version", "1.10"))
        .isEqualTo("1.1");
    assertThat(stamped(version, new StringConverter(), "schema.version", "1.10")).isEqualTo("1.10");
    assertThat(stamped(version, new ByteArrayConverter(), "schema.version", "1.10"))
        .isEqualTo("1.10");
    // The event id itself is kept as it came; the correlation id derived from it is not.
    assertThat(correlationId(metadata, new SimpleHeaderConverter(), "007")).isEqualTo("7");
    assertThat(correlationId(metadata, new StringConverter(), "007")).isEqualTo("007");
  }

  private static String stamped(
      EventVersion<SinkRecord> smt, HeaderConverter converter, String name, String text) {
    SinkRecord out = smt.apply(sinkRecord(converted(converter, name, text)));
    return HeaderText.last(out.headers(), "event.schema.version");
  }

  private static String correlationId(
      EventMetadata<SinkRecord> smt, HeaderConverter converter, String eventId) {
    SinkRecord out = smt.apply(sinkRecord(converted(converter, "event.id", eventId)));
    return HeaderText.last(out.headers(), "correlation.id");
  }

  private static SinkRecord sinkRecord(ConnectHeaders headers) {
    return new SinkRecord(
        TOPIC,
        0,
        null,
        "k",
        null,
        "{}",
        1,
        1L,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        headers);
  }
}
