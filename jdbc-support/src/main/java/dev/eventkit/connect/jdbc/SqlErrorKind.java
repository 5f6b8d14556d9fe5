package dev.eventkit.connect.jdbc;

/** What a database error means for the caller: retry it, or stop and tell the user what to fix. */
public enum SqlErrorKind {
  /** Connection loss, failover, timeouts, lock conflicts, overload: retry with backoff. */
  TRANSIENT,
  /** The statement or its data is unacceptable to the database; retrying repeats the failure. */
  PERMANENT,
  /** The server refused the login: wrong user or password, locked or expired account. */
  AUTHENTICATION,
  /** The settings name something that does not exist or is not allowed: database, table, grant. */
  MISCONFIGURATION;

  /** Whether retrying the same operation later can succeed. */
  public boolean retriable() {
    return this == TRANSIENT;
  }
}
