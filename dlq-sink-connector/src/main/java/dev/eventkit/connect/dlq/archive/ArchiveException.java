package dev.eventkit.connect.dlq.archive;

/** Writing to the archive failed; {@link #retriable()} says whether a redelivery can succeed. */
public final class ArchiveException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public ArchiveException(String message, Throwable cause, boolean retriable) {
    super(message, cause);
    this.retriable = retriable;
  }

  public boolean retriable() {
    return retriable;
  }
}
