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
   * Unpublished rows after the task's position, measured every 5 seconds and counted up to 10,000
   * (a larger backlog reads as 10,000: counting more that often would cost what it measures; the
   * oldest unpublished event's age tells how far behind a larger backlog is).
   */
  long getBacklogRows();

  /** Database errors retried with backoff since the task started. */
  long getRetries();

  /**
   * Age of the next unpublished event (the oldest transaction's) by its event time, 0 when none.
   */
  long getOldestUnpublishedEventAgeMs();

  /**
   * How long ago poll() last returned to Connect (or, before the first, the task started). A
   * running task returns within about a second plus the time its database calls take, with records
   * or without, so this stays low; it rises whenever Connect stops calling it: the connector
   * paused, the task's producer blocked on Kafka, or an instance Connect gave up on whose thread
   * never finished stopping (its other metrics then stay frozen).
   */
  long getLastPollAgeMs();

  /** Event time to Kafka acknowledgement of the last published event. */
  long getCommitToPublishLagMs();

  /** How long committed rows have waited behind an older open transaction, 0 when none. */
  long getHorizonStallAgeMs();

  /**
   * The session holding committed rows back, -1 when none: PostgreSQL's backend pid (-1 for a
   * prepared transaction), MariaDB/MySQL's thread id of a transaction a gap waits for.
   */
  int getHorizonStallPid();

  /**
   * MariaDB/MySQL poll mode: missing auto-increment id ranges after the task's position as of its
   * last read (uncommitted or rolled back), 0 when none; always 0 for PostgreSQL.
   */
  int getOpenGaps();

  /** How long the first open gap has held later rows back, 0 when none. */
  long getOldestOpenGapAgeMs();

  /**
   * Gaps passed after poll.gap.timeout.ms with no row there committed or in flight (only without
   * the PROCESS privilege): almost always rolled-back inserts; a row inserted there later was not
   * published.
   */
  long getGapsExpired();

  /**
   * capture.mode=log, PostgreSQL: WAL the database keeps for this connector's slot beyond the
   * position the slot has confirmed (measured every few seconds); -1 in poll mode. It grows while
   * the connector is behind or its offsets cannot be committed.
   */
  long getReplicationLagBytes();

  /**
   * capture.mode=log: how long before the task read it the last change it read had committed; 0
   * when the log had nothing new, and in poll mode.
   */
  long getReplicationLagMs();
}
