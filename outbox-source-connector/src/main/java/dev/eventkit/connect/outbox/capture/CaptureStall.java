package dev.eventkit.connect.outbox.capture;

/**
 * Committed rows are waiting for something outside the connector: for example an older transaction
 * that is still open, which must end before later rows can be published without skipping it.
 *
 * @param holder what holds them back, for logs (e.g. "pid 4711, xid 812, application 'psql'")
 * @param sessionId the database session to end if it is stuck, or -1 when there is none to name
 * @param ageMs how long the holder has been holding
 * @param remedy what an operator can do, for logs
 */
public record CaptureStall(String holder, int sessionId, long ageMs, String remedy) {
  public static final CaptureStall NONE = new CaptureStall(null, -1, 0, null);

  public boolean stalled() {
    return holder != null;
  }
}
