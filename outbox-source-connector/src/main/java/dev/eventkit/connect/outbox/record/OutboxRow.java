package dev.eventkit.connect.outbox.record;

import java.time.Instant;
import java.util.Map;

/**
 * One committed outbox row as read from the database, before it becomes a record.
 *
 * @param payloadText the payload as text, or null when the column is NULL or binary
 * @param payloadBytes the payload of a binary (bytea) column, otherwise null
 * @param headers values of {@code header.columns}, keyed by header name; NULL values are absent
 */
public record OutboxRow(
    long txid,
    long seq,
    String eventId,
    String aggregateType,
    String aggregateId,
    String eventType,
    String payloadText,
    byte[] payloadBytes,
    Instant timestamp,
    Map<String, String> headers) {

  public boolean payloadIsNull() {
    return payloadText == null && payloadBytes == null;
  }

  /** Names the row in error messages and logs. */
  public String describe() {
    return "outbox row (event id "
        + eventId
        + ", aggregate "
        + aggregateType
        + "/"
        + aggregateId
        + ", txid "
        + txid
        + ", seq "
        + seq
        + ")";
  }
}
