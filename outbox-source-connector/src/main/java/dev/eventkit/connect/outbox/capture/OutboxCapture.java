package dev.eventkit.connect.outbox.capture;

import java.util.List;
import java.util.Map;

/**
 * A way of finding committed outbox rows (SQL polling of one database, or reading its log). The
 * task publishes what {@link #poll()} returns, in that order, and tells the capture which offsets
 * Connect committed.
 *
 * <p>A capture owns its source partition and the format of its offsets: the task treats both as
 * opaque maps. Implementations throw {@link CaptureException} for database trouble; the task
 * retries with backoff when it is transient and fails when it is not.
 */
public interface OutboxCapture extends AutoCloseable {

  /** The source partition every record of this capture carries. */
  Map<String, Object> sourcePartition();

  /**
   * Committed transactions after the current position, in publishing order (each aggregate's events
   * in commit order); empty when there are none yet. Returns within about a second.
   */
  List<CapturedTransaction> poll() throws CaptureException;

  /**
   * Blocks up to {@code maxWaitMs}, until new rows may have arrived or {@link #wakeup()}. Returns
   * whether it ended early for either reason (false: the time ran out).
   */
  boolean awaitChanges(long maxWaitMs) throws CaptureException;

  /** Ends an {@link #awaitChanges} early, from any thread. */
  void wakeup();

  /**
   * Connect has durably committed this offset (and, exactly-once, the Kafka transactions up to it):
   * rows at or before it may be deleted when the connector cleans up. Returns whether cleanup
   * stopped early to keep the poll short and wants to be called again soon.
   */
  boolean offsetCommitted(Map<String, Object> offset) throws CaptureException;

  /** Unpublished rows, and the age of the oldest; measured now and then, not per poll. */
  Backlog backlog() throws CaptureException;

  /** What keeps committed rows from being published right now, or {@link CaptureStall#NONE}. */
  CaptureStall stall();

  /** Missing ids this capture waits on; {@link IdGaps#NONE} for captures without such gaps. */
  default IdGaps gaps() {
    return IdGaps.NONE;
  }

  @Override
  void close();
}
