package dev.eventkit.testkit.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One database on a {@link DatabaseServer}, with the helpers integration tests need. */
public final class TestDatabase {

  private final DatabaseServer server;
  private final String name;

  TestDatabase(DatabaseServer server, String name) {
    this.server = server;
    this.name = name;
  }

  public DatabaseServer server() {
    return server;
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  public String user() {
    return server.adminUser();
  }

  public String password() {
    return server.adminPassword();
  }

  /** A new connection as the admin user, auto-commit on. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), password());
  }

  /** A new connection as another role, e.g. one made by {@link #createRole}. */
  public Connection connect(String user, String password) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user, password);
  }

  /** Runs each statement in order, auto-commit, as the admin user. */
  public void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on database " + name + ": " + e.getMessage(), e);
    }
  }

  /** Rows of a query as ordered column-label maps (labels lower-cased). */
  public List<Map<String, Object>> query(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Query failed on database " + name + ": " + e.getMessage(), e);
    }
  }

  /** The single long value a query returns, e.g. {@code SELECT count(*) FROM outbox}. */
  public long queryForLong(String sql) {
    List<Map<String, Object>> rows = query(sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException("Expected one row with one column from: " + sql);
    }
    return ((Number) rows.get(0).values().iterator().next()).longValue();
  }

  /**
   * Makes PostgreSQL check {@code role}'s password, as a production server does: the embedded
   * server trusts every local login, so a line asking for SCRAM is put in front of pg_hba.conf
   * (through a large object, as the superuser) and the configuration reloaded. Returns once a wrong
   * password is refused.
   */
  public void requirePassword(String role) {
    if (server.kind() != DatabaseServer.Kind.POSTGRESQL) {
      throw new IllegalStateException("MariaDB checks passwords already");
    }
    long oid =
        queryForLong(
            "SELECT lo_from_bytea(0, convert_to('host all "
                + role
                + " all scram-sha-256' || chr(10) || pg_read_file(current_setting('hba_file')),"
                + " 'UTF8'))");
    execute(
        "SELECT lo_export(" + oid + ", current_setting('hba_file'))",
        "SELECT lo_unlink(" + oid + ")",
        "SELECT pg_reload_conf()");
    org.awaitility.Awaitility.await("password authentication for " + role)
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              try (Connection c = connect(role, "not-the-password-of-" + role)) {
                return false;
              } catch (SQLException refused) {
                // 28P01: invalid_password, what a password check answers; anything else is not it.
                if (!"28P01".equals(refused.getSQLState())) {
                  throw refused;
                }
                return true;
              }
            });
  }

  /**
   * Creates a login role that can connect to this database and holds only the given privileges,
   * e.g. {@code createRole("relay", "secret", "SELECT ON outbox")}.
   */
  public void createRole(String role, String password, String... grants) {
    switch (server.kind()) {
      case POSTGRESQL:
        execute(
            "CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'",
            "GRANT CONNECT ON DATABASE " + name + " TO " + role,
            "GRANT USAGE ON SCHEMA public TO " + role);
        for (String grant : grants) {
          execute("GRANT " + grant + " TO " + role);
        }
        break;
      case MARIADB:
        ((MariaDbServer) server).enforceGrants();
        // Both hosts: an anonymous ''@'localhost' user would shadow '%' for local logins.
        for (String host : List.of("%", "localhost")) {
          execute("CREATE USER '" + role + "'@'" + host + "' IDENTIFIED BY '" + password + "'");
          for (String grant : grants) {
            execute("GRANT " + qualifyMariaDbGrant(grant) + " TO '" + role + "'@'" + host + "'");
          }
        }
        break;
      default:
        throw new IllegalStateException("Unknown server kind " + server.kind());
    }
  }

  private String qualifyMariaDbGrant(String grant) {
    // "SELECT ON outbox" -> "SELECT ON db.outbox": MariaDB grants name the database.
    int on = grant.toUpperCase(java.util.Locale.ROOT).indexOf(" ON ");
    if (on < 0 || grant.substring(on + 4).contains(".")) {
      return grant;
    }
    return grant.substring(0, on + 4) + name + "." + grant.substring(on + 4).trim();
  }

  /**
   * Kills every session connected to this database except the caller's own, the way an outage or a
   * failover does. Returns how many sessions were terminated.
   */
  public int terminateOtherSessions() {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      switch (server.kind()) {
        case POSTGRESQL:
          try (ResultSet rs =
              statement.executeQuery(
                  "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
          }
        case MARIADB:
          List<Long> ids = new ArrayList<>();
          try (ResultSet rs =
              statement.executeQuery(
                  "SELECT id FROM information_schema.processlist"
                      + " WHERE db = DATABASE() AND id <> CONNECTION_ID()")) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
            }
          }
          int killed = 0;
          for (long id : ids) {
            try {
              statement.execute("KILL CONNECTION " + id);
              killed++;
            } catch (SQLException alreadyGone) {
              // The session ended between the listing and the kill: nothing left to terminate.
            }
          }
          return killed;
        default:
          throw new IllegalStateException("Unknown server kind " + server.kind());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not terminate sessions on " + name, e);
    }
  }

  /**
   * Kills the sessions whose application name starts with {@code prefix} (PostgreSQL), e.g. only a
   * connector's own connections during an outage test. Returns how many were terminated.
   */
  public int terminateSessions(String applicationNamePrefix) {
    if (server.kind() != DatabaseServer.Kind.POSTGRESQL) {
      throw new UnsupportedOperationException(
          "Sessions carry application names on PostgreSQL only");
    }
    try (Connection connection = connect();
        java.sql.PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    + " AND application_name LIKE ?")) {
      statement.setString(1, applicationNamePrefix.replace("%", "\\%") + "%");
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not terminate sessions on " + name, e);
    }
  }

  @Override
  public String toString() {
    return server.kind() + " database " + name + " at " + jdbcUrl();
  }
}
