package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.jdbc.SqlErrors;
import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.WakeupSignal;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Decision;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.IdSpacing;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB/MySQL poll mode (work in progress: one task, not yet offered by the connector): reads
 * rows after the auto-increment cursor in a consistent snapshot, then lists the running InnoDB
 * transactions, and lets {@link GapTracker} decide what may go out. Each poll's rows are one
 * captured transaction: the table records no transaction id, so Kafka transactions follow polls.
 */
public final class MariaDbPollingCapture implements OutboxCapture {

  private static final Logger log = LoggerFactory.getLogger(MariaDbPollingCapture.class);
  private static final long BACKLOG_COUNT_CAP = 100_000;
  private static final int ACCESS_DENIED_PROCESS = 1227;

  /** InnoDB refreshes its INFORMATION_SCHEMA transaction cache at most every 100 ms. */
  private static final long TRX_CACHE_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  /** What a MariaDB poll task reads and how. */
  public record Settings(
      String table,
      OutboxColumns columns,
      int maxRows,
      long gapTimeoutMs,
      boolean deletePublished,
      int cleanupBatchSize) {}

  /** Opens JDBC connections; the task supplies one built from the connector config. */
  @FunctionalInterface
  public interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  private final ConnectionFactory connections;
  private final Settings settings;
  private final MariaDbOutboxSql sql;
  private final Map<String, Object> partition;
  private final WakeupSignal signal = new WakeupSignal();

  private volatile Connection connection;
  private volatile boolean closed;
  private GapTracker tracker;
  private State state;
  private volatile CaptureStall stall = CaptureStall.NONE;
  private long gapsExpired;

  public MariaDbPollingCapture(ConnectionFactory connections, Settings settings, State start) {
    this.connections = connections;
    this.settings = settings;
    this.sql = new MariaDbOutboxSql(settings.table(), settings.columns());
    this.partition = BucketPartitions.partition(settings.table(), 1, 0);
    this.state = start;
  }

  @Override
  public Map<String, Object> sourcePartition() {
    return partition;
  }

  public State state() {
    return state;
  }

  /** Gaps passed after poll.gap.timeout.ms without proof that they were rolled back. */
  public long gapsExpired() {
    return gapsExpired;
  }

  @Override
  public List<CapturedTransaction> poll() throws CaptureException {
    List<CapturedTransaction> batch = readAndDecide();
    Gap gap = state.gap();
    if (batch.isEmpty() && gap != null && gap.waitingFor() != null && gap.waitingFor().isEmpty()) {
      // Every transaction the gap waited for has ended since the last read: a new read decides.
      batch = readAndDecide();
    }
    return batch;
  }

  private List<CapturedTransaction> readAndDecide() throws CaptureException {
    Map<Long, OutboxRow> rows = new LinkedHashMap<>();
    Optional<Set<String>> running;
    try {
      Connection c = connection();
      try (Statement st = c.createStatement()) {
        st.execute(sql.startSnapshot());
        try (PreparedStatement ps = c.prepareStatement(sql.rowsAfter())) {
          ps.setLong(1, state.cursor());
          ps.setInt(2, settings.maxRows());
          try (ResultSet rs = ps.executeQuery()) {
            readRows(rs, rows);
          }
        }
        st.execute("COMMIT");
      }
      long readAt = System.nanoTime();
      if (state.gap() == null && !tracker.hasGap(state.cursor(), rows.keySet())) {
        running = Optional.of(Set.of()); // no gap: nothing to wait for
      } else {
        // Only now, after the read (see GapTracker for why the order matters). INNODB_TRX is
        // served from a cache refreshed at most every 100 ms: ask once the cache is surely
        // younger than the read.
        long wait = readAt + TRX_CACHE_AGE_NANOS - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        running = runningTransactions(c);
      }
    } catch (SQLException e) {
      throw failure("Reading the outbox", e);
    }
    Decision decision =
        tracker.decide(state, List.copyOf(rows.keySet()), running, System.currentTimeMillis());
    for (Gap hole : decision.holes()) {
      log.debug("Ids {}-{} of {} were rolled back", hole.first(), hole.last(), settings.table());
    }
    for (Gap expired : decision.expired()) {
      gapsExpired++;
      log.warn(
          "Passing ids {}-{} of {} after poll.gap.timeout.ms={} without proof that their"
              + " transactions rolled back (grant PROCESS to make this exact): a row that commits"
              + " there later is not published",
          expired.first(),
          expired.last(),
          settings.table(),
          settings.gapTimeoutMs());
    }
    State before = state;
    state = decision.next();
    updateStall();
    if (decision.publish().isEmpty()) {
      return List.of();
    }
    List<OutboxRow> published = new ArrayList<>(decision.publish().size());
    decision.publish().forEach(id -> published.add(rows.get(id)));
    return List.of(
        new CapturedTransaction(
            "ids " + decision.publish().get(0) + "-" + state.cursor(),
            published,
            MariaDbPosition.toOffset(before),
            MariaDbPosition.toOffset(state)));
  }

  private Optional<Set<String>> runningTransactions(Connection c) throws SQLException {
    Set<String> running = new HashSet<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.runningTransactions())) {
      while (rs.next()) {
        running.add(rs.getString(1));
      }
      return Optional.of(running);
    } catch (SQLException e) {
      if (e.getErrorCode() == ACCESS_DENIED_PROCESS) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private void updateStall() {
    Gap gap = state.gap();
    stall =
        gap == null
            ? CaptureStall.NONE
            : new CaptureStall(
                "ids "
                    + gap.first()
                    + "-"
                    + gap.last()
                    + " of "
                    + settings.table()
                    + (gap.waitingFor() == null
                        ? " (transactions not visible without PROCESS)"
                        : " waiting for InnoDB transactions " + gap.waitingFor()),
                -1,
                Math.max(0, System.currentTimeMillis() - gap.openedAtMs()),
                "end those transactions, or grant PROCESS");
  }

  private void readRows(ResultSet rs, Map<Long, OutboxRow> into) throws SQLException {
    boolean binaryPayload = isBinary(rs.getMetaData().getColumnType(6));
    OutboxColumns columns = settings.columns();
    while (rs.next()) {
      long id = rs.getLong(1);
      Map<String, String> headers = new LinkedHashMap<>();
      int index = 8;
      for (String header : columns.headerColumns().values()) {
        String value = rs.getString(index++);
        if (value != null) {
          headers.put(header, value);
        }
      }
      Timestamp time = rs.getTimestamp(7);
      into.put(
          id,
          new OutboxRow(
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              binaryPayload ? null : rs.getString(6),
              binaryPayload ? rs.getBytes(6) : null,
              time == null ? null : time.toInstant(),
              headers,
              Long.toString(id)));
    }
  }

  private static boolean isBinary(int sqlType) {
    return sqlType == Types.BINARY
        || sqlType == Types.VARBINARY
        || sqlType == Types.LONGVARBINARY
        || sqlType == Types.BLOB;
  }

  @Override
  public boolean awaitChanges(long maxWaitMs) {
    return signal.await(maxWaitMs);
  }

  @Override
  public void wakeup() {
    signal.wakeup();
  }

  @Override
  public boolean offsetCommitted(Map<String, Object> offset) throws CaptureException {
    if (!settings.deletePublished() || offset == null) {
      return false;
    }
    long cursor = MariaDbPosition.fromOffset(offset).cursor();
    try (PreparedStatement ps = connection().prepareStatement(sql.deletePublished())) {
      ps.setLong(1, cursor);
      ps.setInt(2, settings.cleanupBatchSize());
      return ps.executeUpdate() == settings.cleanupBatchSize();
    } catch (SQLException e) {
      throw failure("Deleting published outbox rows up to id " + cursor, e);
    }
  }

  @Override
  public Backlog backlog() throws CaptureException {
    try (PreparedStatement ps = connection().prepareStatement(sql.backlogCount())) {
      ps.setLong(1, state.cursor());
      ps.setLong(2, BACKLOG_COUNT_CAP);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long count = rs.getLong(1);
        return new Backlog(count, count >= BACKLOG_COUNT_CAP, null);
      }
    } catch (SQLException e) {
      throw failure("Measuring the outbox backlog", e);
    }
  }

  @Override
  public CaptureStall stall() {
    return stall;
  }

  private Connection connection() throws SQLException {
    if (closed) {
      throw new SQLException("The outbox capture is closed", "08003");
    }
    if (connection == null || connection.isClosed()) {
      Connection c = connections.open();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql.idSpacing())) {
        rs.next();
        tracker =
            new GapTracker(new IdSpacing(rs.getLong(1), rs.getLong(2)), settings.gapTimeoutMs());
      }
      connection = c;
      if (closed) {
        close();
        throw new SQLException("The outbox capture is closed", "08003");
      }
    }
    return connection;
  }

  private CaptureException failure(String what, SQLException e) {
    closeConnection();
    return new CaptureException(
        what + " failed: " + SqlErrors.describe(e), e, SqlErrors.classify(e).retriable());
  }

  private void closeConnection() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("Ignoring failure to close a broken connection", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    closeConnection();
  }
}
