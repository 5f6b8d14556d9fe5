package dev.eventkit.connect.enrich;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;

/**
 * Reads a header as the text it carries on the wire, whatever the worker's header converter made of
 * it: {@code byte[]} (MirrorMaker 2, {@code ByteArrayConverter}) is decoded as UTF-8, and typed
 * values ({@code SimpleHeaderConverter} turns {@code 3} into a number and an ISO time with
 * milliseconds into a {@code Date}) are written back in Connect's own text form. Every header the
 * transforms read goes through here.
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
