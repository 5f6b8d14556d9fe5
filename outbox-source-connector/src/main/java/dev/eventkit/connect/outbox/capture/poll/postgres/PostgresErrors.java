package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.capture.CaptureException;
import java.sql.SQLException;

/** Turns database errors into capture failures that say whether retrying can help. */
final class PostgresErrors {

  private PostgresErrors() {}

  static CaptureException toCaptureException(String what, SQLException e) {
    String state = e.getSQLState();
    // 28: authentication; 3D: no such database; 42: syntax, undefined table/column, privileges;
    // 22: data. None of them heals by retrying.
    boolean permanent =
        state != null
            && (state.startsWith("28")
                || state.startsWith("3D")
                || state.startsWith("42")
                || state.startsWith("22"));
    return new CaptureException(what + ": " + e.getMessage(), e, !permanent);
  }
}
