package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a PostgreSQL outbox table against the connector config before the connector runs: the
 * table, the mapped columns and their types, and the role's privileges. Each problem is reported
 * against the option at fault, with the SQL that fixes it where there is one.
 */
public final class PostgresOutboxTableCheck {

  private static final Logger log = LoggerFactory.getLogger(PostgresOutboxTableCheck.class);
  private static final Set<String> ORDERABLE_POSITION_TYPES =
      Set.of("bigint", "integer", "smallint");
  private static final Set<String> TIMESTAMP_TYPES =
      Set.of("timestamp with time zone", "timestamp without time zone", "bigint");

  private PostgresOutboxTableCheck() {}

  /** Problems found, keyed by config option; empty when the table is ready. */
  public static Map<String, List<String>> check(Connection c, OutboxSourceConnectorConfig config)
      throws SQLException {
    Map<String, List<String>> problems = new LinkedHashMap<>();
    String table = config.tableName();
    String regclass = quotedForRegclass(table);
    if (!tableExists(c, regclass)) {
      add(
          problems,
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Table "
              + table
              + " does not exist or is not visible to this role (check the name, the schema and the"
              + " search_path).");
      return problems;
    }
    Map<String, String> types = columnTypes(c, regclass);
    OutboxColumns columns = config.columns();
    requireColumn(
        problems,
        types,
        OutboxSourceConnectorConfig.COLUMN_EVENT_ID_CONFIG,
        columns.eventId(),
        table);
    requireColumn(
        problems,
        types,
        OutboxSourceConnectorConfig.COLUMN_AGGREGATE_TYPE_CONFIG,
        columns.aggregateType(),
        table);
    requireColumn(
        problems,
        types,
        OutboxSourceConnectorConfig.COLUMN_AGGREGATE_ID_CONFIG,
        columns.aggregateId(),
        table);
    requireColumn(
        problems,
        types,
        OutboxSourceConnectorConfig.COLUMN_EVENT_TYPE_CONFIG,
        columns.eventType(),
        table);
    requireColumn(
        problems,
        types,
        OutboxSourceConnectorConfig.COLUMN_PAYLOAD_CONFIG,
        columns.payload(),
        table);
    String timestampType = types.get(columns.timestamp());
    if (timestampType == null) {
      requireColumn(
          problems,
          types,
          OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG,
          columns.timestamp(),
          table);
    } else if (!TIMESTAMP_TYPES.contains(timestampType)) {
      add(
          problems,
          OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG,
          "Column "
              + columns.timestamp()
              + " is "
              + timestampType
              + "; the event time must be timestamptz, timestamp (read as UTC) or bigint epoch milliseconds.");
    }
    String txidType = types.get(columns.txid());
    if (!"xid8".equals(txidType)) {
      add(
          problems,
          OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG,
          (txidType == null
                  ? "Column " + columns.txid() + " is missing from " + table + "."
                  : "Column " + columns.txid() + " is " + txidType + ", not xid8.")
              + " Poll mode needs the writing transaction's id: ALTER TABLE "
              + table
              + " ADD COLUMN "
              + columns.txid()
              + " xid8 NOT NULL DEFAULT pg_current_xact_id();");
    }
    String positionType = types.get(columns.position());
    if (positionType == null || !ORDERABLE_POSITION_TYPES.contains(positionType)) {
      add(
          problems,
          OutboxSourceConnectorConfig.COLUMN_POSITION_CONFIG,
          (positionType == null
                  ? "Column " + columns.position() + " is missing from " + table + "."
                  : "Column " + columns.position() + " is " + positionType + ", not an integer.")
              + " Poll mode orders each aggregate's events by a sequence: ALTER TABLE "
              + table
              + " ADD COLUMN "
              + columns.position()
              + " bigserial;");
    }
    for (String header : columns.headerColumns().keySet()) {
      if (!types.containsKey(header)) {
        add(
            problems,
            OutboxSourceConnectorConfig.HEADER_COLUMNS_CONFIG,
            "Column " + header + " is missing from " + table + ".");
      }
    }
    checkPrivileges(c, config, regclass, problems);
    if (!problems.containsKey(OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG)
        && !hasPositionIndex(c, regclass, columns)) {
      log.warn(
          "Table {} has no index on ({}, {}); poll mode reads by that position. Add one:"
              + " CREATE INDEX ON {} ({}, {});",
          table,
          columns.txid(),
          columns.position(),
          table,
          columns.txid(),
          columns.position());
    }
    return problems;
  }

  private static void checkPrivileges(
      Connection c,
      OutboxSourceConnectorConfig config,
      String regclass,
      Map<String, List<String>> problems)
      throws SQLException {
    List<String> needed = new ArrayList<>();
    needed.add("SELECT");
    if (config.deleteAfterPublish()) {
      needed.add("DELETE");
    }
    for (String privilege : needed) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT has_table_privilege(to_regclass(?), ?), current_user")) {
        ps.setString(1, regclass);
        ps.setString(2, privilege);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (!rs.getBoolean(1)) {
            add(
                problems,
                OutboxSourceConnectorConfig.CONNECTION_USER_CONFIG,
                "Role "
                    + rs.getString(2)
                    + " lacks "
                    + privilege
                    + " on "
                    + config.tableName()
                    + (privilege.equals("DELETE") ? " (needed by cleanup.policy=delete)" : "")
                    + ": GRANT "
                    + privilege
                    + " ON "
                    + config.tableName()
                    + " TO "
                    + rs.getString(2)
                    + ";");
          }
        }
      }
    }
  }

  private static boolean tableExists(Connection c, String regclass) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static Map<String, String> columnTypes(Connection c, String regclass)
      throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT));
        }
      }
    }
    return types;
  }

  private static boolean hasPositionIndex(Connection c, String regclass, OutboxColumns columns)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_index i"
                + " JOIN pg_attribute a1 ON a1.attrelid = i.indrelid AND a1.attnum = i.indkey[0]"
                + " JOIN pg_attribute a2 ON a2.attrelid = i.indrelid AND a2.attnum = i.indkey[1]"
                + " WHERE i.indrelid = to_regclass(?) AND a1.attname = ? AND a2.attname = ?)")) {
      ps.setString(1, regclass);
      ps.setString(2, columns.txid());
      ps.setString(3, columns.position());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static void requireColumn(
      Map<String, List<String>> problems,
      Map<String, String> types,
      String option,
      String column,
      String table) {
    if (!types.containsKey(column)) {
      add(
          problems,
          option,
          "Column "
              + column
              + " is missing from "
              + table
              + " (column names are matched exactly, case included); set "
              + option
              + " to the column that holds it.");
    }
  }

  private static String quotedForRegclass(String table) {
    int dot = table.indexOf('.');
    return dot < 0
        ? quote(table)
        : quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1));
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static void add(Map<String, List<String>> problems, String option, String message) {
    problems.computeIfAbsent(option, k -> new ArrayList<>()).add(message);
  }
}
