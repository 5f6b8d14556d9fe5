package dev.eventkit.connect.outbox.capture;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;

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
  List<? extends Captured> poll() throws CaptureException;

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

  /**
   * Connect is done with the record of a row or progress that carried {@code receipt}: sent ({@code
   * metadata} non-null), or dropped by a transform or an error tolerance (null). Called on
   * Connect's threads, possibly concurrently with {@link #poll()}.
   */
  default void recordSent(Object receipt, RecordMetadata metadata) {}

  /**
   * Connect has just committed offsets (its {@code SourceTask.commit()}). Called on Connect's
   * threads; a capture that acts on it does so in its next {@link #poll()}.
   */
  default void offsetsFlushed() {}

  /** Unpublished rows, and the age of the oldest; measured now and then, not per poll. */
  Backlog backlog() throws CaptureException;

  /** What keeps committed rows from being published right now, or {@link CaptureStall#NONE}. */
  CaptureStall stall();

  /** How far a log capture is behind, as of its last poll and backlog measurement. */
  default LogLag logLag() {
    return LogLag.NONE;
  }

  /** Missing ids this capture waits on; {@link IdGaps#NONE} for captures without such gaps. */
  default IdGaps gaps() {
    return IdGaps.NONE;
  }

  @Override
  void close();
}
