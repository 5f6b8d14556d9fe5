package dev.eventkit.connect.outbox.capture.log.postgres;

import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What log mode needs from PostgreSQL, checked by {@code validate} on the option each concerns,
 * each with its fix: logical WAL, a role allowed to replicate, a publication it can create or one
 * that includes the outbox, a slot that is free and of the right plugin.
 */
public final class PostgresLogCheck {

  private PostgresLogCheck() {}

  public static TableFindings check(
      Connection c, OutboxSourceConnectorConfig config, String connectorName) throws SQLException {
    TableFindings findings = PostgresOutboxTableCheck.check(c, config, 1);
    String walLevel = single(c, "SHOW wal_level");
    if (!"logical".equals(walLevel)) {
      findings.error(
          OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG,
          "wal_level is "
              + walLevel
              + "; log mode needs logical: ALTER SYSTEM SET wal_level = logical; then restart"
              + " PostgreSQL (or use capture.mode=poll, which needs nothing of the WAL).");
    }
    String role = single(c, "SELECT current_user");
    if (!"t"
        .equals(
            single(
                c,
                "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user"))) {
      findings.error(
          OutboxSourceConnectorConfig.CONNECTION_USER_CONFIG,
          "Role "
              + role
              + " may not open a replication connection: ALTER ROLE "
              + quote(role)
              + " REPLICATION;");
    }
    QualifiedTable table;
    try {
      table = QualifiedTable.resolve(c, config.tableName());
    } catch (SQLException e) {
      return findings; // the table check above has said so
    }
    checkPublication(c, findings, config.logPublicationName(connectorName), table, role);
    checkSlot(c, findings, config.logSlotName(connectorName));
    if (!table.hasColumn(c, config.columns().position())
        && OutboxSourceConnectorConfig.SNAPSHOT_INITIAL.equals(config.logSnapshotMode())) {
      findings.warning(
          OutboxSourceConnectorConfig.LOG_SNAPSHOT_MODE_CONFIG,
          "Table "
              + config.tableName()
              + " has no column "
              + config.columns().position()
              + " (column.position): the initial snapshot reads its rows in no particular"
              + " order, so an aggregate's events already in the table may be published out of"
              + " order. Add a bigserial column, or set log.snapshot.mode=no_data.");
    }
    return findings;
  }

  private static void checkPublication(
      Connection c, TableFindings findings, String publication, QualifiedTable table, String role)
      throws SQLException {
    if (LogPublication.exists(c, publication)) {
      if (!LogPublication.includes(c, publication, table)) {
        findings.error(
            OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG,
            "Publication "
                + publication
                + " does not include "
                + table.schema()
                + "."
                + table.name()
                + ": ALTER PUBLICATION "
                + quote(publication)
                + " ADD TABLE "
                + table.quoted()
                + ";");
      }
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_has_role(c.relowner, 'USAGE'),"
                + " has_database_privilege(current_database(), 'CREATE')"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, table.quoted());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && !(rs.getBoolean(1) && rs.getBoolean(2))) {
          findings.error(
              OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG,
              "Publication "
                  + publication
                  + " does not exist and role "
                  + role
                  + " cannot create it (it must own "
                  + table.schema()
                  + "."
                  + table.name()
                  + " and have CREATE on the database). Have the table's owner run: CREATE"
                  + " PUBLICATION "
                  + quote(publication)
                  + " FOR TABLE "
                  + table.quoted()
                  + " WITH (publish = 'insert, update');");
        }
      }
    }
  }

  private static void checkSlot(Connection c, TableFindings findings, String slot)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT plugin, active, active_pid, database = current_database()"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          checkFreeSlot(c, findings, slot);
          return;
        }
        if (!"pgoutput".equals(rs.getString(1)) || !rs.getBoolean(4)) {
          findings.error(
              OutboxSourceConnectorConfig.LOG_SLOT_NAME_CONFIG,
              "Replication slot "
                  + slot
                  + " exists for "
                  + (rs.getBoolean(4) ? "plugin " + rs.getString(1) : "another database")
                  + "; log mode needs a pgoutput slot of this database. Name another slot, or"
                  + " drop it: SELECT pg_drop_replication_slot('"
                  + slot.replace("'", "''")
                  + "');");
        } else if (rs.getBoolean(2)) {
          findings.warning(
              OutboxSourceConnectorConfig.LOG_SLOT_NAME_CONFIG,
              "Replication slot "
                  + slot
                  + " is in use by backend pid "
                  + rs.getInt(3)
                  + ". If that is this connector's running task, all is well; if it is another"
                  + " connector, this one cannot start until it stops: name another slot.");
        }
      }
    }
  }

  private static void checkFreeSlot(Connection c, TableFindings findings, String slot)
      throws SQLException {
    long used = Long.parseLong(single(c, "SELECT count(*) FROM pg_replication_slots"));
    long max = Long.parseLong(single(c, "SHOW max_replication_slots"));
    if (used >= max) {
      findings.error(
          OutboxSourceConnectorConfig.LOG_SLOT_NAME_CONFIG,
          "Slot "
              + slot
              + " does not exist and all "
              + max
              + " replication slots are taken (max_replication_slots): raise it and restart"
              + " PostgreSQL, or drop an unused slot.");
    }
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static String quote(String name) {
    return dev.eventkit.connect.jdbc.DatabaseDialect.POSTGRESQL.identifiers().quote(name);
  }
}
