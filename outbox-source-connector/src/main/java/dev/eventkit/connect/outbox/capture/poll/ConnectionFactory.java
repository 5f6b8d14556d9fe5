package dev.eventkit.connect.outbox.capture.poll;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens the JDBC connections of a polling capture; the task supplies one built from its config. */
@FunctionalInterface
public interface ConnectionFactory {
  Connection open() throws SQLException;
}
