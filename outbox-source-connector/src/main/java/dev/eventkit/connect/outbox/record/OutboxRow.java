package dev.eventkit.connect.outbox.record;

import java.time.Instant;
import java.util.Map;

/**
 * One committed outbox row as a capture read it, before it becomes a record. Captures of every mode
 * produce it; nothing in it depends on how the row was found.
 *
 * @param payloadText the payload as text, or null when the column is NULL or binary
 * @param payloadBytes the payload of a binary (bytea) column, otherwise null
 * @param headers values of {@code header.columns}, keyed by header name; NULL values are absent
 * @param position where the capture found the row, in the capture's own notation (PostgreSQL poll
 *     mode: {@code txid:seq}); header {@code eventkit.error.position} of a poison row
 */
public record OutboxRow(
    String eventId,
    String aggregateType,
    String aggregateId,
    String eventType,
    String payloadText,
    byte[] payloadBytes,
    Instant timestamp,
    Map<String, String> headers,
    String position) {

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
        + ", position "
        + position
        + ")";
  }
}
