package dev.eventkit.connect.outbox.capture;

/**
 * Rows waiting to be published, measured now and then.
 *
 * @param rows unpublished rows, counted up to a cap ({@link #COUNT_CAP} unless a test sets another)
 * @param capped whether there are at least {@code rows} (the count stopped at the cap)
 * @param oldestEventTimeMs event time of the row that has waited longest, or null when none waits
 */
public record Backlog(long rows, boolean capped, Long oldestEventTimeMs) {
  public static final Backlog EMPTY = new Backlog(0, false, null);

  /**
   * Poll captures count a backlog up to this many rows, every 5 seconds: counting a large tail that
   * often would cost what it measures (at 100,000, four PostgreSQL tasks draining a 1M-row backlog
   * made the database read 9.4-9.8 outbox rows per row they published, against 2.6 for one task).
   * Beyond it, the age of the oldest unpublished event tells how far behind a task is.
   */
  public static final long COUNT_CAP = 10_000;
}
