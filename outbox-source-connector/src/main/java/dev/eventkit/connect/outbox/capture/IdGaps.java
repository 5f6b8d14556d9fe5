package dev.eventkit.connect.outbox.capture;

/**
 * Missing ids a capture is waiting on (MariaDB/MySQL poll mode: auto-increment ids whose
 * transaction has not ended, or that were rolled back), for the task's metrics.
 *
 * @param open missing id ranges after the task's position, as of the last read
 * @param oldestOpenAgeMs how long the first of them has been waited for, 0 when none
 * @param expired ranges passed after {@code poll.gap.timeout.ms} without proof, since the start
 */
public record IdGaps(int open, long oldestOpenAgeMs, long expired) {
  public static final IdGaps NONE = new IdGaps(0, 0, 0);
}
