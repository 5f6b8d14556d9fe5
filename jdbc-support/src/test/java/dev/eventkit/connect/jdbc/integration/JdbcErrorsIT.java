package dev.eventkit.connect.jdbc.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.eventkit.connect.jdbc.JdbcConnections;
import dev.eventkit.connect.jdbc.JdbcSettings;
import dev.eventkit.connect.jdbc.SqlErrorKind;
import dev.eventkit.connect.jdbc.SqlErrors;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real failures from real servers, opened through {@link JdbcConnections} and classified by {@link
 * SqlErrors}: what the drivers actually raise for a wrong password, a missing database, table or
 * privilege, a killed session, a statement timeout, a deadlock and a read-only server. One
 * PostgreSQL and one MariaDB server serve the whole class; each test makes its own database.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcErrorsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Runs the statements that block; its own threads, so nothing waits behind the common pool. */
  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool();

  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  @BeforeAll
  static void start() throws SQLException {
    postgres = PostgresServer.start();
    mariadb = MariaDbServer.start();
  }

  @AfterAll
  static void stop() {
    BACKGROUND.shutdownNow();
    try {
      if (mariadb != null) {
        mariadb.close();
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  // ---------------------------------------------------------------- PostgreSQL

  @Test
  void postgresWrongPasswordIsAuthentication() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE ROLE eventkit_login LOGIN PASSWORD 'right-password'");
    db.requirePassword("eventkit_login");

    JdbcSettings wrong = settings(db, "eventkit_login", "wrong-password", "", "eventkit-it");
    SQLException e = awaitFailure(() -> JdbcConnections.open(wrong).close());

    assertThat(e.getSQLState()).isEqualTo("28P01");
    assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.AUTHENTICATION);
    assertThat(SqlErrors.describe(e))
        .startsWith("AUTHENTICATION (SQLSTATE 28P01)")
        .contains("eventkit_login")
        .doesNotContain("wrong-password");
    try (Connection ok =
        JdbcConnections.open(settings(db, "eventkit_login", "right-password", "", "eventkit-it"))) {
      assertThat(ok.isValid(5)).isTrue();
    }
  }

  @Test
  void postgresMissingDatabaseIsMisconfiguration() {
    TestDatabase db = postgres.createDatabase();
    JdbcSettings missing =
        new JdbcSettings(
            postgres.jdbcUrl("no_such_database"),
            Optional.of(db.user()),
            Optional.of(db.password()),
            "eventkit-it");

    SQLException e = failureOf(() -> JdbcConnections.open(missing).close());

    assertThat(e.getSQLState()).isEqualTo("3D000");
    assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
    assertThat(SqlErrors.describe(e)).contains("database name");
  }

  @Test
  void postgresMissingTableAndPrivilegeAreMisconfiguration() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE TABLE outbox (id int PRIMARY KEY)");
    db.createRole("eventkit_reader_" + db.name(), "pw");

    try (Connection admin = JdbcConnections.open(settings(db))) {
      SQLException noTable = failureOf(() -> execute(admin, "SELECT * FROM no_such_table"));
      assertThat(noTable.getSQLState()).isEqualTo("42P01");
      assertThat(SqlErrors.classify(noTable)).isEqualTo(SqlErrorKind.MISCONFIGURATION);

      SQLException noColumn = failureOf(() -> execute(admin, "SELECT no_such_column FROM outbox"));
      assertThat(noColumn.getSQLState()).isEqualTo("42703");
      assertThat(SqlErrors.classify(noColumn)).isEqualTo(SqlErrorKind.MISCONFIGURATION);

      SQLException noSchema = failureOf(() -> execute(admin, "CREATE TABLE nope.t (id int)"));
      assertThat(noSchema.getSQLState()).isEqualTo("3F000");
      assertThat(SqlErrors.classify(noSchema)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
    }
    try (Connection reader =
        JdbcConnections.open(settings(db, "eventkit_reader_" + db.name(), "pw", "", "it"))) {
      SQLException denied = failureOf(() -> execute(reader, "SELECT * FROM outbox"));
      assertThat(denied.getSQLState()).isEqualTo("42501");
      assertThat(SqlErrors.classify(denied)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
      assertThat(SqlErrors.describe(denied)).contains("Grant");
    }
  }

  @Test
  void postgresTerminatedSessionsAreTransient() throws Exception {
    TestDatabase db = postgres.createDatabase();

    // Idle when killed: the next statement finds out.
    try (Connection idle = JdbcConnections.open(settings(db, "eventkit-it-idle"))) {
      assertThat(db.terminateSessions("eventkit-it-idle")).isEqualTo(1);
      SQLException e = awaitFailure(() -> execute(idle, "SELECT 1"));
      assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.TRANSIENT);
    }

    // Busy when killed: the server reports admin_shutdown (57P01) to the running statement.
    try (Connection busy = JdbcConnections.open(settings(db, "eventkit-it-busy"))) {
      CompletableFuture<SQLException> running =
          CompletableFuture.supplyAsync(
              () -> failureOf(() -> execute(busy, "SELECT pg_sleep(60)")), BACKGROUND);
      await(
          () ->
              db.queryForLong(
                      "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                          + " 'eventkit-it-busy' AND state = 'active'")
                  == 1);
      assertThat(db.terminateSessions("eventkit-it-busy")).isEqualTo(1);
      SQLException e = running.get(30, TimeUnit.SECONDS);
      assertThat(e.getSQLState()).isIn("57P01", "08006");
      assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.TRANSIENT);
    }
  }

  @Test
  void postgresStatementTimeoutAndLockTimeoutAreTransient() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY)", "INSERT INTO accounts VALUES (1)");
    try (Connection c = JdbcConnections.open(settings(db));
        Connection other = JdbcConnections.open(settings(db))) {
      execute(c, "SET statement_timeout = '200ms'");
      SQLException timeout = failureOf(() -> execute(c, "SELECT pg_sleep(10)"));
      assertThat(timeout.getSQLState()).isEqualTo("57014");
      assertThat(SqlErrors.classify(timeout)).isEqualTo(SqlErrorKind.TRANSIENT);

      other.setAutoCommit(false);
      execute(other, "SELECT * FROM accounts WHERE id = 1 FOR UPDATE");
      c.setAutoCommit(false);
      SQLException locked =
          failureOf(() -> execute(c, "SELECT * FROM accounts WHERE id = 1 FOR UPDATE NOWAIT"));
      assertThat(locked.getSQLState()).isEqualTo("55P03");
      assertThat(SqlErrors.classify(locked)).isEqualTo(SqlErrorKind.TRANSIENT);
      c.rollback();
      other.rollback();
    }
  }

  @Test
  void postgresDeadlockIsTransient() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute(
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int)",
        "INSERT INTO accounts VALUES (1, 0), (2, 0)");
    SQLException e =
        deadlock(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'");
    assertThat(e.getSQLState()).isEqualTo("40P01");
    assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.TRANSIENT);
  }

  @Test
  void postgresReadOnlyIsTransientAndBadDataPermanent() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE TABLE events (code varchar(3))");
    try (Connection c = JdbcConnections.open(settings(db))) {
      SQLException tooLong = failureOf(() -> execute(c, "INSERT INTO events VALUES ('abcd')"));
      assertThat(tooLong.getSQLState()).isEqualTo("22001");
      assertThat(SqlErrors.classify(tooLong)).isEqualTo(SqlErrorKind.PERMANENT);

      // What a writer sees after failing over to a replica.
      execute(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
      SQLException readOnly = failureOf(() -> execute(c, "INSERT INTO events VALUES ('a')"));
      assertThat(readOnly.getSQLState()).isEqualTo("25006");
      assertThat(SqlErrors.classify(readOnly)).isEqualTo(SqlErrorKind.TRANSIENT);
    }
  }

  @Test
  void postgresTimeoutsAndApplicationNameDefaultsAndUrlOverrides() throws Exception {
    TestDatabase db = postgres.createDatabase();
    try (Connection c = JdbcConnections.open(settings(db, "eventkit-it-name"))) {
      // pgjdbc reports its socket's SO_TIMEOUT, which socketTimeout sets.
      assertThat(c.getNetworkTimeout()).isEqualTo(JdbcConnections.SOCKET_TIMEOUT_SECONDS * 1000);
      assertThat(queryString(c, "SHOW application_name")).isEqualTo("eventkit-it-name");
    }
    try (Connection c =
        JdbcConnections.open(
            settings(
                db,
                db.user(),
                db.password(),
                "?socketTimeout=7&ApplicationName=from-url",
                "eventkit-it-name"))) {
      assertThat(c.getNetworkTimeout()).isEqualTo(7000);
      assertThat(queryString(c, "SHOW application_name")).isEqualTo("from-url");
    }
  }

  // ---------------------------------------------------------------- MariaDB

  @Test
  void mariadbWrongPasswordIsAuthentication() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    db.createRole("eventkit_login", "right-password", "SELECT ON " + db.name() + ".*");

    SQLException e =
        failureOf(
            () ->
                JdbcConnections.open(
                        settings(db, "eventkit_login", "wrong-password", "", "eventkit-it"))
                    .close());

    assertThat(e.getErrorCode()).isEqualTo(1045);
    assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.AUTHENTICATION);
    assertThat(SqlErrors.describe(e))
        .startsWith("AUTHENTICATION (SQLSTATE 28000, error 1045)")
        .doesNotContain("wrong-password");
    try (Connection ok =
        JdbcConnections.open(settings(db, "eventkit_login", "right-password", "", "eventkit-it"))) {
      assertThat(ok.isValid(5)).isTrue();
    }
  }

  @Test
  void mariadbMissingDatabaseIsMisconfiguration() {
    TestDatabase db = mariadb.createDatabase();
    JdbcSettings missing =
        new JdbcSettings(
            mariadb.jdbcUrl("no_such_database"),
            Optional.of(db.user()),
            password(db.password()),
            "eventkit-it");

    SQLException e = failureOf(() -> JdbcConnections.open(missing).close());

    assertThat(e.getErrorCode()).isEqualTo(1049);
    assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
  }

  @Test
  void mariadbMissingTableAndPrivilegeAreMisconfiguration() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    db.execute("CREATE TABLE outbox (id int PRIMARY KEY)", "CREATE TABLE granted (id int)");
    String user = "reader_" + db.name().substring(db.name().lastIndexOf('_') + 1);
    db.createRole(user, "pw", "SELECT ON " + db.name() + ".granted");

    try (Connection admin = JdbcConnections.open(settings(db))) {
      SQLException noTable = failureOf(() -> execute(admin, "SELECT * FROM no_such_table"));
      assertThat(noTable.getErrorCode()).isEqualTo(1146);
      assertThat(SqlErrors.classify(noTable)).isEqualTo(SqlErrorKind.MISCONFIGURATION);

      SQLException noColumn = failureOf(() -> execute(admin, "SELECT no_such_column FROM outbox"));
      assertThat(noColumn.getErrorCode()).isEqualTo(1054);
      assertThat(SqlErrors.classify(noColumn)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
    }
    try (Connection reader = JdbcConnections.open(settings(db, user, "pw", "", "it"))) {
      SQLException denied = failureOf(() -> execute(reader, "SELECT * FROM outbox"));
      assertThat(denied.getErrorCode()).isEqualTo(1142);
      assertThat(SqlErrors.classify(denied)).isEqualTo(SqlErrorKind.MISCONFIGURATION);
    }
  }

  @Test
  void mariadbKilledSessionsAreTransient() throws Exception {
    TestDatabase db = mariadb.createDatabase();

    try (Connection idle = JdbcConnections.open(settings(db))) {
      assertThat(db.terminateOtherSessions()).isEqualTo(1);
      SQLException e = awaitFailure(() -> execute(idle, "SELECT 1"));
      assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.TRANSIENT);
    }

    try (Connection busy = JdbcConnections.open(settings(db))) {
      CompletableFuture<SQLException> running =
          CompletableFuture.supplyAsync(
              () -> failureOf(() -> execute(busy, "SELECT SLEEP(60)")), BACKGROUND);
      await(
          () ->
              db.queryForLong(
                      "SELECT count(*) FROM information_schema.processlist"
                          + " WHERE info = 'SELECT SLEEP(60)'")
                  == 1);
      assertThat(db.terminateOtherSessions()).isEqualTo(1);
      SQLException e = running.get(30, TimeUnit.SECONDS);
      assertThat(SqlErrors.classify(e)).isEqualTo(SqlErrorKind.TRANSIENT);
    }
  }

  @Test
  void mariadbStatementTimeoutAndDeadlockAreTransient() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    db.execute(
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int) ENGINE=InnoDB",
        "INSERT INTO accounts VALUES (1, 0), (2, 0)");
    try (Connection c = JdbcConnections.open(settings(db))) {
      boolean isMariaDb = queryString(c, "SELECT VERSION()").contains("MariaDB");
      // A statement that computes for minutes, cut off by the server's own time limit:
      // MariaDB's max_statement_time (1969), or MySQL's MAX_EXECUTION_TIME hint (3024) when the
      // Testcontainers backend runs a MySQL image.
      String slow =
          isMariaDb
              ? "SET STATEMENT max_statement_time=0.2 FOR"
                  + " SELECT max(sha2(seq, 512)) FROM seq_1_to_100000000000"
              : "SELECT /*+ MAX_EXECUTION_TIME(200) */ count(*) FROM information_schema.columns a,"
                  + " information_schema.columns b, information_schema.columns c";
      SQLException timeout = failureOf(() -> execute(c, slow));
      assertThat(timeout.getErrorCode()).isEqualTo(isMariaDb ? 1969 : 3024);
      assertThat(SqlErrors.classify(timeout)).isEqualTo(SqlErrorKind.TRANSIENT);
    }

    SQLException deadlock =
        deadlock(
            db, "SELECT count(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'");
    assertThat(deadlock.getErrorCode()).isEqualTo(1213);
    assertThat(SqlErrors.classify(deadlock)).isEqualTo(SqlErrorKind.TRANSIENT);
  }

  @Test
  void mariadbReadOnlyIsTransientAndBadDataPermanent() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    db.execute("CREATE TABLE events (code varchar(3))");
    try (Connection c = JdbcConnections.open(settings(db))) {
      execute(c, "SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
      SQLException tooLong = failureOf(() -> execute(c, "INSERT INTO events VALUES ('abcd')"));
      assertThat(tooLong.getErrorCode()).isEqualTo(1406);
      assertThat(SqlErrors.classify(tooLong)).isEqualTo(SqlErrorKind.PERMANENT);

      execute(c, "SET SESSION TRANSACTION READ ONLY");
      SQLException readOnly = failureOf(() -> execute(c, "INSERT INTO events VALUES ('a')"));
      assertThat(readOnly.getErrorCode()).isEqualTo(1792);
      assertThat(SqlErrors.classify(readOnly)).isEqualTo(SqlErrorKind.TRANSIENT);
    }
  }

  @Test
  void mariadbTimeoutsDefaultsAndUrlOverrides() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    try (Connection c = JdbcConnections.open(settings(db, "eventkit-it-name"))) {
      assertThat(c.getNetworkTimeout()).isEqualTo(JdbcConnections.SOCKET_TIMEOUT_SECONDS * 1000);
    }
    try (Connection c =
        JdbcConnections.open(
            settings(db, db.user(), db.password(), "?socketTimeout=7000", "eventkit-it-name"))) {
      assertThat(c.getNetworkTimeout()).isEqualTo(7000);
    }
    // MySQL URLs reach the same server through the MariaDB driver.
    String mysqlUrl = db.jdbcUrl().replace("jdbc:mariadb:", "jdbc:mysql:");
    try (Connection c =
        JdbcConnections.open(
            new JdbcSettings(
                mysqlUrl, Optional.of(db.user()), password(db.password()), "eventkit-it"))) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void mariadbProgramNameReachesTheServerWhenPerformanceSchemaIsOn() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    try (Connection c = JdbcConnections.open(settings(db, "eventkit-it-attrs"))) {
      Assumptions.assumeTrue(
          "1".equals(queryString(c, "SELECT @@performance_schema")),
          "performance_schema is off on this server");
      assertThat(
              queryString(
                  c,
                  "SELECT attr_value FROM performance_schema.session_connect_attrs"
                      + " WHERE processlist_id = CONNECTION_ID() AND attr_name = 'program_name'"))
          .isEqualTo("eventkit-it-attrs");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static JdbcSettings settings(TestDatabase db) {
    return settings(db, "eventkit-it");
  }

  private static JdbcSettings settings(TestDatabase db, String applicationName) {
    return settings(db, db.user(), db.password(), "", applicationName);
  }

  private static JdbcSettings settings(
      TestDatabase db, String user, String password, String urlSuffix, String applicationName) {
    return new JdbcSettings(
        db.jdbcUrl() + urlSuffix, Optional.of(user), password(password), applicationName);
  }

  private static Optional<String> password(String password) {
    return Optional.ofNullable(password).filter(p -> !p.isEmpty());
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private static SQLException failureOf(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      return e;
    }
    return fail("Expected an SQLException");
  }

  /**
   * The action's failure, retried until it fails (a server reacts to a kill or reload a bit later).
   */
  private static SQLException awaitFailure(SqlAction action) throws InterruptedException {
    return org.awaitility.Awaitility.await("an SQLException")
        .atMost(WAIT)
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(
            () -> {
              try {
                action.run();
                return null;
              } catch (SQLException e) {
                return e;
              }
            },
            java.util.Objects::nonNull);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .pollInterval(java.time.Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /**
   * Two transactions that each hold one row and want the other's; returns the error of the one the
   * server picked as the victim (the other must succeed).
   */
  private static SQLException deadlock(TestDatabase db, String waitingTransactions)
      throws Exception {
    try (Connection a = JdbcConnections.open(settings(db));
        Connection b = JdbcConnections.open(settings(db))) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      execute(a, "UPDATE accounts SET balance = 1 WHERE id = 1");
      execute(b, "UPDATE accounts SET balance = 1 WHERE id = 2");
      CompletableFuture<SQLException> first =
          CompletableFuture.supplyAsync(
              () -> outcome(a, "UPDATE accounts SET balance = 2 WHERE id = 2"), BACKGROUND);
      await(() -> db.queryForLong(waitingTransactions) >= 1);
      CompletableFuture<SQLException> second =
          CompletableFuture.supplyAsync(
              () -> outcome(b, "UPDATE accounts SET balance = 2 WHERE id = 1"), BACKGROUND);
      List<SQLException> failures = new ArrayList<>();
      for (CompletableFuture<SQLException> f : List.of(first, second)) {
        SQLException e = f.get(60, TimeUnit.SECONDS);
        if (e != null) {
          failures.add(e);
        }
      }
      assertThat(failures).as("exactly one deadlock victim").hasSize(1);
      return failures.get(0);
    }
  }

  /** Runs one statement; on failure rolls back (releasing the locks) and returns the error. */
  private static SQLException outcome(Connection c, String sql) {
    try {
      execute(c, sql);
      c.commit();
      return null;
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // The victim's transaction is already gone on some servers.
      }
      return e;
    }
  }
}
