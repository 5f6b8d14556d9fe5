package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL poll mode: reads committed rows by the cursor {@code (txid, seq)}, only below the
 * commit horizon {@code pg_snapshot_xmin(pg_current_snapshot())}. Every transaction with a lower id
 * has ended, so a row that is visible there is committed for good, and no transaction that is still
 * running can later add a row below the cursor: a late commit is never skipped.
 *
 * <p>Each poll reads in one REPEATABLE READ, READ ONLY transaction, so the horizon, the candidate
 * rows and the rows held back are all seen in one snapshot; the transaction ends at once, so the
 * connector never holds back vacuum.
 */
public final class PostgresPollingCapture implements OutboxCapture {

  private static final Logger log = LoggerFactory.getLogger(PostgresPollingCapture.class);

  private final ConnectionFactory connections;
  private final PostgresOutboxSql sql;
  private final OutboxColumns columns;
  private final int maxRows;
  private final String notifyChannel;

  private final ReentrantLock waitLock = new ReentrantLock();
  private final Condition woken = waitLock.newCondition();
  private boolean wakeupRequested;

  private Connection connection;
  private Connection listenConnection;
  private OutboxPosition position;
  private volatile HorizonStall stall = HorizonStall.NONE;

  /** Opens JDBC connections; the task supplies one built from the connector config. */
  @FunctionalInterface
  public interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  public PostgresPollingCapture(
      ConnectionFactory connections,
      String table,
      OutboxColumns columns,
      int bucket,
      int bucketCount,
      int maxRows,
      String notifyChannel,
      OutboxPosition start) {
    this.connections = connections;
    this.sql = new PostgresOutboxSql(table, columns, bucket, bucketCount);
    this.columns = columns;
    this.maxRows = maxRows;
    this.notifyChannel = notifyChannel;
    this.position = start;
  }

  public OutboxPosition position() {
    return position;
  }

  @Override
  public OutboxBatch nextBatch() throws CaptureException {
    try {
      Connection c = connection();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        String horizon = queryHorizon(c);
        List<OutboxRow> candidates = readCandidates(c, horizon);
        Map<String, Long> elsewhere = minSeqElsewhere(c, candidates);
        updateStall(c, horizon);
        c.commit();
        OutboxBatch batch = BatchPlanner.plan(position, candidates, elsewhere);
        position = batch.positionAfter();
        return batch;
      } finally {
        if (!c.isClosed()) {
          c.rollback();
          c.setReadOnly(false);
          c.setAutoCommit(true);
        }
      }
    } catch (SQLException e) {
      throw failure("Reading the outbox failed", e);
    }
  }

  private String queryHorizon(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.horizon())) {
      rs.next();
      return rs.getString(1);
    }
  }

  private List<OutboxRow> readCandidates(Connection c, String horizon) throws SQLException {
    List<OutboxRow> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.candidates())) {
      ps.setString(1, Long.toString(position.txid()));
      ps.setLong(2, position.seq());
      ps.setString(3, horizon);
      ps.setString(4, txidArray(position.done()));
      ps.setInt(5, maxRows);
      try (ResultSet rs = ps.executeQuery()) {
        readRows(rs, rows);
      }
    }
    if (rows.size() == maxRows) {
      // Never split a transaction: read the rest of the last one.
      OutboxRow last = rows.get(rows.size() - 1);
      try (PreparedStatement ps = c.prepareStatement(sql.restOfTransaction())) {
        ps.setString(1, Long.toString(last.txid()));
        ps.setLong(2, last.seq());
        try (ResultSet rs = ps.executeQuery()) {
          readRows(rs, rows);
        }
      }
    }
    return rows;
  }

  private Map<String, Long> minSeqElsewhere(Connection c, List<OutboxRow> candidates)
      throws SQLException {
    if (candidates.isEmpty()) {
      return Map.of();
    }
    OutboxRow last = candidates.get(candidates.size() - 1);
    Set<String> aggregates = new LinkedHashSet<>();
    long maxSeq = Long.MIN_VALUE;
    for (OutboxRow row : candidates) {
      if (row.aggregateId() != null) {
        aggregates.add(row.aggregateId());
      }
      maxSeq = Math.max(maxSeq, row.seq());
    }
    Map<String, Long> result = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql.minSeqElsewhere())) {
      ps.setString(1, Long.toString(last.txid()));
      ps.setLong(2, last.seq());
      ps.setString(3, txidArray(position.done()));
      ps.setLong(4, maxSeq);
      Array ids = c.createArrayOf("text", aggregates.toArray());
      ps.setArray(5, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1), rs.getLong(2));
        }
      } finally {
        ids.free();
      }
    }
    return result;
  }

  private void updateStall(Connection c, String horizon) throws SQLException {
    boolean waiting;
    try (PreparedStatement ps = c.prepareStatement(sql.rowsBehindHorizon())) {
      ps.setString(1, horizon);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        waiting = rs.getBoolean(1);
      }
    }
    if (!waiting) {
      stall = HorizonStall.NONE;
      return;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.oldestOpenTransaction())) {
      stall =
          rs.next()
              ? new HorizonStall(
                  rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5))
              : HorizonStall.NONE;
    }
  }

  private void readRows(ResultSet rs, List<OutboxRow> into) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    boolean binaryPayload = isBinary(meta.getColumnType(7));
    String timestampType = meta.getColumnTypeName(8);
    while (rs.next()) {
      Map<String, String> headers = new LinkedHashMap<>();
      int index = 9;
      for (String header : columns.headerColumns().values()) {
        String value = rs.getString(index++);
        if (value != null) {
          headers.put(header, value);
        }
      }
      into.add(
          new OutboxRow(
              Long.parseLong(rs.getString(1)),
              rs.getLong(2),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getString(6),
              binaryPayload ? null : rs.getString(7),
              binaryPayload ? rs.getBytes(7) : null,
              timestamp(rs, 8, timestampType),
              headers));
    }
  }

  private static boolean isBinary(int sqlType) {
    return sqlType == Types.BINARY || sqlType == Types.VARBINARY || sqlType == Types.LONGVARBINARY;
  }

  /** timestamptz as is; timestamp without zone read as UTC; integers as epoch milliseconds. */
  private static Instant timestamp(ResultSet rs, int index, String typeName) throws SQLException {
    switch (typeName) {
      case "timestamptz":
        {
          OffsetDateTime value = rs.getObject(index, OffsetDateTime.class);
          return value == null ? null : value.toInstant();
        }
      case "timestamp":
        {
          LocalDateTime value = rs.getObject(index, LocalDateTime.class);
          return value == null ? null : value.toInstant(ZoneOffset.UTC);
        }
      default:
        {
          long millis = rs.getLong(index);
          return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
        }
    }
  }

  private static String txidArray(Collection<Long> txids) {
    return txids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
  }

  @Override
  public void awaitChanges(long maxWaitMs) throws CaptureException {
    if (notifyChannel != null) {
      awaitNotification(maxWaitMs);
      return;
    }
    waitLock.lock();
    try {
      long remaining = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
      while (!wakeupRequested && remaining > 0) {
        remaining = woken.awaitNanos(remaining);
      }
      wakeupRequested = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      waitLock.unlock();
    }
  }

  private void awaitNotification(long maxWaitMs) throws CaptureException {
    try {
      if (listenConnection == null) {
        listenConnection = connections.open();
        listenConnection.setAutoCommit(true);
        try (Statement st = listenConnection.createStatement()) {
          st.execute(sql.listen(notifyChannel));
        }
        // Rows may have arrived before LISTEN took effect: look again at once.
        return;
      }
      // Short slices, so stop() is honoured promptly.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
      while (System.nanoTime() < deadline && !consumeWakeup()) {
        long slice = Math.min(250, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        PGNotification[] notifications =
            listenConnection.unwrap(PGConnection.class).getNotifications((int) Math.max(1, slice));
        if (notifications != null && notifications.length > 0) {
          return;
        }
      }
    } catch (SQLException e) {
      closeQuietly(listenConnection);
      listenConnection = null;
      throw failure("Waiting for notifications on channel " + notifyChannel + " failed", e);
    }
  }

  private boolean consumeWakeup() {
    waitLock.lock();
    try {
      boolean requested = wakeupRequested;
      wakeupRequested = false;
      return requested;
    } finally {
      waitLock.unlock();
    }
  }

  @Override
  public void wakeup() {
    waitLock.lock();
    try {
      wakeupRequested = true;
      woken.signalAll();
    } finally {
      waitLock.unlock();
    }
  }

  @Override
  public long deletePublished(OutboxPosition committed, int batchSize) throws CaptureException {
    long total = 0;
    try (PreparedStatement ps = connection().prepareStatement(sql.deletePublished())) {
      int deleted;
      do {
        ps.setString(1, Long.toString(committed.txid()));
        ps.setLong(2, committed.seq());
        ps.setString(3, txidArray(committed.done()));
        ps.setInt(4, batchSize);
        deleted = ps.executeUpdate();
        total += deleted;
      } while (deleted == batchSize);
      return total;
    } catch (SQLException e) {
      throw failure("Deleting published outbox rows up to " + committed + " failed", e);
    }
  }

  @Override
  public Backlog backlog() throws CaptureException {
    try (PreparedStatement ps = connection().prepareStatement(sql.backlog())) {
      ps.setString(1, Long.toString(position.txid()));
      ps.setLong(2, position.seq());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long rows = rs.getLong(1);
        long oldest = rs.getLong(2);
        return new Backlog(rows, rs.wasNull() ? null : oldest);
      }
    } catch (SQLException e) {
      throw failure("Measuring the outbox backlog failed", e);
    }
  }

  @Override
  public HorizonStall horizonStall() {
    return stall;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = connections.open();
      connection.setAutoCommit(true);
    }
    return connection;
  }

  private CaptureException failure(String what, SQLException e) {
    reset();
    // Class 42 (syntax, undefined table/column, privileges) and 22 (data) will not heal by
    // retrying.
    String state = e.getSQLState();
    boolean permanent = state != null && (state.startsWith("42") || state.startsWith("22"));
    return new CaptureException(what + ": " + e.getMessage(), e, !permanent);
  }

  @Override
  public void reset() {
    closeQuietly(connection);
    closeQuietly(listenConnection);
    connection = null;
    listenConnection = null;
  }

  @Override
  public void close() {
    reset();
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("Ignoring failure to close a broken connection", e);
    }
  }
}
