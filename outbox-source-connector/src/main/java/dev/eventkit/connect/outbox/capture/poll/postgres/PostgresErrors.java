package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.jdbc.SqlErrorKind;
import dev.eventkit.connect.jdbc.SqlErrors;
import dev.eventkit.connect.outbox.capture.CaptureException;
import java.sql.SQLException;

/** Turns database errors into capture failures that say whether retrying can help. */
final class PostgresErrors {

  private PostgresErrors() {}

  /**
   * Connection loss, failover, statement timeouts and serialization failures are retried; a wrong
   * password, a missing database, table, column or privilege, and bad data fail the task, since
   * retrying them for ever would only hide them.
   */
  static CaptureException toCaptureException(String what, SQLException e) {
    SqlErrorKind kind = SqlErrors.classify(e);
    return new CaptureException(what + ": " + SqlErrors.describe(e), e, kind.retriable());
  }
}
