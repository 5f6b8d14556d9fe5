package dev.eventkit.connect.enrich;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;

/**
 * Reads a header as text: a {@code String} as it is, {@code byte[]} (MirrorMaker 2, {@code
 * ByteArrayConverter}) and {@code ByteBuffer} decoded as UTF-8, and typed values in Connect's own
 * text form ({@code SimpleHeaderConverter} turns an ISO time with milliseconds into a {@code Date},
 * which reads back the same). The last case cannot restore what that converter's parsing dropped:
 * {@code "007"} arrives as the number 7 and reads as {@code "7"}, {@code "1.10"} as {@code "1.1"},
 * and the text {@code null} as no value (pinned by HeaderConvertersTest; the README recommends
 * StringConverter or ByteArrayConverter as header converter on sinks). Every header the transforms
 * read goes through here.
 */
final class HeaderText {

  private HeaderText() {}

  /** The text of the last header named {@code name}, or null when there is none or it is null. */
  static String last(Headers headers, String name) {
    Header header = headers.lastWithName(name);
    return header == null ? null : of(header);
  }

  static String of(Header header) {
    Object value = header.value();
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (value instanceof ByteBuffer buffer) {
      return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
    return Values.convertToString(header.schema(), value);
  }
}
