package dev.eventkit.connect.dlq.archive;

import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.HeadersJson;
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
      if (!databaseAnswers()) {
        throw unavailable(letters, batchFailure);
      }
      // The database is fine, so something in the batch is unacceptable to it (a MariaDB server
      // even drops the connection over a packet larger than max_allowed_packet): find the letters.
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
      } catch (SQLException | RuntimeException | AssertionError single) {
        reset();
        boolean transientFailure =
            !(single instanceof SQLException) || isTransient((SQLException) single);
        if (transientFailure && !databaseAnswers()) {
          throw unavailable(letters, single);
        }
        rejected.add(
            new Rejected(
                letter,
                single instanceof Exception ? (Exception) single : new SQLException(single)));
      }
    }
    return rejected;
  }

  private ArchiveException unavailable(List<DeadLetter> letters, Throwable cause) {
    return new ArchiveException(
        "Archiving " + letters.size() + " dead letters into " + table + " failed: " + cause,
        cause,
        true);
  }

  /** Whether a fresh connection to the archive database works right now. */
  private boolean databaseAnswers() {
    try {
      return connection().isValid(5);
    } catch (SQLException | RuntimeException e) {
      reset();
      return false;
    }
  }

  private void insert(Connection c, List<DeadLetter> letters, Instant archivedAt)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(dialect.insert(table))) {
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
    ps.setString(++i, l.originTopic());
    setInt(ps, ++i, l.originPartition());
    setLong(ps, ++i, l.originOffset());
    dialect.setTimestamp(ps, ++i, l.originTimestamp());
    ps.setString(++i, l.dialect().columnValue());
    ps.setString(++i, l.connectorName());
    setInt(ps, ++i, l.taskId());
    ps.setString(++i, l.stage());
    ps.setString(++i, l.failingClass());
    ps.setString(++i, l.consumerGroup());
    ps.setString(++i, l.exceptionClass());
    ps.setString(++i, l.exceptionMessage());
    ps.setString(++i, l.exceptionStacktrace());
    ps.setString(++i, l.eventId());
    ps.setString(++i, l.eventType());
    ps.setString(++i, l.correlationId());
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

  /** Connection trouble, timeouts, server shutdown and lock conflicts heal; the rest does not. */
  static boolean isTransient(SQLException e) {
    return SqlErrors.classify(e).retriable();
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = ArchiveDialect.connect(url, user, password);
      connection.setAutoCommit(false);
    }
    if (!tableReady) {
      if (createTable) {
        try (Statement st = connection.createStatement()) {
          for (String ddl : dialect.createTable(table)) {
            st.execute(ddl);
          }
        }
        connection.commit();
      }
      tableReady = true;
    }
    return connection;
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
