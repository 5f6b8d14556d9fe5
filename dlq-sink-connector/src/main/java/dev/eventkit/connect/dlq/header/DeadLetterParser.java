package dev.eventkit.connect.dlq.header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Normalises the error headers of the three dialects into a {@link DeadLetter}. Parsing never
 * fails: a header that cannot be decoded leaves its column empty, and the raw headers are kept
 * regardless.
 */
public final class DeadLetterParser {

  static final String CONNECT_PREFIX = "__connect.errors.";
  static final String SPRING_PREFIX = "kafka_dlt-";
  static final String STREAMS_PREFIX = "__streams.errors.";

  private DeadLetterParser() {}

  /** Whether a header is an error header of any dialect (dropped again on replay). */
  public static boolean isErrorHeader(String key) {
    return key.startsWith(CONNECT_PREFIX)
        || key.startsWith(SPRING_PREFIX)
        || key.startsWith(STREAMS_PREFIX);
  }

  public static DeadLetter parse(
      String dlqTopic,
      int dlqPartition,
      long dlqOffset,
      Long dlqTimestampMs,
      byte[] key,
      byte[] value,
      List<RawHeader> headers) {
    // A record dead-lettered twice carries duplicate keys: the last one wins.
    Map<String, byte[]> last = new HashMap<>();
    for (RawHeader header : headers) {
      last.put(header.key(), header.value());
    }
    ErrorDialect dialect = dialectOf(last);
    Builder b = new Builder();
    switch (dialect) {
      case CONNECT:
        b.originTopic = text(last, CONNECT_PREFIX + "topic");
        b.originPartition = parseInt(text(last, CONNECT_PREFIX + "partition"));
        b.originOffset = parseLong(text(last, CONNECT_PREFIX + "offset"));
        b.connectorName = text(last, CONNECT_PREFIX + "connector.name");
        b.taskId = parseInt(text(last, CONNECT_PREFIX + "task.id"));
        b.stage = text(last, CONNECT_PREFIX + "stage");
        b.failingClass = text(last, CONNECT_PREFIX + "class.name");
        b.exceptionClass = text(last, CONNECT_PREFIX + "exception.class.name");
        b.exceptionMessage = text(last, CONNECT_PREFIX + "exception.message");
        b.exceptionStacktrace = text(last, CONNECT_PREFIX + "exception.stacktrace");
        break;
      case SPRING:
        b.originTopic = text(last, SPRING_PREFIX + "original-topic");
        b.originPartition = int32(last.get(SPRING_PREFIX + "original-partition"));
        b.originOffset = int64(last.get(SPRING_PREFIX + "original-offset"));
        Long timestamp = int64(last.get(SPRING_PREFIX + "original-timestamp"));
        b.originTimestamp = timestamp == null ? null : Instant.ofEpochMilli(timestamp);
        b.consumerGroup = text(last, SPRING_PREFIX + "original-consumer-group");
        boolean keyFailure = last.containsKey(SPRING_PREFIX + "key-exception-fqcn");
        String prefix = SPRING_PREFIX + (keyFailure ? "key-exception-" : "exception-");
        b.stage = keyFailure ? "KEY_DESERIALIZATION" : null;
        b.exceptionClass = text(last, prefix + "fqcn");
        b.failingClass = text(last, SPRING_PREFIX + "exception-cause-fqcn");
        b.exceptionMessage = text(last, prefix + "message");
        b.exceptionStacktrace = text(last, prefix + "stacktrace");
        break;
      case STREAMS:
        b.originTopic = text(last, STREAMS_PREFIX + "topic");
        b.originPartition = parseInt(text(last, STREAMS_PREFIX + "partition"));
        b.originOffset = parseLong(text(last, STREAMS_PREFIX + "offset"));
        b.exceptionClass = text(last, STREAMS_PREFIX + "exception");
        b.exceptionMessage = text(last, STREAMS_PREFIX + "message");
        b.exceptionStacktrace = text(last, STREAMS_PREFIX + "stacktrace");
        break;
      default:
        break;
    }
    String eventId = firstText(last, "event.id", "ce_id");
    String eventType = firstText(last, "event.type", "ce_type");
    String correlationId = firstText(last, "correlation.id", "ce_correlationid");
    return new DeadLetter(
        dlqTopic,
        dlqPartition,
        dlqOffset,
        dlqTimestampMs == null || dlqTimestampMs < 0 ? null : Instant.ofEpochMilli(dlqTimestampMs),
        b.originTopic,
        b.originPartition,
        b.originOffset,
        b.originTimestamp,
        dialect,
        b.connectorName,
        b.taskId,
        b.stage,
        b.failingClass,
        b.consumerGroup,
        b.exceptionClass,
        b.exceptionMessage,
        b.exceptionStacktrace,
        eventId,
        eventType,
        correlationId,
        key,
        value,
        List.copyOf(headers));
  }

  private static ErrorDialect dialectOf(Map<String, byte[]> headers) {
    boolean connect = false;
    boolean spring = false;
    boolean streams = false;
    for (String key : headers.keySet()) {
      connect |= key.startsWith(CONNECT_PREFIX);
      spring |= key.startsWith(SPRING_PREFIX);
      streams |= key.startsWith(STREAMS_PREFIX);
    }
    // A record can pass through several frameworks; the one that dead-lettered it last is the
    // outermost, and Connect (a DLQ sink downstream of others) wraps the rest.
    return connect
        ? ErrorDialect.CONNECT
        : spring ? ErrorDialect.SPRING : streams ? ErrorDialect.STREAMS : ErrorDialect.UNKNOWN;
  }

  private static final class Builder {
    String originTopic;
    Integer originPartition;
    Long originOffset;
    Instant originTimestamp;
    String connectorName;
    Integer taskId;
    String stage;
    String failingClass;
    String consumerGroup;
    String exceptionClass;
    String exceptionMessage;
    String exceptionStacktrace;
  }

  private static String firstText(Map<String, byte[]> headers, String... keys) {
    for (String key : keys) {
      String value = text(headers, key);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** The header as UTF-8 text, or null when absent, null or not valid UTF-8. */
  static String text(Map<String, byte[]> headers, String key) {
    byte[] value = headers.get(key);
    return value == null ? null : utf8(value);
  }

  /** Strict UTF-8 decoding: null for bytes that are not text. */
  public static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static Integer int32(byte[] bytes) {
    return bytes != null && bytes.length == Integer.BYTES ? ByteBuffer.wrap(bytes).getInt() : null;
  }

  private static Long int64(byte[] bytes) {
    return bytes != null && bytes.length == Long.BYTES ? ByteBuffer.wrap(bytes).getLong() : null;
  }

  private static Integer parseInt(String text) {
    try {
      return text == null ? null : Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long parseLong(String text) {
    try {
      return text == null ? null : Long.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
