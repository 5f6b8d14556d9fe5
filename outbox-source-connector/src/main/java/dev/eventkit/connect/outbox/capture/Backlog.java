package dev.eventkit.connect.outbox.capture;

/**
 * Rows waiting to be published, measured now and then.
 *
 * @param rows unpublished rows, counted up to {@code cap}
 * @param capped whether there are at least {@code rows} (the count stopped at the cap)
 * @param oldestEventTimeMs event time of the row that has waited longest, or null when none waits
 */
public record Backlog(long rows, boolean capped, Long oldestEventTimeMs) {
  public static final Backlog EMPTY = new Backlog(0, false, null);
}
