package dev.eventkit.connect.outbox.metrics;

/** What a running outbox task exposes over JMX, one MBean per task. */
public interface OutboxTaskMetricsMBean {

  /** Records Kafka acknowledged, domain events and invalid-row records alike. */
  long getEventsPublished();

  /** Poison rows sent to errors.invalid.topic. */
  long getInvalidRows();

  /** Rows the last non-empty poll returned. */
  int getRowsLastPoll();

  /**
   * Unpublished rows after the task's position, measured every few seconds and counted up to
   * 100,000 (a larger backlog reads as 100,000: counting it all would cost what it measures).
   */
  long getBacklogRows();

  /** Database errors retried with backoff since the task started. */
  long getRetries();

  /**
   * Age of the next unpublished event (the oldest transaction's) by its event time, 0 when none.
   */
  long getOldestUnpublishedEventAgeMs();

  /** Event time to Kafka acknowledgement of the last published event. */
  long getCommitToPublishLagMs();

  /** How long committed rows have waited behind an older open transaction, 0 when none. */
  long getHorizonStallAgeMs();

  /** The backend pid holding the horizon back, -1 when none (or a prepared transaction). */
  int getHorizonStallPid();
}
