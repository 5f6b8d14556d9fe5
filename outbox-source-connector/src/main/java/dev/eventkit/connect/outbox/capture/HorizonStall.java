package dev.eventkit.connect.outbox.capture;

/**
 * Committed rows are waiting behind an older transaction that is still open: they cannot be
 * published until it ends, or the connector could skip it.
 *
 * @param pid the backend holding the horizon, or -1 when none
 * @param xid its transaction id
 * @param ageMs how long that transaction has been open
 */
public record HorizonStall(int pid, String xid, long ageMs, String application, String state) {
  public static final HorizonStall NONE = new HorizonStall(-1, null, 0, null, null);

  public boolean stalled() {
    return pid >= 0;
  }
}
