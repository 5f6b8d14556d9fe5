package dev.eventkit.connect.dlq.archive;

import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.HeadersJson;
import dev.eventkit.connect.jdbc.SecretRedaction;
import dev.eventkit.connect.jdbc.SqlErrorKind;
import dev.eventkit.connect.jdbc.SqlErrors;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archives dead letters into a table. Each batch is one database transaction, committed before
 * {@link #write} returns, so every offset Connect commits afterwards is durable. Inserts are
 * idempotent on (dlq_topic, dlq_partition, dlq_offset): redelivery never duplicates a row.
 */
public final class JdbcArchiveWriter implements ArchiveWriter {

  private static final Logger log = LoggerFactory.getLogger(JdbcArchiveWriter.class);

  private final String url;
  private final String user;
  private final String password;
  private final String table;
  private final boolean createTable;
  private final ArchiveDialect dialect;
  private final String insertSql;
  private Connection connection;
  private boolean tableReady;

  public JdbcArchiveWriter(
      String url, String user, String password, String table, boolean createTable) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.table = table;
    this.createTable = createTable;
    this.dialect = ArchiveDialect.of(url);
    try {
      this.insertSql = dialect.insert(table);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("archive.table: " + e.getMessage(), e);
    }
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {}

  @Override
  public List<Rejected> write(List<DeadLetter> letters) throws ArchiveException {
    if (letters.isEmpty()) {
      return List.of();
    }
    Instant now = Instant.now();
    try {
      insert(connection(), letters, now);
      return List.of();
    } catch (SQLException | RuntimeException | AssertionError batchFailure) {
      // pgjdbc surfaces a connection killed in the middle of a batch as an AssertionError
      // ("getAutoCommit() should not throw"): it is a lost connection like any other.
      reset();
      failUnlessAboutTheData(letters, batchFailure);
      // Something in the batch is unacceptable to the database (a MariaDB server even drops the
      // connection over a packet larger than max_allowed_packet): find the letters.
      log.warn(
          "Archiving a batch of {} failed ({}); retrying one by one",
          letters.size(),
          batchFailure.toString());
      return insertOneByOne(letters, now);
    }
  }

  private List<Rejected> insertOneByOne(List<DeadLetter> letters, Instant now)
      throws ArchiveException {
    List<Rejected> rejected = new ArrayList<>();
    for (DeadLetter letter : letters) {
      try {
        insert(connection(), List.of(letter), now);
      } catch (SQLException | RuntimeException | AssertionError first) {
        reset();
        Throwable single = first;
        if (kind(first) == SqlErrorKind.TRANSIENT && connectionLost(first)) {
          // A connection that drops once is no verdict on the letter: try it again on a fresh
          // one. Only a letter that loses the connection again, while the database answers
          // (MariaDB drops it over a packet larger than max_allowed_packet), is its own fault.
          try {
            insert(connection(), List.of(letter), now);
            continue;
          } catch (SQLException | RuntimeException | AssertionError again) {
            reset();
            single = again;
          }
        }
        failUnlessAboutTheData(letters, single);
        rejected.add(
            new Rejected(
                letter,
                single instanceof Exception ? (Exception) single : new SQLException(single)));
      }
    }
    return rejected;
  }

  /**
   * Throws unless a failure can be the data's fault: a setting or privilege that is wrong fails the
   * task; a lock conflict, deadlock, serialization failure or timeout is retried even though the
   * database answers; a lost connection is retried unless the database answers at once (then the
   * data may have caused it). Only what is left, the database refusing the data, is the data's
   * fault.
   */
  private void failUnlessAboutTheData(List<DeadLetter> letters, Throwable failure)
      throws ArchiveException {
    SqlErrorKind kind = kind(failure);
    switch (kind) {
      case AUTHENTICATION, MISCONFIGURATION ->
          throw new ArchiveException(
              "Archiving into " + table + " failed: " + describe(failure), failure, false);
      case TRANSIENT -> {
        if (!connectionLost(failure) || !databaseAnswers()) {
          throw unavailable(letters, failure);
        }
      }
      case PERMANENT -> {
        // the data's fault
      }
    }
  }

  /**
   * SQLSTATEs that say the table does not fit the archive's statements (no unique constraint for ON
   * CONFLICT, a column of another type, a column missing): no letter is at fault.
   */
  private static final java.util.Set<String> TABLE_MISFITS =
      java.util.Set.of("42P10", "42804", "42703", "42P01", "42S22", "42S02");

  /** The shared classification, with a table that does not fit counted as misconfiguration. */
  static SqlErrorKind kind(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (SQLException s = t instanceof SQLException e ? e : null;
          s != null;
          s = s.getNextException()) {
        if (s.getSQLState() != null && TABLE_MISFITS.contains(s.getSQLState())) {
          return SqlErrorKind.MISCONFIGURATION;
        }
      }
    }
    return SqlErrors.classify(failure);
  }

  /** Whether the failure is the connection's (no answer from the server) rather than an answer. */
  private static boolean connectionLost(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState().startsWith("08");
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return true;
  }

  private ArchiveException unavailable(List<DeadLetter> letters, Throwable cause) {
    return new ArchiveException(
        "Archiving "
            + letters.size()
            + " dead letters into "
            + table
            + " failed, to be retried: "
            + describe(cause),
        cause,
        true);
  }

  private String describe(Throwable failure) {
    String text =
        failure instanceof SQLException s
            ? SqlErrors.describe(s)
            : failure.getCause() instanceof SQLException c
                ? SqlErrors.describe(c)
                : failure.toString();
    return SecretRedaction.message(text, url, password);
  }

  /** Whether a fresh connection to the archive database works right now. */
  private boolean databaseAnswers() {
    try {
      return connection().isValid(5);
    } catch (SQLException | ArchiveException | RuntimeException e) {
      reset();
      return false;
    }
  }

  private void insert(Connection c, List<DeadLetter> letters, Instant archivedAt)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      for (DeadLetter letter : letters) {
        bind(ps, letter, archivedAt);
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (BatchUpdateException e) {
      throw e.getNextException() != null ? e.getNextException() : e;
    }
    c.commit();
  }

  private void bind(PreparedStatement ps, DeadLetter l, Instant archivedAt) throws SQLException {
    int i = 0;
    ps.setString(++i, l.dlqTopic());
    ps.setInt(++i, l.dlqPartition());
    ps.setLong(++i, l.dlqOffset());
    dialect.setTimestamp(ps, ++i, l.dlqTimestamp());
    dialect.setTimestamp(ps, ++i, archivedAt);
    ps.setString(++i, ArchiveText.fit(l.originTopic(), ArchiveDialect.TOPIC_CHARS));
    setInt(ps, ++i, l.originPartition());
    setLong(ps, ++i, l.originOffset());
    dialect.setTimestamp(ps, ++i, l.originTimestamp());
    ps.setString(++i, l.dialect().columnValue());
    ps.setString(++i, ArchiveText.fit(l.connectorName(), ArchiveDialect.NAME_CHARS));
    setInt(ps, ++i, l.taskId());
    ps.setString(++i, ArchiveText.fit(l.stage(), ArchiveDialect.STAGE_CHARS));
    ps.setString(++i, ArchiveText.fit(l.failingClass(), ArchiveDialect.FAILING_CLASS_CHARS));
    ps.setString(++i, ArchiveText.fit(l.consumerGroup(), ArchiveDialect.NAME_CHARS));
    ps.setString(++i, ArchiveText.fit(l.exceptionClass(), ArchiveDialect.EXCEPTION_CLASS_CHARS));
    ps.setString(++i, ArchiveText.fit(l.exceptionMessage(), ArchiveDialect.UNLIMITED));
    ps.setString(++i, ArchiveText.fit(l.exceptionStacktrace(), ArchiveDialect.UNLIMITED));
    ps.setString(++i, ArchiveText.fit(l.eventId(), ArchiveDialect.NAME_CHARS));
    ps.setString(++i, ArchiveText.fit(l.eventType(), ArchiveDialect.NAME_CHARS));
    ps.setString(++i, ArchiveText.fit(l.correlationId(), ArchiveDialect.NAME_CHARS));
    ps.setBytes(++i, l.key());
    ps.setBytes(++i, l.value());
    ps.setString(++i, HeadersJson.write(l.headers()));
  }

  private static void setInt(PreparedStatement ps, int index, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  /** Writes are committed in {@link #write}: whatever Connect proposes is durable. */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> committable(
      Map<TopicPartition, OffsetAndMetadata> proposed) {
    return proposed;
  }

  private Connection connection() throws SQLException, ArchiveException {
    if (connection == null || connection.isClosed()) {
      try {
        connection = ArchiveDialect.connect(url, user, password);
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        reset();
        throw new ArchiveException(
            "Cannot connect to the archive database: " + describe(e),
            e,
            SqlErrors.classify(e).retriable());
      }
    }
    if (!tableReady) {
      prepareTable(connection);
      tableReady = true;
    }
    return connection;
  }

  /**
   * Makes sure the table can be used: it is read first, so a table created beforehand needs no DDL
   * (and no privilege to run it); a missing one is created if allowed. A setting or privilege that
   * is wrong fails the task, naming the table and what to grant: it is not an outage.
   */
  private void prepareTable(Connection c) throws SQLException, ArchiveException {
    SQLException missing = readable(c);
    if (missing == null) {
      checkShape(c);
      return;
    }
    if (!dialect.isMissingTable(missing)) {
      throw new ArchiveException(
          "Cannot read archive table "
              + table
              + " as "
              + who()
              + ": "
              + describe(missing)
              + ". The archive needs SELECT and INSERT on it (and UPDATE on MariaDB/MySQL)",
          missing,
          SqlErrors.classify(missing).retriable());
    }
    if (!createTable) {
      throw new ArchiveException(
          "Archive table "
              + table
              + " does not exist and archive.table.create=false: create it, or set"
              + " archive.table.create=true and grant "
              + who()
              + " the CREATE privilege",
          missing,
          false);
    }
    try (Statement st = c.createStatement()) {
      for (String ddl : dialect.createTable(table)) {
        st.execute(ddl);
      }
      c.commit();
    } catch (SQLException ddl) {
      rollbackQuietly(c);
      if (readable(c) == null) {
        return; // another task created it meanwhile
      }
      throw new ArchiveException(
          "Cannot create archive table "
              + table
              + " as "
              + who()
              + ": "
              + describe(ddl)
              + ". Grant the CREATE privilege (PostgreSQL: CREATE on the table's schema;"
              + " MariaDB/MySQL: CREATE on the table), or create the table beforehand and set"
              + " archive.table.create=false",
          ddl,
          SqlErrors.classify(ddl).retriable());
    }
  }

  /**
   * Fails the task, naming the table and the statement that fixes it, when a table created
   * beforehand (or by an earlier release) would drop or duplicate letters.
   */
  private void checkShape(Connection c) throws SQLException, ArchiveException {
    List<String> problems;
    try {
      problems = dialect.shapeProblems(c, table);
      c.commit();
    } catch (SQLException e) {
      if (connectionLost(e)) {
        throw e;
      }
      rollbackQuietly(c);
      throw new ArchiveException(
          "Cannot check the shape of archive table " + table + ": " + describe(e),
          e,
          SqlErrors.classify(e).retriable());
    }
    if (!problems.isEmpty()) {
      throw new ArchiveException(
          "Archive table " + table + " cannot be used as it is: " + String.join("; ", problems),
          null,
          false);
    }
  }

  /** Null when the table can be read, else why not. */
  private SQLException readable(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeQuery(dialect.probe(table)).close();
      c.commit();
      return null;
    } catch (SQLException e) {
      if (connectionLost(e)) {
        throw e;
      }
      rollbackQuietly(c);
      return e;
    }
  }

  private String who() {
    return user == null ? "the connecting user" : "user " + user;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      log.debug("Ignoring a failed rollback", e);
    }
  }

  private void reset() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Ignoring failure to close a broken connection", e);
      }
    }
    connection = null;
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {}

  @Override
  public void close() {
    reset();
  }
}
