package dev.eventkit.connect.outbox.capture.log;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads the records Debezium's task returns: what kind each is, and an outbox row from the column
 * values of a change event. Debezium's value types become exactly what poll mode reads over JDBC
 * for the columns an outbox uses (text, json, uuid, bytea/BLOB payloads, the event-time types); see
 * the README for the few header-column types whose text differs between the modes.
 */
public final class ChangeEvents {

  /** What a Debezium record is to the outbox. */
  public enum Kind {
    /** A row inserted (op c) or read by the initial snapshot (op r). */
    INSERT,
    UPDATE,
    DELETE,
    TRANSACTION_BEGIN,
    TRANSACTION_END,
    HEARTBEAT,
    /** Anything else (a tombstone, a schema change): carries nothing the outbox needs. */
    OTHER
  }

  private final OutboxColumns columns;
  private final String transactionTopic;
  private final String heartbeatTopic;

  /**
   * @param transactionTopic the topic Debezium gives its transaction BEGIN/END markers
   * @param heartbeatTopic the topic Debezium gives its heartbeats
   */
  public ChangeEvents(OutboxColumns columns, String transactionTopic, String heartbeatTopic) {
    this.columns = columns;
    this.transactionTopic = transactionTopic;
    this.heartbeatTopic = heartbeatTopic;
  }

  public Kind kind(SourceRecord record) {
    if (heartbeatTopic.equals(record.topic())) {
      return Kind.HEARTBEAT;
    }
    if (!(record.value() instanceof Struct value)) {
      return Kind.OTHER;
    }
    if (transactionTopic.equals(record.topic())) {
      return "BEGIN".equals(value.getString("status"))
          ? Kind.TRANSACTION_BEGIN
          : Kind.TRANSACTION_END;
    }
    if (value.schema().field("op") == null) {
      return Kind.OTHER;
    }
    return switch (value.getString("op")) {
      case "c", "r" -> Kind.INSERT;
      case "u" -> Kind.UPDATE;
      case "d" -> Kind.DELETE;
      default -> Kind.OTHER;
    };
  }

  /** Whether a change event was read by the initial snapshot rather than from the log. */
  public static boolean isSnapshotRead(SourceRecord record) {
    return record.value() instanceof Struct value && "r".equals(value.getString("op"));
  }

  /** Whether Debezium marked a snapshot read as the snapshot's last record. */
  public static boolean isLastSnapshotRead(SourceRecord record) {
    return record.sourceOffset() != null
        && Boolean.TRUE.equals(record.sourceOffset().get("last_snapshot_record"));
  }

  /**
   * The database transaction a change event or a transaction marker belongs to, or null: the {@code
   * transaction_id} Debezium keeps in its offsets (the markers' and events' own ids add a log
   * position on PostgreSQL, which differs from event to event).
   */
  public static String transactionId(SourceRecord record) {
    Object id = record.sourceOffset() == null ? null : record.sourceOffset().get("transaction_id");
    return id == null ? null : id.toString();
  }

  /**
   * Where a change event lies in its transaction: Debezium's {@code transaction.total_order} (1, 2,
   * ...; restored from offsets when it resumes inside a transaction), -1 when absent.
   */
  public static long orderInTransaction(SourceRecord record) {
    if (!(record.value() instanceof Struct value) || value.schema().field("transaction") == null) {
      return -1;
    }
    Struct transaction = value.getStruct("transaction");
    if (transaction == null || transaction.schema().field("total_order") == null) {
      return -1;
    }
    Long order = transaction.getInt64("total_order");
    return order == null ? -1 : order;
  }

  /** Commit time of a change event in epoch ms (source.ts_ms), or null. */
  public static Long commitTimeMs(SourceRecord record) {
    if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
      return null;
    }
    Struct source = value.getStruct("source");
    return source == null ? null : source.getInt64("ts_ms");
  }

  /**
   * The outbox row an insert (or, for messages, an update) carries.
   *
   * @param position names where the row was found, for a poison row's headers
   */
  public OutboxRow row(SourceRecord record, String position) {
    Struct value = (Struct) record.value();
    Struct after =
        value.getStruct("after") != null ? value.getStruct("after") : value.getStruct("before");
    Map<String, String> headers = new LinkedHashMap<>();
    columns
        .headerColumns()
        .forEach(
            (column, header) -> {
              String text = text(after, column);
              if (text != null) {
                headers.put(header, text);
              }
            });
    Object payload = get(after, columns.payload());
    byte[] payloadBytes = bytes(payload);
    return new OutboxRow(
        text(after, columns.eventId()),
        text(after, columns.aggregateType()),
        text(after, columns.aggregateId()),
        text(after, columns.eventType()),
        payloadBytes == null ? text(after, columns.payload()) : null,
        payloadBytes,
        instant(after, columns.timestamp()),
        headers,
        position);
  }

  private static Object get(Struct struct, String column) {
    return struct.schema().field(column) == null ? null : struct.get(column);
  }

  /** A column's value as text, as poll mode's getString gives it for the outbox's types. */
  static String text(Struct struct, String column) {
    Object value = get(struct, column);
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    byte[] bytes = bytes(value);
    if (bytes != null) {
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
    if (value instanceof java.math.BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    return value.toString();
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] b) {
      return b;
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] b = new byte[copy.remaining()];
      copy.get(b);
      return b;
    }
    return null;
  }

  /**
   * The event time: Debezium's temporal types (zoned timestamps, micro/milli/nano timestamps), a
   * Connect Timestamp, or an integer column of epoch milliseconds.
   */
  static Instant instant(Struct struct, String column) {
    Field field = struct.schema().field(column);
    Object value = field == null ? null : struct.get(field);
    if (value == null) {
      return null;
    }
    String semantic = field.schema().name() == null ? "" : field.schema().name();
    if (value instanceof Date date) {
      return date.toInstant();
    }
    if (value instanceof String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        return Instant.parse(text);
      }
    }
    long number = ((Number) value).longValue();
    // Not a switch on the names: the shaded jar relocates these literals (Debezium's schema names
    // are relocated with its classes), and a string switch would still compare the original hashes.
    if ("io.debezium.time.MicroTimestamp".equals(semantic)) {
      return Instant.ofEpochSecond(
          Math.floorDiv(number, 1_000_000L), Math.floorMod(number, 1_000_000L) * 1_000L);
    }
    if ("io.debezium.time.NanoTimestamp".equals(semantic)) {
      return Instant.ofEpochSecond(
          Math.floorDiv(number, 1_000_000_000L), Math.floorMod(number, 1_000_000_000L));
    }
    return Instant.ofEpochMilli(number);
  }

  /** Whether a schema is Debezium's change-event envelope. */
  static boolean isEnvelope(Schema schema) {
    return schema != null && schema.field("op") != null && schema.field("after") != null;
  }
}
