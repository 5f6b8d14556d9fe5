package dev.eventkit.connect.outbox.capture;

/**
 * Reading or cleaning the outbox failed; {@link #retriable()} says whether trying again can help. A
 * wrong password, a missing table or privilege, or an offset that no longer fits the database are
 * not retriable: retrying would only hide them.
 */
public final class CaptureException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;
  private final boolean abortsOpenTransaction;

  public CaptureException(String message, Throwable cause, boolean retriable) {
    this(message, cause, retriable, false);
  }

  /**
   * @param abortsOpenTransaction the capture starts again from Connect's committed offsets and will
   *     publish the records of the open Kafka transaction again: the task must abort it
   */
  public CaptureException(
      String message, Throwable cause, boolean retriable, boolean abortsOpenTransaction) {
    super(message, cause);
    this.retriable = retriable;
    this.abortsOpenTransaction = abortsOpenTransaction;
  }

  /** Whether the records of the open Kafka transaction (exactly-once) must be aborted. */
  public boolean abortsOpenTransaction() {
    return abortsOpenTransaction;
  }

  public boolean retriable() {
    return retriable;
  }
}
