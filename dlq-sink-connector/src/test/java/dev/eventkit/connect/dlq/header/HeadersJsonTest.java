package dev.eventkit.connect.dlq.header;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadersJsonTest {

  @Test
  void roundTripsTextBinaryNullAndDuplicatesByteForByte() {
    List<RawHeader> headers =
        List.of(
            new RawHeader("event.id", "e-1".getBytes(StandardCharsets.UTF_8)),
            new RawHeader("partition", new byte[] {0, 0, 0, 3}),
            new RawHeader("not-utf8", new byte[] {(byte) 0xc3, (byte) 0x28}),
            new RawHeader("empty", new byte[0]),
            new RawHeader("nothing", null),
            new RawHeader("event.id", "ünïcode".getBytes(StandardCharsets.UTF_8)));

    String json = HeadersJson.write(headers);
    List<RawHeader> back = HeadersJson.read(json);

    assertThat(json)
        .contains("\"base64\":\"AAAAAw==\"")
        .contains("\"value\":\"e-1\"")
        .contains("\"value\":null");
    assertThat(back).hasSameSizeAs(headers);
    for (int i = 0; i < headers.size(); i++) {
      assertThat(back.get(i).key()).isEqualTo(headers.get(i).key());
      assertThat(back.get(i).value()).isEqualTo(headers.get(i).value());
    }
  }

  /** PostgreSQL jsonb refuses the escape of a NUL character; a key that needs one is base64. */
  @Test
  void aKeyWithControlCharactersRoundTripsWithoutAnEscapedNul() {
    List<RawHeader> headers =
        List.of(
            new RawHeader("key\u0000with-nul", "v".getBytes(StandardCharsets.UTF_8)),
            new RawHeader("tab\tkey", null));

    String json = HeadersJson.write(headers);
    List<RawHeader> back = HeadersJson.read(json);

    assertThat(json).doesNotContain("\\u0000");
    assertThat(back.get(0).key()).isEqualTo("key\u0000with-nul");
    assertThat(back.get(0).value()).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
    assertThat(back.get(1).key()).isEqualTo("tab\tkey");
    assertThat(back.get(1).value()).isNull();
  }
}
