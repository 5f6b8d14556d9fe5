package dev.eventkit.connect.outbox.capture;

/**
 * Reading or cleaning the outbox failed; {@link #retriable()} says whether trying again can help. A
 * wrong password, a missing table or privilege, or an offset that no longer fits the database are
 * not retriable: retrying would only hide them.
 */
public final class CaptureException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public CaptureException(String message, Throwable cause, boolean retriable) {
    super(message, cause);
    this.retriable = retriable;
  }

  public boolean retriable() {
    return retriable;
  }
}
