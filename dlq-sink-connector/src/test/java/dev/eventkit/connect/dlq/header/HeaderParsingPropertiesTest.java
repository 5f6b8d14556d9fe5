package dev.eventkit.connect.dlq.header;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Hostile headers by the thousand: whatever bytes a dead letter carries (invalid UTF-8, control
 * characters, NULs, huge and duplicated headers, every dialect's error keys with garbage values),
 * parsing never fails and the archived header JSON gives back every header byte for byte, in order.
 */
class HeaderParsingPropertiesTest {

  private static final List<String> ERROR_KEYS =
      List.of(
          "__connect.errors.topic",
          "__connect.errors.partition",
          "__connect.errors.offset",
          "__connect.errors.task.id",
          "__connect.errors.exception.message",
          "kafka_dlt-original-topic",
          "kafka_dlt-original-partition",
          "kafka_dlt-original-offset",
          "kafka_dlt-original-timestamp",
          "kafka_dlt-key-exception-fqcn",
          "kafka_dlt-exception-message",
          "__streams.errors.topic",
          "__streams.errors.partition",
          "__streams.errors.offset",
          "event.id",
          "ce_id");

  @Property(tries = 1_000)
  void headerJsonGivesBackEveryHeaderByteForByte(
      @ForAll("headers") @Size(max = 20) List<RawHeader> headers) {
    String json = HeadersJson.write(headers);
    List<RawHeader> back = HeadersJson.read(json);

    // jsonb refuses \u0000 in any string; a lone surrogate cannot come out of UTF-8 decoding.
    assertThat(json).doesNotContain("\\u0000");
    assertThat(back).hasSameSizeAs(headers);
    for (int i = 0; i < headers.size(); i++) {
      assertThat(back.get(i).key()).isEqualTo(headers.get(i).key());
      assertThat(back.get(i).value()).isEqualTo(headers.get(i).value());
    }
  }

  @Property(tries = 1_000)
  void parsingNeverFailsAndKeepsTheRecordWhole(
      @ForAll("headers") @Size(max = 20) List<RawHeader> headers,
      @ForAll("bytes") byte[] key,
      @ForAll("bytes") byte[] value) {
    DeadLetter letter = DeadLetterParser.parse("orders.dlq", 2, 77L, -1L, key, value, headers);

    assertThat(letter.headers()).containsExactlyElementsOf(headers);
    assertThat(letter.key()).isSameAs(key);
    assertThat(letter.value()).isSameAs(value);
    assertThat(letter.dlqTimestamp()).isNull();
    assertThat(letter.describe()).isEqualTo("dead letter orders.dlq-2@77");
  }

  @Property(tries = 1_000)
  void theLastOfDuplicatedErrorHeadersWins(
      @ForAll("numbers") int first, @ForAll("numbers") int second) {
    List<RawHeader> headers = new ArrayList<>();
    headers.add(new RawHeader("__connect.errors.partition", utf8(Integer.toString(first))));
    headers.add(new RawHeader("__connect.errors.partition", utf8(Integer.toString(second))));

    DeadLetter letter = DeadLetterParser.parse("t.dlq", 0, 0L, null, null, null, headers);

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.CONNECT);
    assertThat(letter.originPartition()).isEqualTo(second);
    assertThat(letter.headers()).hasSize(2);
  }

  @Property(tries = 1_000)
  void springBinaryNumbersOfAnyOtherLengthAreLeftEmpty(@ForAll("bytes") byte[] garbage) {
    List<RawHeader> headers =
        List.of(
            new RawHeader("kafka_dlt-original-partition", garbage),
            new RawHeader("kafka_dlt-original-offset", garbage));

    DeadLetter letter = DeadLetterParser.parse("t.dlq", 0, 0L, null, null, null, headers);

    assertThat(letter.dialect()).isEqualTo(ErrorDialect.SPRING);
    assertThat(letter.originPartition())
        .isEqualTo(
            garbage != null && garbage.length == 4 ? ByteBuffer.wrap(garbage).getInt() : null);
    assertThat(letter.originOffset())
        .isEqualTo(
            garbage != null && garbage.length == 8 ? ByteBuffer.wrap(garbage).getLong() : null);
  }

  @Provide
  Arbitrary<List<RawHeader>> headers() {
    // Kafka decodes header keys from UTF-8, so a key never holds a lone surrogate: any other
    // character, controls and NUL included, can be there.
    Arbitrary<String> keys =
        Arbitraries.oneOf(
                Arbitraries.of(ERROR_KEYS),
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings()
                    .withCharRange('\u0000', '\u001f')
                    .ofMinLength(1)
                    .ofMaxLength(5))
            .map(key -> new String(utf8(key), StandardCharsets.UTF_8));
    return Combinators.combine(keys, bytes()).as(RawHeader::new).list();
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(null)),
        Tuple.of(2, Arbitraries.just(new byte[0])),
        Tuple.of(10, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)), // mostly not UTF-8
        Tuple.of(10, Arbitraries.strings().ofMaxLength(64).map(HeaderParsingPropertiesTest::utf8)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(60_000).ofMaxSize(70_000)));
  }

  @Provide
  Arbitrary<Integer> numbers() {
    return Arbitraries.integers();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
