package dev.eventkit.connect.jdbc;

import java.sql.SQLNonTransientConnectionException;

/**
 * A JDBC URL that no shipped driver accepts. Its message never contains the URL; {@link SqlErrors}
 * classifies it as {@link SqlErrorKind#MISCONFIGURATION}.
 */
final class UnusableUrlException extends SQLNonTransientConnectionException {

  private static final long serialVersionUID = 1L;

  UnusableUrlException(String message) {
    super(message);
  }
}
