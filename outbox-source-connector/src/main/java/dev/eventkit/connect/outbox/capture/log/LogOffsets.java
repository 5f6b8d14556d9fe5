package dev.eventkit.connect.outbox.capture.log;

import java.util.Map;

/**
 * Log-mode offsets are Debezium's own: partition {@code {server: <connector name>}}, offset with
 * the log position ({@code lsn} and friends on PostgreSQL). Only their shape is checked here;
 * Debezium reads them.
 */
public final class LogOffsets {

  private LogOffsets() {}

  /**
   * Checks a partition and offset given to the KIP-875 offsets API.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validate(Map<String, ?> partition, Map<String, ?> offset) {
    if (partition == null || !(partition.get("server") instanceof String)) {
      throw new IllegalArgumentException(
          "A log-mode partition is {\"server\": \"<connector name>\"}, got " + partition);
    }
    if (offset == null) {
      return;
    }
    Object lsn = offset.get("lsn");
    if (!(lsn instanceof Number) || ((Number) lsn).longValue() < 0) {
      throw new IllegalArgumentException(
          "A log-mode offset needs \"lsn\" (a WAL position as a number), got " + offset);
    }
  }
}
