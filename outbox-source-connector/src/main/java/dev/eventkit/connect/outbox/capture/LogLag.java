package dev.eventkit.connect.outbox.capture;

/**
 * How far a log capture is behind its database, for the task's metrics.
 *
 * @param bytes log the database keeps for this capture beyond what it has confirmed (PostgreSQL:
 *     current WAL position minus the slot's confirmed flush position), -1 when unknown
 * @param ms how long before it was read the last change read had committed, 0 when the log had
 *     nothing new for the last read
 */
public record LogLag(long bytes, long ms) {
  public static final LogLag NONE = new LogLag(-1, 0);
}
