package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a MariaDB/MySQL outbox table against the connector config before the connector runs: the
 * table and its engine, the mapped columns, the auto-increment cursor, the user's privileges, and
 * whether gaps will be closed exactly (PROCESS) or after {@code poll.gap.timeout.ms}. Each problem
 * is reported against the option at fault, with the statement that fixes it.
 *
 * <p>The server is read once into {@link TableFacts}; {@link #judge} is a pure function of them.
 */
public final class MariaDbOutboxTableCheck {

  private static final Identifiers IDENTIFIERS = DatabaseDialect.MARIADB.identifiers();
  private static final int ACCESS_DENIED_PROCESS = 1227;
  private static final Set<String> INTEGER_TYPES =
      Set.of("tinyint", "smallint", "mediumint", "int", "bigint");
  private static final Set<String> TIMESTAMP_TYPES = Set.of("timestamp", "datetime", "bigint");

  private MariaDbOutboxTableCheck() {}

  /** A column as information_schema.COLUMNS describes it. */
  record Column(String dataType, boolean nullable, boolean autoIncrement) {}

  /**
   * Everything the check needs to know about an existing table and the server.
   *
   * @param user the checking user as {@code 'name'@'host'}
   * @param canSelect whether the user may read the table
   * @param canDelete whether the user may delete from it
   * @param canSeeTransactions whether information_schema.INNODB_TRX is readable (PROCESS)
   * @param autoincLockMode innodb_autoinc_lock_mode
   */
  record TableFacts(
      String engine,
      Map<String, Column> columns,
      String user,
      boolean canSelect,
      boolean canDelete,
      boolean canSeeTransactions,
      int autoincLockMode,
      long lockWaitTimeoutSeconds) {}

  /** Problems found for a connector of {@code tasks} tasks; none when the table is ready. */
  public static TableFindings check(Connection c, OutboxSourceConnectorConfig config, int tasks)
      throws SQLException {
    Optional<TableFacts> facts = read(c, config);
    if (facts.isEmpty()) {
      TableFindings findings = new TableFindings();
      findings.error(
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Table "
              + config.tableName()
              + " does not exist or is not visible to this user (check the name and the database"
              + " of connection.url).");
      return findings;
    }
    return judge(facts.get(), config, tasks);
  }

  static Optional<TableFacts> read(Connection c, OutboxSourceConnectorConfig config)
      throws SQLException {
    String name = config.tableName();
    int dot = name.indexOf('.');
    String schema = dot < 0 ? null : name.substring(0, dot);
    String table = dot < 0 ? name : name.substring(dot + 1);
    String engine;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ENGINE FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        engine = rs.getString(1);
      }
    }
    Map<String, Column> columns = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, EXTRA FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?"
                + " ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(
              rs.getString(1),
              new Column(
                  rs.getString(2).toLowerCase(Locale.ROOT),
                  "YES".equalsIgnoreCase(rs.getString(3)),
                  rs.getString(4).toLowerCase(Locale.ROOT).contains("auto_increment")));
        }
      }
    }
    String quoted = IDENTIFIERS.quoteQualified(name);
    String user;
    int lockMode;
    long lockWaitTimeout;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT CURRENT_USER(), @@innodb_autoinc_lock_mode,"
                    + " @@global.innodb_lock_wait_timeout")) {
      rs.next();
      user = quoteUser(rs.getString(1));
      lockMode = rs.getInt(2);
      lockWaitTimeout = rs.getLong(3);
    }
    boolean canSelect = succeeds(c, "SELECT 1 FROM " + quoted + " LIMIT 0");
    boolean canDelete = canDelete(c, quoted);
    boolean canSeeTransactions = canSeeTransactions(c);
    return Optional.of(
        new TableFacts(
            engine,
            columns,
            user,
            canSelect,
            canDelete,
            canSeeTransactions,
            lockMode,
            lockWaitTimeout));
  }

  /** {@code name@host} as a GRANT statement writes it. */
  private static String quoteUser(String currentUser) {
    int at = currentUser.lastIndexOf('@');
    return at < 0
        ? "'" + currentUser + "'"
        : "'" + currentUser.substring(0, at) + "'@'" + currentUser.substring(at + 1) + "'";
  }

  private static boolean succeeds(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
      return true;
    } catch (SQLException e) {
      if (isAccessDenied(e)) {
        return false;
      }
      throw e;
    }
  }

  /** A DELETE that matches nothing, rolled back: it needs the privilege and changes nothing. */
  private static boolean canDelete(Connection c, String quotedTable) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      return succeeds(c, "DELETE FROM " + quotedTable + " WHERE 1 = 0");
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }

  private static boolean canSeeTransactions(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT count(*) FROM information_schema.INNODB_TRX").close();
      return true;
    } catch (SQLException e) {
      if (e.getErrorCode() == ACCESS_DENIED_PROCESS) {
        return false;
      }
      throw e;
    }
  }

  /** Access denied for a table or command (1142, 1143), or for a global privilege (1227). */
  private static boolean isAccessDenied(SQLException e) {
    int code = e.getErrorCode();
    return code == 1142 || code == 1143 || code == ACCESS_DENIED_PROCESS;
  }

  /** Judges the facts against the config of a connector of {@code tasks} tasks. */
  static TableFindings judge(TableFacts facts, OutboxSourceConnectorConfig config, int tasks) {
    TableFindings findings = new TableFindings();
    String table = config.tableName();
    OutboxColumns columns = config.columns();
    if (!"innodb".equalsIgnoreCase(facts.engine())) {
      findings.error(
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Table "
              + table
              + " uses the "
              + facts.engine()
              + " engine; poll mode needs InnoDB (transactions and INNODB_TRX): ALTER TABLE "
              + IDENTIFIERS.quoteQualified(table)
              + " ENGINE=InnoDB;");
    }
    for (Map.Entry<String, String> option : config.columnOptions()) {
      if (option.getKey().equals(OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG)) {
        continue; // PostgreSQL only: MariaDB/MySQL rows carry no transaction id
      }
      if (!facts.columns().containsKey(option.getValue())) {
        findings.error(
            option.getKey(), "Column " + option.getValue() + " is missing from " + table + ".");
      }
    }
    checkPosition(findings, facts, table, columns.position());
    checkTimestamp(findings, facts, columns.timestamp());
    for (String option :
        List.of(
            OutboxSourceConnectorConfig.COLUMN_AGGREGATE_ID_CONFIG,
            OutboxSourceConnectorConfig.COLUMN_AGGREGATE_TYPE_CONFIG)) {
      String column =
          option.equals(OutboxSourceConnectorConfig.COLUMN_AGGREGATE_ID_CONFIG)
              ? columns.aggregateId()
              : columns.aggregateType();
      Column c = facts.columns().get(column);
      if (c != null && c.nullable()) {
        findings.warning(
            option,
            "Column "
                + column
                + " is nullable: a row with a NULL or blank value is a poison row (see"
                + " errors.invalid.topic). Fix: ALTER TABLE "
                + IDENTIFIERS.quoteQualified(table)
                + " MODIFY "
                + IDENTIFIERS.quote(column)
                + " ... NOT NULL;");
      }
    }
    if (config.notifyChannel().isPresent()) {
      findings.error(
          OutboxSourceConnectorConfig.POLL_NOTIFY_CHANNEL_CONFIG,
          "poll.notify.channel is PostgreSQL's LISTEN/NOTIFY; MariaDB and MySQL have none. Leave it"
              + " empty: the task reads every poll.interval.ms.");
    }
    if (!facts.canSelect()) {
      findings.error(
          OutboxSourceConnectorConfig.CONNECTION_USER_CONFIG,
          facts.user()
              + " may not read "
              + table
              + ": GRANT SELECT ON "
              + IDENTIFIERS.quoteQualified(table)
              + " TO "
              + facts.user()
              + ";");
    }
    if (config.deleteAfterPublish() && !facts.canDelete()) {
      findings.error(
          OutboxSourceConnectorConfig.CLEANUP_POLICY_CONFIG,
          "cleanup.policy=delete, but "
              + facts.user()
              + " may not delete from "
              + table
              + ": GRANT DELETE ON "
              + IDENTIFIERS.quoteQualified(table)
              + " TO "
              + facts.user()
              + ";");
    }
    if (!facts.canSeeTransactions()) {
      findings.warning(
          OutboxSourceConnectorConfig.POLL_GAP_TIMEOUT_MS_CONFIG,
          facts.user()
              + " cannot read information_schema.INNODB_TRX, so a missing id with no row in flight"
              + " (almost always a rolled-back insert) holds later rows for poll.gap.timeout.ms="
              + config.pollGapTimeoutMs()
              + " ms and is then passed; a row inserted there after that would not be published."
              + " Make it exact: GRANT PROCESS ON *.* TO "
              + facts.user()
              + ";"
              + (facts.autoincLockMode() == 2
                  ? " With innodb_autoinc_lock_mode=2 multi-row inserts may also leave holes,"
                      + " each of which then waits that long."
                  : ""));
    }
    if (!facts.canSeeTransactions()
        && config.pollGapTimeoutMs() <= facts.lockWaitTimeoutSeconds() * 1000) {
      findings.warning(
          OutboxSourceConnectorConfig.POLL_GAP_TIMEOUT_MS_CONFIG,
          "poll.gap.timeout.ms="
              + config.pollGapTimeoutMs()
              + " is not above innodb_lock_wait_timeout ("
              + facts.lockWaitTimeoutSeconds()
              + " s): an insert that took its id and then waits for a lock that long would look"
              + " like a rolled-back one and be passed. Set poll.gap.timeout.ms above "
              + facts.lockWaitTimeoutSeconds() * 1000
              + ".");
    }
    if (config.deleteAfterPublish() && tasks > 1) {
      findings.warning(
          OutboxSourceConnectorConfig.CLEANUP_POLICY_CONFIG,
          "With tasks.max > 1 each task deletes its rows only up to the position of the slowest"
              + " task (every task reads every id, and a row deleted ahead of another task would"
              + " look to it like a gap); a task that has published nothing yet holds cleanup back.");
    }
    return findings;
  }

  private static void checkPosition(
      TableFindings findings, TableFacts facts, String table, String column) {
    Column position = facts.columns().get(column);
    if (position == null) {
      return; // reported as missing
    }
    if (!INTEGER_TYPES.contains(position.dataType()) || !position.autoIncrement()) {
      findings.error(
          OutboxSourceConnectorConfig.COLUMN_POSITION_CONFIG,
          "Column "
              + column
              + " is "
              + position.dataType()
              + (position.autoIncrement() ? "" : " without AUTO_INCREMENT")
              + ": poll mode's cursor is the auto-increment id the writer takes while it holds"
              + " the aggregate's lock. Fix: ALTER TABLE "
              + IDENTIFIERS.quoteQualified(table)
              + " MODIFY "
              + IDENTIFIERS.quote(column)
              + " BIGINT NOT NULL AUTO_INCREMENT; (it must be a key, usually the primary key)");
    }
  }

  private static void checkTimestamp(TableFindings findings, TableFacts facts, String column) {
    Column timestamp = facts.columns().get(column);
    if (timestamp != null && !TIMESTAMP_TYPES.contains(timestamp.dataType())) {
      findings.error(
          OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG,
          "Column "
              + column
              + " is "
              + timestamp.dataType()
              + ". The event time must be TIMESTAMP, DATETIME (read as UTC) or BIGINT epoch"
              + " milliseconds.");
    }
  }
}
