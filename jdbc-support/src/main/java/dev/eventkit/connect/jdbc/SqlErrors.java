package dev.eventkit.connect.jdbc;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Classifies database errors from pgjdbc and MariaDB Connector/J (PostgreSQL, MariaDB, MySQL) into
 * {@link SqlErrorKind}s, and describes them for users.
 *
 * <p>Evidence is weighed in this order: a MariaDB/MySQL vendor error code (their SQLSTATEs are
 * often the vague {@code HY000}), then the SQLSTATE, then the JDBC exception type. The first
 * throwable in the chain ({@link Throwable#getCause()} and {@link SQLException#getNextException()})
 * that carries a recognised code decides, so a wrapped or batched error is classified by what the
 * server said.
 *
 * <p>What nothing recognises is {@link SqlErrorKind#TRANSIENT}: an unknown state is more often a
 * driver or server condition that passes (a new failover mode, an I/O error wrapped oddly) than a
 * fault in the data, and a retry with backoff and a logged reason costs little, while failing a
 * task on an unrecognised state stops the pipeline for something that may heal on its own. The
 * errors that never heal, such as authentication, missing objects and bad data, all have codes.
 */
public final class SqlErrors {

  /** How deep into cause and next-exception chains to look; chains can be cyclic or endless. */
  private static final int MAX_CHAIN = 64;

  private static final int MAX_MESSAGE_LENGTH = 1000;

  /** MariaDB and MySQL error codes whose SQLSTATE alone would be misread (HY000, 42000, 08S01). */
  private static final Map<Integer, SqlErrorKind> VENDOR_CODES =
      Map.ofEntries(
          // Login refused: access denied (wrong password), no password, account locked or expired,
          // host not allowed to connect, authentication plugin the client cannot speak.
          Map.entry(1045, SqlErrorKind.AUTHENTICATION),
          Map.entry(1698, SqlErrorKind.AUTHENTICATION),
          Map.entry(1130, SqlErrorKind.AUTHENTICATION),
          Map.entry(1251, SqlErrorKind.AUTHENTICATION),
          Map.entry(1820, SqlErrorKind.AUTHENTICATION),
          Map.entry(1862, SqlErrorKind.AUTHENTICATION),
          Map.entry(3118, SqlErrorKind.AUTHENTICATION),
          Map.entry(4151, SqlErrorKind.AUTHENTICATION),
          // Unknown database, no database selected, access denied to a database, command denied
          // on a table / column / routine, privilege (SUPER, PROCESS...) missing, no such table,
          // unknown table, unknown column, no such function.
          Map.entry(1049, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1046, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1044, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1142, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1143, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1370, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1227, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1146, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1109, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1051, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1054, SqlErrorKind.MISCONFIGURATION),
          Map.entry(1305, SqlErrorKind.MISCONFIGURATION),
          // Lock wait timeout, deadlock, query interrupted, connection killed, server gone away,
          // connection lost, too many connections, statement time limits (MySQL / MariaDB),
          // shutdown in progress, per-user connection limit, read-only server or transaction
          // (after a failover to a replica), network read/write errors, NOWAIT lock, idle timeout,
          // disk full, cannot connect.
          Map.entry(1205, SqlErrorKind.TRANSIENT),
          Map.entry(1213, SqlErrorKind.TRANSIENT),
          Map.entry(1317, SqlErrorKind.TRANSIENT),
          Map.entry(1927, SqlErrorKind.TRANSIENT),
          Map.entry(2006, SqlErrorKind.TRANSIENT),
          Map.entry(2013, SqlErrorKind.TRANSIENT),
          Map.entry(1040, SqlErrorKind.TRANSIENT),
          Map.entry(3024, SqlErrorKind.TRANSIENT),
          Map.entry(1969, SqlErrorKind.TRANSIENT),
          Map.entry(1053, SqlErrorKind.TRANSIENT),
          Map.entry(1203, SqlErrorKind.TRANSIENT),
          Map.entry(1290, SqlErrorKind.TRANSIENT),
          Map.entry(1836, SqlErrorKind.TRANSIENT),
          Map.entry(1792, SqlErrorKind.TRANSIENT),
          Map.entry(1158, SqlErrorKind.TRANSIENT),
          Map.entry(1159, SqlErrorKind.TRANSIENT),
          Map.entry(1160, SqlErrorKind.TRANSIENT),
          Map.entry(1161, SqlErrorKind.TRANSIENT),
          Map.entry(3572, SqlErrorKind.TRANSIENT),
          Map.entry(4031, SqlErrorKind.TRANSIENT),
          Map.entry(1021, SqlErrorKind.TRANSIENT),
          Map.entry(2002, SqlErrorKind.TRANSIENT),
          Map.entry(2003, SqlErrorKind.TRANSIENT),
          // Data too long, incorrect value, truncated value, out of range, duplicate key, column
          // cannot be null, foreign key violations, packet larger than max_allowed_packet (08S01,
          // but the same packet fails again), syntax error.
          Map.entry(1406, SqlErrorKind.PERMANENT),
          Map.entry(1366, SqlErrorKind.PERMANENT),
          Map.entry(1292, SqlErrorKind.PERMANENT),
          Map.entry(1264, SqlErrorKind.PERMANENT),
          Map.entry(1265, SqlErrorKind.PERMANENT),
          Map.entry(1062, SqlErrorKind.PERMANENT),
          Map.entry(1048, SqlErrorKind.PERMANENT),
          Map.entry(1451, SqlErrorKind.PERMANENT),
          Map.entry(1452, SqlErrorKind.PERMANENT),
          Map.entry(1153, SqlErrorKind.PERMANENT),
          Map.entry(1064, SqlErrorKind.PERMANENT));

  /** Exact SQLSTATEs that differ from their class, or whose class has no rule. */
  private static final Map<String, SqlErrorKind> STATES =
      Map.ofEntries(
          Map.entry("40001", SqlErrorKind.TRANSIENT), // serialization failure
          Map.entry("40P01", SqlErrorKind.TRANSIENT), // deadlock detected
          Map.entry("40002", SqlErrorKind.PERMANENT), // integrity constraint violated at commit
          Map.entry("55P03", SqlErrorKind.TRANSIENT), // lock not available (NOWAIT, lock_timeout)
          Map.entry("55006", SqlErrorKind.TRANSIENT), // object in use, e.g. a replication slot
          Map.entry("57014", SqlErrorKind.TRANSIENT), // statement_timeout or cancel
          Map.entry(
              "25006", SqlErrorKind.TRANSIENT), // read-only transaction: failed over to a replica
          Map.entry("70100", SqlErrorKind.TRANSIENT), // MariaDB: query interrupted (time limit)
          Map.entry("28000", SqlErrorKind.AUTHENTICATION), // invalid authorization specification
          Map.entry("28P01", SqlErrorKind.AUTHENTICATION), // invalid password
          Map.entry("3D000", SqlErrorKind.MISCONFIGURATION), // no such database
          Map.entry("3F000", SqlErrorKind.MISCONFIGURATION), // no such schema
          Map.entry("42501", SqlErrorKind.MISCONFIGURATION), // insufficient privilege
          Map.entry("42P01", SqlErrorKind.MISCONFIGURATION), // undefined table
          Map.entry("42703", SqlErrorKind.MISCONFIGURATION), // undefined column
          Map.entry("42883", SqlErrorKind.MISCONFIGURATION), // undefined function
          Map.entry("42704", SqlErrorKind.MISCONFIGURATION), // undefined object (type, role...)
          Map.entry("42S02", SqlErrorKind.MISCONFIGURATION), // MySQL: base table not found
          Map.entry("42S22", SqlErrorKind.MISCONFIGURATION), // MySQL: column not found
          // MariaDB Connector/J: a packet larger than the server's max_allowed_packet, refused
          // before it is sent; the same record fails the same way again.
          Map.entry("HZ000", SqlErrorKind.PERMANENT));

  /** SQLSTATE classes (first two characters). */
  private static final Map<String, SqlErrorKind> STATE_CLASSES =
      Map.ofEntries(
          Map.entry("08", SqlErrorKind.TRANSIENT), // connection exception
          Map.entry("40", SqlErrorKind.TRANSIENT), // transaction rollback
          Map.entry("53", SqlErrorKind.TRANSIENT), // insufficient resources (disk, memory, conns)
          Map.entry("57", SqlErrorKind.TRANSIENT), // operator intervention: shutdown, terminate
          Map.entry("58", SqlErrorKind.TRANSIENT), // system error (I/O)
          Map.entry("28", SqlErrorKind.AUTHENTICATION),
          Map.entry("3D", SqlErrorKind.MISCONFIGURATION),
          Map.entry("3F", SqlErrorKind.MISCONFIGURATION),
          Map.entry("0A", SqlErrorKind.PERMANENT), // feature not supported
          Map.entry("21", SqlErrorKind.PERMANENT), // cardinality violation
          Map.entry("22", SqlErrorKind.PERMANENT), // data exception
          Map.entry("23", SqlErrorKind.PERMANENT), // integrity constraint violation
          Map.entry("27", SqlErrorKind.PERMANENT), // triggered data change violation
          Map.entry("42", SqlErrorKind.PERMANENT), // syntax error or access rule violation
          Map.entry("44", SqlErrorKind.PERMANENT), // WITH CHECK OPTION violation
          Map.entry("P0", SqlErrorKind.PERMANENT)); // PL/pgSQL RAISE, e.g. from a trigger

  private SqlErrors() {}

  /**
   * What an error means for the caller. Walks {@link Throwable#getCause()} and {@link
   * SQLException#getNextException()}; anything unrecognised (including a null or a non-SQL
   * throwable) is {@link SqlErrorKind#TRANSIENT}, see the class comment for why.
   */
  public static SqlErrorKind classify(Throwable e) {
    return diagnose(e).kind();
  }

  /**
   * A short message for users: the kind, the SQLSTATE (and vendor code), the driver's message and,
   * for {@link SqlErrorKind#AUTHENTICATION} and {@link SqlErrorKind#MISCONFIGURATION}, what to
   * check. Passwords inside the message (a URL the driver echoed) are redacted.
   */
  public static String describe(SQLException e) {
    Diagnosis diagnosis = diagnose(e);
    SQLException source = diagnosis.source() != null ? diagnosis.source() : e;
    StringBuilder out = new StringBuilder(diagnosis.kind().name()).append(" (");
    out.append(source.getSQLState() == null ? "no SQLSTATE" : "SQLSTATE " + source.getSQLState());
    if (source.getErrorCode() != 0) {
      out.append(", error ").append(source.getErrorCode());
    }
    out.append("): ").append(message(source));
    String hint = hint(diagnosis.kind(), source);
    if (hint != null) {
      out.append(". ").append(hint);
    }
    return out.toString();
  }

  private record Diagnosis(SqlErrorKind kind, SQLException source) {}

  private static Diagnosis diagnose(Throwable e) {
    List<SQLException> chain = sqlExceptions(e);
    for (SQLException s : chain) {
      if (s instanceof UnusableUrlException) {
        return new Diagnosis(SqlErrorKind.MISCONFIGURATION, s);
      }
      SqlErrorKind byCode = byVendorCode(s);
      if (byCode == null) {
        byCode = byState(s);
      }
      if (byCode != null) {
        return new Diagnosis(byCode, s);
      }
    }
    for (SQLException s : chain) {
      SqlErrorKind byType = byType(s);
      if (byType != null) {
        return new Diagnosis(byType, s);
      }
    }
    return new Diagnosis(SqlErrorKind.TRANSIENT, chain.isEmpty() ? null : chain.get(0));
  }

  /** The SQLExceptions reachable from {@code e}, breadth first, each once. */
  private static List<SQLException> sqlExceptions(Throwable e) {
    List<SQLException> found = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> queue = new ArrayDeque<>();
    if (e != null) {
      queue.add(e);
    }
    while (!queue.isEmpty() && seen.size() < MAX_CHAIN) {
      Throwable t = queue.poll();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException) {
        SQLException s = (SQLException) t;
        found.add(s);
        if (s.getNextException() != null) {
          queue.add(s.getNextException());
        }
      }
      if (t.getCause() != null) {
        queue.add(t.getCause());
      }
    }
    return found;
  }

  private static SqlErrorKind byVendorCode(SQLException e) {
    // pgjdbc leaves the vendor code at 0; MariaDB Connector/J sets the server's error number.
    return e.getErrorCode() == 0 ? null : VENDOR_CODES.get(e.getErrorCode());
  }

  private static SqlErrorKind byState(SQLException e) {
    String state = e.getSQLState();
    if (state == null || state.length() != 5) {
      return null;
    }
    // pgjdbc raises 08004 (connection rejected) only while authenticating or negotiating SSL/GSS:
    // no password given, SCRAM or channel binding failure. That never heals by retrying.
    // (MariaDB's 08004 is "too many connections", vendor code 1040, decided above.)
    if (state.equals("08004") && e.getErrorCode() == 0) {
      return SqlErrorKind.AUTHENTICATION;
    }
    SqlErrorKind exact = STATES.get(state);
    return exact != null ? exact : STATE_CLASSES.get(state.substring(0, 2));
  }

  private static SqlErrorKind byType(SQLException e) {
    if (e instanceof SQLInvalidAuthorizationSpecException) {
      return SqlErrorKind.AUTHENTICATION;
    }
    if (e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException) {
      return SqlErrorKind.TRANSIENT;
    }
    if (e instanceof SQLDataException
        || e instanceof SQLIntegrityConstraintViolationException
        || e instanceof SQLSyntaxErrorException
        || e instanceof SQLFeatureNotSupportedException) {
      return SqlErrorKind.PERMANENT;
    }
    return null;
  }

  private static String message(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage().strip();
    message = JdbcUrls.redact(message);
    if (message.length() > MAX_MESSAGE_LENGTH) {
      message = message.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }
    while (message.endsWith(".")) {
      message = message.substring(0, message.length() - 1);
    }
    return message;
  }

  private static String hint(SqlErrorKind kind, SQLException e) {
    switch (kind) {
      case AUTHENTICATION:
        return "Check the user name and password the connector logs in with (its connection"
            + " settings or the URL), that the account is not locked or expired, that the"
            + " server accepts this user from this host and, if the URL asks for SSL or GSS,"
            + " that the server offers it";
      case MISCONFIGURATION:
        return misconfigurationHint(e);
      default:
        return null;
    }
  }

  private static String misconfigurationHint(SQLException e) {
    if (e instanceof UnusableUrlException) {
      return "Check the connection URL";
    }
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = e.getErrorCode();
    if (state.equals("3D000") || code == 1049 || code == 1046) {
      return "Check the database name in the connection URL: the server has no such database";
    }
    if (state.equals("3F000")) {
      return "Check the schema name: this database has no such schema";
    }
    if (state.equals("42501")
        || code == 1044
        || code == 1142
        || code == 1143
        || code == 1227
        || code == 1370) {
      return "Grant the connector's database user the privileges it needs on the objects named"
          + " above, or connect as a user that holds them";
    }
    if (state.equals("42P01")
        || state.equals("42S02")
        || code == 1146
        || code == 1109
        || code == 1051) {
      return "Check the table name (and schema) and that the table exists in this database";
    }
    if (state.equals("42703") || state.equals("42S22") || code == 1054) {
      return "Check the column names configured for this table";
    }
    if (state.equals("42883") || state.equals("42704") || code == 1305) {
      return "Check that the function or type exists on this server version (and that any"
          + " extension it comes from is installed)";
    }
    return "Check the connection settings and the database objects they name";
  }
}
