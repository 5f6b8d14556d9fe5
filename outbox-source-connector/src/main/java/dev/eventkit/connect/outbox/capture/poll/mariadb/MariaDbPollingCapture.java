package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.jdbc.SqlErrors;
import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.IdGaps;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.ConnectionFactory;
import dev.eventkit.connect.outbox.capture.poll.WakeupSignal;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.AfterRead;
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
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MariaDB/MySQL poll mode: reads rows after the auto-increment cursor in a consistent snapshot,
 * then lists the running InnoDB transactions, and lets {@link GapTracker} decide what may go out.
 * Each poll's rows are one captured transaction: the table records no transaction id, so Kafka
 * transactions follow polls.
 *
 * <p>With several tasks, every task reads every id (a missing id may belong to any bucket, so each
 * task must see them all to tell a gap from another bucket's row) and publishes the rows of its own
 * hash bucket of aggregate ids; the payload is fetched only for those.
 */
public final class MariaDbPollingCapture implements OutboxCapture {

  private static final Logger log = LoggerFactory.getLogger(MariaDbPollingCapture.class);
  private static final int ACCESS_DENIED_PROCESS = 1227;

  /** InnoDB refreshes its INNODB_TRX cache only after 100 ms without readers. */
  private static final long TRX_CACHE_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(110);

  /** How often a stale INNODB_TRX is asked again before the decision waits for the next poll. */
  private static final int TRX_LIST_ATTEMPTS = 6;

  /** While a gap is open, the task looks again this soon, whatever poll.interval.ms says. */
  private static final long GAP_RECHECK_MS = 200;

  /** How much further than its row read the READ UNCOMMITTED id read looks (without PROCESS). */
  private static final int GAP_LOOKAHEAD_IDS = 10_000;

  /** A poll that finds only other buckets' rows reads on for up to this long. */
  private static final long POLL_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** What a MariaDB poll task reads and how. */
  public record Settings(
      String table,
      OutboxColumns columns,
      int bucket,
      int bucketCount,
      int maxRows,
      long gapTimeoutMs,
      boolean deletePublished,
      int cleanupBatchSize) {}

  private final ConnectionFactory connections;
  private final Settings settings;
  private final MariaDbOutboxSql sql;
  private final Map<String, Object> partition;
  private final WakeupSignal signal = new WakeupSignal();
  private final Function<
          Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
      offsets;
  private MariaDbStartPosition start;

  private volatile Connection connection;
  private volatile boolean closed;
  private GapTracker tracker;
  private State state;
  private volatile CaptureStall stall = CaptureStall.NONE;
  private volatile IdGaps gaps = IdGaps.NONE;
  private long gapsExpired;
  private boolean processDenied;
  private volatile boolean readOnSoon;
  private long gapFirstId = -1;
  private long gapSeenSinceMs;
  private Map<String, Long> threadOfTransaction = Map.of();

  /**
   * @param offsets reads committed offsets of partitions: other layouts' at the start, and, for
   *     cleanup with several tasks, the other tasks' current ones
   */
  private MariaDbPollingCapture(
      ConnectionFactory connections,
      Settings settings,
      MariaDbStartPosition start,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    this.connections = connections;
    this.settings = settings;
    this.sql = new MariaDbOutboxSql(settings.table(), settings.columns());
    this.partition =
        BucketPartitions.partition(settings.table(), settings.bucketCount(), settings.bucket());
    this.start = start;
    this.state = start.state();
    this.offsets = offsets;
  }

  /** Reads the task's committed position from Connect's offsets and builds its capture. */
  public static MariaDbPollingCapture resume(
      ConnectionFactory connections,
      Settings settings,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    MariaDbStartPosition start =
        MariaDbStartPosition.find(
            settings.table(), settings.bucketCount(), settings.bucket(), offsets);
    log.info(
        "Outbox task for {} bucket {}/{} starts after {}",
        settings.table(),
        settings.bucket(),
        settings.bucketCount(),
        start);
    return new MariaDbPollingCapture(connections, settings, start, offsets);
  }

  /** A single-task capture starting at {@code state}, for tests that drive it directly. */
  public static MariaDbPollingCapture at(
      ConnectionFactory connections, Settings settings, State state) {
    return new MariaDbPollingCapture(
        connections, settings, new MariaDbStartPosition(state, List.of()), wanted -> Map.of());
  }

  /** Checks an offset given to the offsets REST API. */
  public static void validateOffset(Map<String, ?> partition, Map<String, ?> offset) {
    BucketPartitions.validate(partition);
    if (offset != null) {
      MariaDbPosition.fromOffset(offset);
    }
  }

  @Override
  public Map<String, Object> sourcePartition() {
    return partition;
  }

  public State state() {
    return state;
  }

  @Override
  public List<CapturedTransaction> poll() throws CaptureException {
    long deadline = System.nanoTime() + POLL_BUDGET_NANOS;
    while (true) {
      Read read = readAndDecide();
      if (!read.batch().isEmpty()) {
        return read.batch();
      }
      Gap gap = state.gap();
      boolean decidable = gap != null && gap.waitingFor() != null && gap.waitingFor().isEmpty();
      // Read on when every transaction a gap waited for has ended (a new read decides it), or
      // when a full read held only other buckets' rows.
      boolean more = decidable || (read.full() && read.advanced());
      if (!more || System.nanoTime() - deadline > 0) {
        readOnSoon = more;
        return List.of();
      }
    }
  }

  /**
   * One read and its decision.
   *
   * @param full whether the read returned poll.max.rows rows (more may follow)
   * @param advanced whether the cursor moved
   */
  private record Read(List<CapturedTransaction> batch, boolean full, boolean advanced) {}

  private Read readAndDecide() throws CaptureException {
    Map<Long, ReadRow> rows = new LinkedHashMap<>();
    try {
      Connection c = connection();
      try (Statement st = c.createStatement()) {
        st.execute(sql.startSnapshot());
        try (PreparedStatement ps =
            c.prepareStatement(sql.rowsAfter(settings.bucketCount(), settings.bucket()))) {
          ps.setLong(1, state.cursor());
          ps.setInt(2, settings.maxRows());
          try (ResultSet rs = ps.executeQuery()) {
            readRows(rs, rows);
          }
        }
        st.execute("COMMIT");
      }
      int openGaps = tracker.countGaps(state.cursor(), rows.keySet());
      AfterRead after;
      if (state.gap() == null && openGaps == 0) {
        after = AfterRead.running(Set.of()); // no gap: nothing to wait for
      } else {
        // Only now, after the read (see GapTracker for why the order matters).
        Listing listing = runningTransactions();
        if (listing == Listing.STALE) {
          // No list younger than the read: decide nothing this time, lose nothing.
          log.debug(
              "INNODB_TRX stayed older than the read of {}; deciding later", settings.table());
          return new Read(List.of(), false, false);
        }
        if (listing != Listing.DENIED) {
          threadOfTransaction = listing.running();
          after = AfterRead.running(listing.running().keySet());
        } else {
          threadOfTransaction = Map.of();
          after = AfterRead.present(idsInFlightOrCommitted(c, rows.size()));
        }
      }
      return decide(rows, after, openGaps);
    } catch (SQLException e) {
      throw failure("Reading the outbox", e);
    }
  }

  /**
   * Without PROCESS: the ids after the cursor a READ UNCOMMITTED read finds, committed or in
   * flight, looking {@value #GAP_LOOKAHEAD_IDS} ids further than the row read so that the clocks of
   * gaps behind the first one start too.
   */
  private Set<Long> idsInFlightOrCommitted(Connection c, int rowsRead) throws SQLException {
    Set<Long> present = new HashSet<>();
    try (Statement st = c.createStatement()) {
      st.execute(sql.readUncommittedNext());
    }
    try (PreparedStatement ps = c.prepareStatement(sql.idsAfter())) {
      ps.setLong(1, state.cursor());
      ps.setInt(2, rowsRead + GAP_LOOKAHEAD_IDS);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getLong(1));
        }
      }
    }
    return present;
  }

  private Read decide(Map<Long, ReadRow> rows, AfterRead after, int openGaps) {
    Decision decision =
        tracker.decide(state, List.copyOf(rows.keySet()), after, System.currentTimeMillis());
    for (Gap hole : decision.holes()) {
      log.debug("Ids {}-{} of {} were rolled back", hole.first(), hole.last(), settings.table());
    }
    for (Gap expired : decision.expired()) {
      gapsExpired++;
      log.warn(
          "Passing ids {}-{} of {}: no row there was committed or in flight for"
              + " poll.gap.timeout.ms={} and running transactions cannot be listed without the"
              + " PROCESS privilege (GRANT PROCESS makes this exact). A row inserted there later"
              + " would not be published.",
          expired.first(),
          expired.last(),
          settings.table(),
          settings.gapTimeoutMs());
    }
    State before = state;
    state = decision.next();
    updateStallAndGaps(openGaps);
    List<OutboxRow> published = new ArrayList<>();
    for (long id : decision.publish()) {
      ReadRow row = rows.get(id);
      if (row.ownBucket(settings) && !start.publishedElsewhere(id, row.virtualBucket())) {
        published.add(row.row());
      }
    }
    if (!start.elsewhere().isEmpty() && state.cursor() >= start.highestElsewhere()) {
      start = new MariaDbStartPosition(state, List.of()); // past every other layout's cursor
    }
    boolean full = rows.size() >= settings.maxRows();
    boolean advanced = state.cursor() > before.cursor();
    if (published.isEmpty()) {
      return new Read(List.of(), full, advanced);
    }
    return new Read(
        List.of(
            new CapturedTransaction(
                "ids " + decision.publish().get(0) + "-" + state.cursor(),
                published,
                MariaDbPosition.toOffset(before),
                MariaDbPosition.toOffset(state))),
        full,
        advanced);
  }

  /**
   * What INNODB_TRX said after a read: the transactions that could still insert, each named
   * "thread@start time", with its thread id; or that the user lacks PROCESS; or that no list
   * younger than the read came.
   */
  private record Listing(Map<String, Long> running) {
    static final Listing DENIED = new Listing(Map.of());
    static final Listing STALE = new Listing(Map.of());
  }

  /**
   * Lists the running transactions, with a list surely taken after the read. InnoDB serves
   * INNODB_TRX from a cache it refreshes only when nobody has read it for 100 ms, so while others
   * read it (other tasks, monitoring) the cache can be older than the read and lack the transaction
   * that took a gap's id. So the listing runs on a new connection that first starts a transaction
   * of its own, and accepts only a list that shows that connection's thread (thread ids are never
   * reused); otherwise it asks again after a random pause, which leaves the cache idle long enough
   * to refresh even when several tasks ask at once.
   *
   * <p>A session keeps the global privileges it connected with; a refusal is not asked again until
   * the capture reconnects.
   */
  private Listing runningTransactions() throws SQLException {
    if (processDenied) {
      return Listing.DENIED;
    }
    try (Connection marker = connections.open();
        Statement st = marker.createStatement()) {
      long own;
      try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
        rs.next();
        own = rs.getLong(1);
      }
      st.execute(sql.startMarkerTransaction());
      for (int attempt = 0; attempt < TRX_LIST_ATTEMPTS; attempt++) {
        if (attempt > 0) {
          LockSupport.parkNanos(
              TRX_CACHE_REFRESH_NANOS
                  + ThreadLocalRandom.current().nextLong(2 * TRX_CACHE_REFRESH_NANOS));
        }
        Map<String, Long> running = new HashMap<>();
        boolean fresh = false;
        try (ResultSet rs = st.executeQuery(sql.transactions())) {
          while (rs.next()) {
            long thread = rs.getLong(1);
            if (thread == own) {
              fresh = true;
            } else if (!rs.getBoolean(3)) {
              running.put(thread + "@" + rs.getString(2), thread);
            }
          }
        }
        if (fresh) {
          return new Listing(running);
        }
      }
      return Listing.STALE;
    } catch (SQLException e) {
      if (e.getErrorCode() == ACCESS_DENIED_PROCESS) {
        processDenied = true;
        log.info(
            "The connector's user lacks the PROCESS privilege: gaps in {} are held while a row"
                + " there is in flight and passed after poll.gap.timeout.ms={} otherwise",
            settings.table(),
            settings.gapTimeoutMs());
        return Listing.DENIED;
      }
      throw e;
    }
  }

  private void updateStallAndGaps(int openGaps) {
    Gap gap = state.gap();
    if (gap == null) {
      stall = CaptureStall.NONE;
      gaps = new IdGaps(0, 0, gapsExpired);
      return;
    }
    long now = System.currentTimeMillis();
    if (gap.first() != gapFirstId) {
      gapFirstId = gap.first();
      gapSeenSinceMs = Math.min(now, gap.openedAtMs());
    }
    long age = Math.max(0, now - gapSeenSinceMs);
    gaps = new IdGaps(Math.max(1, openGaps), age, gapsExpired);
    String ids = "ids " + gap.first() + "-" + gap.last() + " of " + settings.table();
    if (gap.waitingFor() == null) {
      stall =
          new CaptureStall(
              ids + " (running transactions not visible without PROCESS)",
              -1,
              age,
              "they are held while a row there is in flight and passed once none has been for"
                  + " poll.gap.timeout.ms="
                  + settings.gapTimeoutMs()
                  + "; GRANT PROCESS ON *.* to the connector's user makes this exact");
      return;
    }
    StringBuilder holders = new StringBuilder();
    long firstThread = -1;
    for (String trx : gap.waitingFor()) {
      Long thread = threadOfTransaction.get(trx);
      holders
          .append(holders.length() == 0 ? "" : ", ")
          .append("thread ")
          .append(trx.replace("@", " (started ").replaceFirst("$", ")"));
      if (thread != null) {
        firstThread = firstThread < 0 ? thread : firstThread;
      }
    }
    stall =
        new CaptureStall(
            ids + " waiting for InnoDB transactions " + holders,
            (int) firstThread,
            age,
            "end those transactions (KILL <thread>) if they are stuck");
  }

  /** A row as read, before the decision: its id, virtual bucket and contents. */
  private record ReadRow(OutboxRow row, int virtualBucket) {
    boolean ownBucket(Settings settings) {
      return virtualBucket % settings.bucketCount() == settings.bucket();
    }
  }

  private void readRows(ResultSet rs, Map<Long, ReadRow> into) throws SQLException {
    boolean binaryPayload = isBinary(rs.getMetaData().getColumnType(7));
    String timestampType = rs.getMetaData().getColumnTypeName(8).toUpperCase(Locale.ROOT);
    OutboxColumns columns = settings.columns();
    while (rs.next()) {
      long id = rs.getLong(1);
      Map<String, String> headers = new LinkedHashMap<>();
      int index = 9;
      for (String header : columns.headerColumns().values()) {
        String value = rs.getString(index++);
        if (value != null) {
          headers.put(header, value);
        }
      }
      into.put(
          id,
          new ReadRow(
              new OutboxRow(
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  binaryPayload ? null : rs.getString(7),
                  binaryPayload ? rs.getBytes(7) : null,
                  timestamp(rs, 8, timestampType),
                  headers,
                  Long.toString(id)),
              rs.getInt(2)));
    }
  }

  /**
   * TIMESTAMP and DATETIME as UTC (the session's zone is UTC, so a TIMESTAMP reads as the instant
   * it stores), integers as epoch milliseconds.
   */
  private static Instant timestamp(ResultSet rs, int index, String typeName) throws SQLException {
    if (typeName.startsWith("TIMESTAMP") || typeName.startsWith("DATETIME")) {
      LocalDateTime value = rs.getObject(index, LocalDateTime.class);
      return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
    long millis = rs.getLong(index);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static boolean isBinary(int sqlType) {
    return sqlType == Types.BINARY
        || sqlType == Types.VARBINARY
        || sqlType == Types.LONGVARBINARY
        || sqlType == Types.BLOB;
  }

  /**
   * Ends at once when the last poll stopped with more rows to read (other buckets' rows filled it),
   * and within {@value #GAP_RECHECK_MS} ms while a gap is open, so that a gap closes soon after its
   * transactions end rather than a poll.interval.ms later.
   */
  @Override
  public boolean awaitChanges(long maxWaitMs) {
    if (readOnSoon) {
      readOnSoon = false;
      return true;
    }
    long wait = state.gap() != null ? Math.min(maxWaitMs, GAP_RECHECK_MS) : maxWaitMs;
    return signal.await(wait) || wait < maxWaitMs;
  }

  @Override
  public void wakeup() {
    signal.wakeup();
  }

  /**
   * Deletes this bucket's rows up to the committed cursor. With several tasks, only up to the
   * lowest committed cursor of all of them: every task reads every id, and a row deleted above
   * another task's cursor would look to it like a gap.
   */
  @Override
  public boolean offsetCommitted(Map<String, Object> offset) throws CaptureException {
    if (!settings.deletePublished() || offset == null) {
      return false;
    }
    long upTo = MariaDbPosition.fromOffset(offset).cursor();
    if (settings.bucketCount() > 1) {
      upTo = Math.min(upTo, lowestCommittedCursorOfAllTasks());
    }
    if (upTo <= 0) {
      return false;
    }
    try (PreparedStatement ps =
        connection()
            .prepareStatement(sql.deletePublished(settings.bucketCount(), settings.bucket()))) {
      ps.setLong(1, upTo);
      ps.setInt(2, settings.cleanupBatchSize());
      return ps.executeUpdate() == settings.cleanupBatchSize();
    } catch (SQLException e) {
      throw failure("Deleting published outbox rows up to id " + upTo, e);
    }
  }

  /** 0 while a task of this layout has committed no offset yet. */
  private long lowestCommittedCursorOfAllTasks() {
    List<Map<String, Object>> wanted = new ArrayList<>();
    for (int b = 0; b < settings.bucketCount(); b++) {
      wanted.add(BucketPartitions.partition(settings.table(), settings.bucketCount(), b));
    }
    Map<Map<String, Object>, Map<String, Object>> found = offsets.apply(wanted);
    long lowest = Long.MAX_VALUE;
    for (Map<String, Object> p : wanted) {
      Map<String, Object> offset = found.get(p);
      lowest = Math.min(lowest, offset == null ? 0 : MariaDbPosition.fromOffset(offset).cursor());
    }
    return lowest;
  }

  @Override
  public Backlog backlog() throws CaptureException {
    try {
      Connection c = connection();
      long count;
      try (PreparedStatement ps =
          c.prepareStatement(sql.backlogCount(settings.bucketCount(), settings.bucket()))) {
        ps.setLong(1, state.cursor());
        ps.setLong(2, Backlog.COUNT_CAP);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          count = rs.getLong(1);
        }
      }
      Long oldest = null;
      if (count > 0) {
        try (PreparedStatement ps =
            c.prepareStatement(
                sql.firstTimestampAfter(settings.bucketCount(), settings.bucket()))) {
          ps.setLong(1, state.cursor());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              Instant time =
                  timestamp(rs, 1, rs.getMetaData().getColumnTypeName(1).toUpperCase(Locale.ROOT));
              oldest = time == null ? null : time.toEpochMilli();
            }
          }
        }
      }
      return new Backlog(count, count >= Backlog.COUNT_CAP, oldest);
    } catch (SQLException e) {
      throw failure("Measuring the outbox backlog", e);
    }
  }

  @Override
  public CaptureStall stall() {
    return stall;
  }

  @Override
  public IdGaps gaps() {
    return gaps;
  }

  private Connection connection() throws SQLException {
    if (closed) {
      throw new SQLException("The outbox capture is closed", "08003");
    }
    if (connection == null || connection.isClosed()) {
      Connection c = connections.open();
      c.setAutoCommit(true);
      processDenied = false;
      try (Statement st = c.createStatement()) {
        st.execute(sql.utcSession());
        st.execute(sql.repeatableReadSession());
        try (ResultSet rs = st.executeQuery(sql.idSpacing())) {
          rs.next();
          tracker =
              new GapTracker(new IdSpacing(rs.getLong(1), rs.getLong(2)), settings.gapTimeoutMs());
        }
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
