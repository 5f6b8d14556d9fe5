package dev.eventkit.connect.outbox.capture.log.postgres;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The publication log mode streams: created for the outbox table alone, publishing inserts (and
 * updates, so that {@code log.update.behavior} can see them) but never deletes, so a row deleted
 * after publishing, or in the transaction that inserted it, costs the slot nothing.
 */
final class LogPublication {

  private LogPublication() {}

  /**
   * Creates the publication when it does not exist; an existing one must include the table.
   *
   * @throws SQLException when it cannot be created or leaves the outbox out
   */
  static void ensure(
      Connection c, String publication, QualifiedTable table, OutboxSourceConnectorConfig config)
      throws SQLException {
    if (exists(c, publication)) {
      if (!includes(c, publication, table)) {
        throw new SQLException(
            missingTable(publication, table)
                + " Or name another publication in "
                + OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG
                + ".",
            "42704");
      }
      return;
    }
    String publish =
        OutboxSourceConnectorConfig.UPDATE_IGNORE.equals(config.logUpdateBehavior())
            ? "insert"
            : "insert, update";
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE PUBLICATION "
              + quote(publication)
              + " FOR TABLE "
              + table.quoted()
              + " WITH (publish = '"
              + publish
              + "')");
    }
  }

  /** Says that the publication leaves the outbox out, and the statement that adds it. */
  static String missingTable(String publication, QualifiedTable table) {
    return "Publication "
        + publication
        + " does not include "
        + table.schema()
        + "."
        + table.name()
        + ": ALTER PUBLICATION "
        + quote(publication)
        + " ADD TABLE "
        + table.quoted()
        + ";";
  }

  static boolean exists(Connection c, String publication) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, publication);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  static boolean publishesInserts(Connection c, String publication) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pubinsert FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, publication);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  static boolean includes(Connection c, String publication, QualifiedTable table)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND"
                + " tablename = ?")) {
      ps.setString(1, publication);
      ps.setString(2, table.schema());
      ps.setString(3, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String quote(String name) {
    return DatabaseDialect.POSTGRESQL.identifiers().quote(name);
  }
}
