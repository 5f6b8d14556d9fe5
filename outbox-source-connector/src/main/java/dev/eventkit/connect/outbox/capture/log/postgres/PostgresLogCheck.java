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
    checkName(
        findings,
        OutboxSourceConnectorConfig.LOG_SLOT_NAME_CONFIG,
        config.logSlotName(connectorName));
    checkName(
        findings,
        OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG,
        config.logPublicationName(connectorName));
    try {
      PostgresUrl.parse(config.connectionUrl());
    } catch (IllegalArgumentException e) {
      findings.error(OutboxSourceConnectorConfig.CONNECTION_URL_CONFIG, e.getMessage());
    }
    int version = Integer.parseInt(single(c, "SHOW server_version_num"));
    if (version < 150000) {
      findings.warning(
          OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG,
          "PostgreSQL "
              + version / 10000
              + " streams every transaction's BEGIN and COMMIT to the slot, also of transactions"
              + " that touch no outbox row; a busy database then rarely lets the slot confirm its"
              + " WAL between outbox writes. Log mode is tested on PostgreSQL 17; use 15 or later.");
    }
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
    if (!"t"
        .equals(
            single(
                c,
                // PostgreSQL 17 added an optional fourth argument: any variant will do.
                "SELECT coalesce(bool_or(has_function_privilege(oid, 'EXECUTE')), false) FROM"
                    + " pg_proc WHERE proname = 'pg_logical_emit_message'"))) {
      findings.warning(
          OutboxSourceConnectorConfig.LOG_HEARTBEAT_INTERVAL_MS_CONFIG,
          "Role "
              + role
              + " may not call pg_logical_emit_message, which heartbeats use: while the outbox is"
              + " quiet the slot then confirms no WAL. GRANT EXECUTE ON FUNCTION"
              + " pg_logical_emit_message(boolean, text, text, boolean) TO "
              + quote(role)
              + ";");
    }
    QualifiedTable table;
    try {
      table = QualifiedTable.resolve(c, config.tableName());
    } catch (SQLException e) {
      return findings; // the table check above has said so
    }
    if ("p".equals(table.kind(c))) {
      findings.error(
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Table "
              + config.tableName()
              + " is partitioned: its changes reach the slot under the partitions' names, which"
              + " log mode does not read. Use capture.mode=poll for a partitioned outbox.");
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

  /**
   * Poll mode: a slot that log mode left behind (a switch back to poll mode) holds WAL for nobody.
   * Returns {@code findings}, with a warning when there is one.
   */
  public static TableFindings warnAboutLeftSlot(
      Connection c, OutboxSourceConnectorConfig config, TableFindings findings)
      throws SQLException {
    String slot = config.logSlotName(config.connectorName());
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))"
                + " FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          findings.warning(
              OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG,
              "Replication slot "
                  + slot
                  + " (log mode's) is not in use and holds "
                  + rs.getString(1)
                  + " of WAL. If this connector no longer runs in log mode, drop it: SELECT"
                  + " pg_drop_replication_slot('"
                  + slot.replace("'", "''")
                  + "');");
        }
      }
    }
    return findings;
  }

  private static void checkPublication(
      Connection c, TableFindings findings, String publication, QualifiedTable table, String role)
      throws SQLException {
    if (LogPublication.exists(c, publication)) {
      if (!LogPublication.publishesInserts(c, publication)) {
        findings.error(
            OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG,
            "Publication "
                + publication
                + " does not publish inserts: ALTER PUBLICATION "
                + quote(publication)
                + " SET (publish = 'insert, update');");
      }
      if (!LogPublication.includes(c, publication, table)) {
        findings.error(
            OutboxSourceConnectorConfig.LOG_PUBLICATION_NAME_CONFIG,
            LogPublication.missingTable(publication, table));
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
            "SELECT plugin, active, active_pid, database = current_database(), wal_status"
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
        } else if ("lost".equals(rs.getString(5))) {
          findings.error(
              OutboxSourceConnectorConfig.LOG_SLOT_NAME_CONFIG,
              "Replication slot "
                  + slot
                  + " has lost WAL it still needed (wal_status lost: max_slot_wal_keep_size):"
                  + " changes were lost. Drop it (SELECT pg_drop_replication_slot('"
                  + slot.replace("'", "''")
                  + "');), reset this connector's offsets (DELETE /connectors/<name>/offsets while"
                  + " stopped) and start again with log.snapshot.mode=initial.");
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

  /** Debezium's rule for slot names; publications follow it too, so they never need quoting. */
  private static void checkName(TableFindings findings, String option, String name) {
    if (!name.matches("[a-z0-9_]{1,63}")) {
      findings.error(
          option,
          "'" + name + "' is not a valid name: use lower-case letters, digits and _ (at most 63).");
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
