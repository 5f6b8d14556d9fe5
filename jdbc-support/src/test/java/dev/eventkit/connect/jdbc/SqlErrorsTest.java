package dev.eventkit.connect.jdbc;

import static dev.eventkit.connect.jdbc.SqlErrorKind.AUTHENTICATION;
import static dev.eventkit.connect.jdbc.SqlErrorKind.MISCONFIGURATION;
import static dev.eventkit.connect.jdbc.SqlErrorKind.PERMANENT;
import static dev.eventkit.connect.jdbc.SqlErrorKind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SqlErrorsTest {

  /** SQLSTATE as pgjdbc reports it (vendor code always 0) and the kind it means. */
  @ParameterizedTest(name = "PostgreSQL {0} -> {1}")
  @CsvSource({
    // connection exceptions: refused, lost, closed, socket timeout
    "08001, TRANSIENT",
    "08003, TRANSIENT",
    "08006, TRANSIENT",
    "08P01, TRANSIENT",
    // pgjdbc: no password given, SCRAM failure, SSL not offered
    "08004, AUTHENTICATION",
    "40001, TRANSIENT",
    "40P01, TRANSIENT",
    "40003, TRANSIENT",
    "40002, PERMANENT",
    "55P03, TRANSIENT",
    "55006, TRANSIENT",
    "57014, TRANSIENT",
    "57P01, TRANSIENT",
    "57P02, TRANSIENT",
    "57P03, TRANSIENT",
    "53000, TRANSIENT",
    "53100, TRANSIENT",
    "53200, TRANSIENT",
    "53300, TRANSIENT",
    "58000, TRANSIENT",
    "58030, TRANSIENT",
    "25006, TRANSIENT",
    "28000, AUTHENTICATION",
    "28P01, AUTHENTICATION",
    "3D000, MISCONFIGURATION",
    "3F000, MISCONFIGURATION",
    "42501, MISCONFIGURATION",
    "42P01, MISCONFIGURATION",
    "42703, MISCONFIGURATION",
    "42883, MISCONFIGURATION",
    "42704, MISCONFIGURATION",
    "42601, PERMANENT",
    "42804, PERMANENT",
    "42P07, PERMANENT",
    "22001, PERMANENT",
    "22P02, PERMANENT",
    "22021, PERMANENT",
    "23505, PERMANENT",
    "23502, PERMANENT",
    "23503, PERMANENT",
    "23514, PERMANENT",
    "0A000, PERMANENT",
    "21000, PERMANENT",
    "P0001, PERMANENT",
    // unrecognised: retried (see SqlErrors)
    "XX000, TRANSIENT",
    "25P02, TRANSIENT",
    "55000, TRANSIENT",
    "99999, TRANSIENT",
    "HY000, TRANSIENT",
    "abc, TRANSIENT"
  })
  void postgresqlStates(String state, SqlErrorKind expected) {
    SQLException e = new SQLException("ERROR: something", state);
    assertThat(SqlErrors.classify(e)).isEqualTo(expected);
    assertThat(SqlErrors.classify(e).retriable()).isEqualTo(expected == TRANSIENT);
  }

  /** MariaDB / MySQL: vendor code and the SQLSTATE the server sends with it. */
  @ParameterizedTest(name = "MariaDB {0} ({1}) -> {2}")
  @CsvSource({
    "1045, 28000, AUTHENTICATION",
    "1698, 28000, AUTHENTICATION",
    "1049, 42000, MISCONFIGURATION",
    "1044, 42000, MISCONFIGURATION",
    "1142, 42000, MISCONFIGURATION",
    "1143, 42000, MISCONFIGURATION",
    "1227, 42000, MISCONFIGURATION",
    "1146, 42S02, MISCONFIGURATION",
    "1054, 42S22, MISCONFIGURATION",
    "1046, 3D000, MISCONFIGURATION",
    "1205, HY000, TRANSIENT",
    "1213, 40001, TRANSIENT",
    "1317, 70100, TRANSIENT",
    "1927, 70100, TRANSIENT",
    "2006, HY000, TRANSIENT",
    "2013, HY000, TRANSIENT",
    "1040, 08004, TRANSIENT",
    "3024, HY000, TRANSIENT",
    "1969, 70100, TRANSIENT",
    "1290, HY000, TRANSIENT",
    "1792, 25006, TRANSIENT",
    "1053, 08S01, TRANSIENT",
    "1406, 22001, PERMANENT",
    "1366, 22007, PERMANENT",
    "1366, HY000, PERMANENT",
    "1292, 22007, PERMANENT",
    "1062, 23000, PERMANENT",
    "1153, 08S01, PERMANENT",
    "1064, 42000, PERMANENT",
    // unknown code: the SQLSTATE decides, else retried
    "1050, 42S01, PERMANENT",
    "1234, 08S01, TRANSIENT",
    "1105, HY000, TRANSIENT"
  })
  void mariadbCodes(int code, String state, SqlErrorKind expected) {
    assertThat(SqlErrors.classify(new SQLException("(conn=7) something", state, code)))
        .isEqualTo(expected);
  }

  static Stream<Arguments> exceptionTypes() {
    return Stream.of(
        Arguments.of(new SQLTransientConnectionException("gone"), TRANSIENT),
        Arguments.of(new SQLTimeoutException("slow"), TRANSIENT),
        Arguments.of(new SQLTransactionRollbackException("rolled back"), TRANSIENT),
        Arguments.of(new SQLRecoverableException("recover"), TRANSIENT),
        Arguments.of(new SQLNonTransientConnectionException("closed", "08000"), TRANSIENT),
        Arguments.of(new SQLNonTransientConnectionException("closed"), TRANSIENT),
        Arguments.of(new SQLInvalidAuthorizationSpecException("denied"), AUTHENTICATION),
        Arguments.of(new SQLInvalidAuthorizationSpecException("denied", "28000"), AUTHENTICATION),
        // MariaDB Connector/J raises class 25 as SQLInvalidAuthorizationSpecException too: the
        // SQLSTATE wins over the type.
        Arguments.of(
            new SQLInvalidAuthorizationSpecException("read-only", "25006", 1792), TRANSIENT),
        Arguments.of(new SQLDataException("bad"), PERMANENT),
        Arguments.of(new SQLIntegrityConstraintViolationException("dup"), PERMANENT),
        Arguments.of(new SQLSyntaxErrorException("syntax"), PERMANENT),
        Arguments.of(new SQLFeatureNotSupportedException("nope"), PERMANENT),
        Arguments.of(new SQLNonTransientException("unknown"), TRANSIENT),
        Arguments.of(new SQLException("no state"), TRANSIENT),
        Arguments.of(new UnusableUrlException("expected jdbc:postgresql:"), MISCONFIGURATION),
        Arguments.of(new IOException("reset"), TRANSIENT),
        Arguments.of(new IllegalStateException("??"), TRANSIENT),
        Arguments.of(new AssertionError("getAutoCommit() should not throw"), TRANSIENT));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("exceptionTypes")
  void exceptionTypesDecideWhenThereIsNoCode(Throwable e, SqlErrorKind expected) {
    assertThat(SqlErrors.classify(e)).isEqualTo(expected);
  }

  @Test
  void nullIsTransient() {
    assertThat(SqlErrors.classify(null)).isEqualTo(TRANSIENT);
  }

  @Test
  void causeChainsAreWalked() {
    SQLException auth = new SQLException("FATAL: password authentication failed", "28P01");
    assertThat(SqlErrors.classify(new IllegalStateException("task failed", auth)))
        .isEqualTo(AUTHENTICATION);
    assertThat(
            SqlErrors.classify(
                new CompletionException(new RuntimeException(new IllegalStateException(auth)))))
        .isEqualTo(AUTHENTICATION);

    // A state-less wrapper is classified by the SQLException inside it.
    SQLException wrapper = new SQLException("wrapped", null, 0, auth);
    assertThat(SqlErrors.classify(wrapper)).isEqualTo(AUTHENTICATION);

    // pgjdbc's I/O error: 08006 caused by a socket timeout.
    SQLException io =
        new SQLException(
            "An I/O error occurred while sending to the backend.",
            "08006",
            new SocketTimeoutException("Read timed out"));
    assertThat(SqlErrors.classify(io)).isEqualTo(TRANSIENT);

    // Code-based evidence deeper in the chain beats a type-based guess on top.
    SQLException missingTable = new SQLException("relation does not exist", "42P01");
    assertThat(SqlErrors.classify(new SQLTransientConnectionException("x", null, 0, missingTable)))
        .isEqualTo(MISCONFIGURATION);
  }

  @Test
  void nextExceptionsAreWalked() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", new int[0]);
    batch.setNextException(new SQLException("ERROR: value too long", "22001"));
    assertThat(SqlErrors.classify(batch)).isEqualTo(PERMANENT);

    SQLException deadlock = new SQLException("no state");
    deadlock.setNextException(new SQLException("ERROR: deadlock detected", "40P01"));
    assertThat(SqlErrors.classify(deadlock)).isEqualTo(TRANSIENT);

    SQLException viaCauseOfNext = new SQLException("outer");
    viaCauseOfNext.setNextException(
        new SQLException("middle", null, 0, new SQLException("denied", "42501")));
    assertThat(SqlErrors.classify(viaCauseOfNext)).isEqualTo(MISCONFIGURATION);
  }

  @Test
  void cyclicChainsEnd() {
    SQLException a = new SQLException("a");
    SQLException b = new SQLException("b");
    a.setNextException(b);
    b.setNextException(a);
    assertThat(SqlErrors.classify(a)).isEqualTo(TRANSIENT);

    EOFException eof = new EOFException();
    SQLException c = new SQLException("c", null, 0, eof);
    eof.initCause(new SQLException("deep", "3D000"));
    assertThat(SqlErrors.classify(c)).isEqualTo(MISCONFIGURATION);
  }

  @Test
  void describeNamesTheKindTheStateTheMessageAndWhatToCheck() {
    String auth =
        SqlErrors.describe(
            new SQLException("FATAL: password authentication failed for user \"relay\"", "28P01"));
    assertThat(auth)
        .startsWith("AUTHENTICATION (SQLSTATE 28P01): FATAL: password authentication failed")
        .contains("relay")
        .contains("Check the user name and password");

    String database =
        SqlErrors.describe(new SQLException("Unknown database 'shop'", "42000", 1049));
    assertThat(database)
        .startsWith("MISCONFIGURATION (SQLSTATE 42000, error 1049): Unknown database 'shop'")
        .contains("database name in the connection URL");

    assertThat(SqlErrors.describe(new SQLException("permission denied for table outbox", "42501")))
        .contains("Grant");
    assertThat(SqlErrors.describe(new SQLException("relation \"outbox\" does not exist", "42P01")))
        .contains("table name");
    assertThat(SqlErrors.describe(new SQLException("column \"seq\" does not exist", "42703")))
        .contains("column names");

    assertThat(SqlErrors.describe(new SQLException("deadlock detected", "40P01")))
        .isEqualTo("TRANSIENT (SQLSTATE 40P01): deadlock detected");
    assertThat(SqlErrors.describe(new SQLException((String) null)))
        .isEqualTo("TRANSIENT (no SQLSTATE): java.sql.SQLException");
  }

  @Test
  void describeUsesTheErrorThatDecidedAndRedactsPasswords() {
    SQLException outer = new SQLException("Batch failed");
    outer.setNextException(new SQLException("ERROR: value too long for type", "22001"));
    assertThat(SqlErrors.describe(outer))
        .isEqualTo("PERMANENT (SQLSTATE 22001): ERROR: value too long for type");

    assertThat(
            SqlErrors.describe(
                new SQLException(
                    "error parsing url: bad url jdbc:mariadb://root:secret@h/db?password=secret")))
        .doesNotContain("secret")
        .contains("root:***@h");

    assertThat(SqlErrors.describe(new SQLException("x".repeat(5000), "22001")))
        .hasSizeLessThan(1100);
  }
}
