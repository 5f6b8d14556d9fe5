package dev.eventkit.connect.outbox.capture;

/**
 * A way of finding committed outbox rows: SQL polling today, log-based capture later. The task
 * publishes what {@link #nextBatch()} returns and reports back which rows Kafka acknowledged.
 *
 * <p>Implementations throw {@link CaptureException} for database trouble; the task retries with
 * backoff when it is transient and fails when it is not.
 */
public interface OutboxCapture extends AutoCloseable {

  /** Committed rows after the current position, in publishing order; empty when none yet. */
  OutboxBatch nextBatch() throws CaptureException;

  /** Blocks up to {@code maxWaitMs} or until new rows may have arrived, or {@link #wakeup()}. */
  void awaitChanges(long maxWaitMs) throws CaptureException;

  /** Ends an {@link #awaitChanges} early, from any thread. */
  void wakeup();

  /**
   * Deletes this task's rows at or before a committed position ({@code cleanup.policy=delete}), in
   * batches of at most {@code batchSize} rows. Returns how many were deleted.
   */
  long deletePublished(OutboxPosition committed, int batchSize) throws CaptureException;

  /** Rows after the current position, and the age of the oldest; measured now and then. */
  Backlog backlog() throws CaptureException;

  /** The current horizon stall, or {@link HorizonStall#NONE}. */
  HorizonStall horizonStall();

  /** Drops connections after a failure; the next call reconnects and resumes at the position. */
  void reset();

  @Override
  void close();

  /** Unpublished rows of this task's bucket. */
  record Backlog(long rows, Long oldestEventTimeMs) {}
}
