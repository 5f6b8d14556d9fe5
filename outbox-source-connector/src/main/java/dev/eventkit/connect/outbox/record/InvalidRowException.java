package dev.eventkit.connect.outbox.record;

/** A row that cannot become a domain event: routed to {@code errors.invalid.topic} or fatal. */
public final class InvalidRowException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String column;

  /**
   * @param reason a stable, machine-readable code such as {@code null-aggregate-id}
   * @param column the configured column at fault, or null when no single column is
   */
  public InvalidRowException(String reason, String column, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.column = column;
  }

  public InvalidRowException(String reason, String column, String message) {
    this(reason, column, message, null);
  }

  public String reason() {
    return reason;
  }

  public String column() {
    return column;
  }
}
