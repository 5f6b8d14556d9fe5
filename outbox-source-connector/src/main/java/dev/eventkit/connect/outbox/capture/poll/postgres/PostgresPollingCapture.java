package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.ConnectionFactory;
import dev.eventkit.connect.outbox.capture.poll.WakeupSignal;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * connector never holds back vacuum. A batch ends at a {@linkplain SafeCuts safe cut}, so only rows
 * behind the horizon can hold a candidate back, and those are looked up only above the horizon.
 * While a backlog drains and the horizon stands still, a poll costs three round trips to the
 * database: the transaction's start with the horizon, the batch, and the commit; a poll after the
 * horizon moved adds two to extend the safe cuts, and rows above the horizon add the blockers and
 * the stall.
 */
public final class PostgresPollingCapture implements OutboxCapture {

  private static final Logger log = LoggerFactory.getLogger(PostgresPollingCapture.class);

  /** How long the safe cuts of a whole backlog may take to compute before the socket gives up. */
  private static final int CUTS_NETWORK_TIMEOUT_MS = 30 * 60_000;

  /**
   * Up to this many aggregates go to the database as a list; a larger batch reads the committed
   * rows above the horizon for all aggregates instead (the region is scanned either way).
   */
  private static final int MAX_LISTED_AGGREGATES = 1_000;

  /**
   * DELETE batches per cleanup call, so one poll never spends long cleaning up; when there is more,
   * the task calls again on its next poll.
   */
  private static final int CLEANUP_BATCHES_PER_CALL = 10;

  /** Longest single wait for a notification, so stop() is honoured promptly. */
  private static final long NOTIFY_SLICE_MS = 250;

  /**
   * What a PostgreSQL poll task reads and how; {@code backlogCountCap} is {@link Backlog#COUNT_CAP}
   * but in tests.
   */
  public record Settings(
      String table,
      OutboxColumns columns,
      int bucket,
      int bucketCount,
      int maxRows,
      String notifyChannel,
      boolean deletePublished,
      int cleanupBatchSize,
      long backlogCountCap) {}

  private final ConnectionFactory connections;
  private final Settings settings;
  private final PostgresOutboxSql sql;
  private final Map<String, Object> partition;
  private final SafeCuts cuts;

  private final WakeupSignal signal = new WakeupSignal();

  private final Deque<PendingTransaction> pending = new ArrayDeque<>();

  /**
   * Whether the first pending transaction is being returned in parts, how many of its rows were
   * returned, and the seq of the last row read of it.
   */
  private boolean headStarted;

  private int headRowsPublished;

  private long headLastSeq;

  private volatile Connection connection;

  private volatile Connection listenConnection;
  private PostgresPosition position;
  private PublishedByOtherLayouts publishedElsewhere;
  private volatile CaptureStall stall = CaptureStall.NONE;

  /** The horizon at which the next batch was found held back by it, or -1. */
  private long blockedAtHorizon = -1;

  /** Set by stop() from another thread: no connection is opened after it. */
  private volatile boolean closed;

  private String stallXid;
  private long stallSeenSinceMs;
  private long statements;

  public PostgresPollingCapture(
      ConnectionFactory connections, Settings settings, PostgresPosition start) {
    this(connections, settings, start, PublishedByOtherLayouts.NONE);
  }

  private PostgresPollingCapture(
      ConnectionFactory connections,
      Settings settings,
      PostgresPosition start,
      PublishedByOtherLayouts publishedElsewhere) {
    this.connections = connections;
    this.settings = settings;
    this.sql =
        new PostgresOutboxSql(
            settings.table(), settings.columns(), settings.bucket(), settings.bucketCount());
    this.partition =
        BucketPartitions.partition(settings.table(), settings.bucketCount(), settings.bucket());
    this.position = start;
    this.publishedElsewhere = publishedElsewhere;
    this.cuts = new SafeCuts(settings.maxRows(), start.txid());
  }

  /** Reads the task's committed position from Connect's offsets and builds its capture. */
  public static PostgresPollingCapture resume(
      ConnectionFactory connections,
      Settings settings,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    PostgresStartPosition start =
        PostgresStartPosition.find(
            settings.table(), settings.bucketCount(), settings.bucket(), offsets);
    log.info(
        "Outbox task for {} bucket {}/{} starts after {}",
        settings.table(),
        settings.bucket(),
        settings.bucketCount(),
        start);
    return new PostgresPollingCapture(
        connections, settings, start.position(), start.publishedElsewhere());
  }

  /** Checks an offset given to the offsets REST API. */
  public static void validateOffset(Map<String, ?> partition, Map<String, ?> offset) {
    BucketPartitions.validate(partition);
    if (offset != null) {
      PostgresPosition.fromOffset(offset);
    }
  }

  @Override
  public Map<String, Object> sourcePartition() {
    return partition;
  }

  public PostgresPosition position() {
    return position;
  }

  /**
   * Whether rows beyond the cursor are still skipped because offsets of other tasks.max values
   * cover them; false once the cursor has passed them all.
   */
  public boolean skipsRowsPublishedElsewhere() {
    return !publishedElsewhere.beyond(position).isEmpty();
  }

  /** SQL statements this capture has executed, for tests that bound the cost per row. */
  public long statementsExecuted() {
    return statements;
  }

  @Override
  public List<CapturedTransaction> poll() throws CaptureException {
    if (!pending.isEmpty()) {
      return publishPending();
    }
    List<PositionedRow> candidates = List.of();
    Map<String, Long> blockers = Map.of();
    PendingTransaction single = null;
    boolean large = false;
    long horizon;
    try {
      Connection c = connection();
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try {
        // Rows above the horizon are what can hold a candidate back or stall the task; during a
        // drain there are none, and both questions are answered by one index probe, sent with the
        // horizon's query and the transaction's isolation.
        PollStart start = startPoll(c);
        horizon = start.horizon();
        checkHorizon(horizon);
        boolean rowsAbove = start.rowsAbove();
        extendCuts(c, horizon);
        cuts.passed(position.txid(), position.seq());
        Long end = cuts.batchEnd();
        if (end != null && horizon != blockedAtHorizon) {
          large = cuts.rowsThrough(end) > settings.maxRows();
          if (large && cuts.transactionsThrough(end) == 1 && publishedElsewhere.isEmpty()) {
            // One transaction too large for a poll: stream it, without holding even its keys.
            single = singleTransaction(c, horizon, end);
          } else {
            candidates = large ? readCandidateKeys(c, end) : readCandidates(c, end);
            blockers = rowsAbove ? horizonBlockers(c, horizon, candidates) : Map.of();
            if (candidates.isEmpty()) {
              // Rows counted into the cuts were deleted meanwhile (by hand, or another cleanup):
              // nothing unpublished is left up to the cut.
              position = new PostgresPosition(end, Long.MAX_VALUE, position.done());
              cuts.passed(end, Long.MAX_VALUE);
            }
          }
        }
        updateStall(c, rowsAbove);
        c.commit();
      } finally {
        if (!c.isClosed()) {
          try {
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
          } catch (SQLException e) {
            log.debug("Could not reset the connection after a poll; it is reopened", e);
            reset();
          }
        }
      }
    } catch (SQLException e) {
      throw failure("Reading the outbox", e);
    }
    if (single != null) {
      pending.add(single);
      return publishPending();
    }
    List<BatchPlanner.PlannedTransaction> planned =
        BatchPlanner.plan(position, candidates, blockers);
    if (!candidates.isEmpty()) {
      // Held back by the horizon: nothing changes for this batch until the horizon moves.
      blockedAtHorizon = planned.isEmpty() ? horizon : -1;
    }
    if (large) {
      planned.forEach(tx -> pending.add(PendingTransaction.of(tx)));
      return publishPending();
    }
    List<CapturedTransaction> batch = new ArrayList<>(planned.size());
    for (BatchPlanner.PlannedTransaction tx : planned) {
      List<OutboxRow> rows = new ArrayList<>(tx.rows().size());
      tx.rows().forEach(r -> rows.add(r.row()));
      batch.add(
          new CapturedTransaction(
              "txid " + tx.txid(), rows, tx.before().toOffset(), tx.after().toOffset()));
      position = tx.after();
    }
    cuts.passed(position.txid(), position.seq());
    return batch;
  }

  /**
   * The one transaction up to the batch end, to publish in parts, or null while a committed row of
   * one of its aggregates with a lower seq still waits behind the horizon.
   */
  private PendingTransaction singleTransaction(Connection c, long horizon, long txid)
      throws SQLException {
    long afterSeq = position.txid() == txid ? position.seq() : Long.MIN_VALUE;
    if (position.isPublished(txid, Long.MAX_VALUE)) {
      // Published ahead of the cursor before a restart (a done range): nothing to send again.
      position = new PostgresPosition(txid, Long.MAX_VALUE, position.done());
      cuts.passed(txid, Long.MAX_VALUE);
      return null;
    }
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.transactionBlocked())) {
      ps.setString(1, Long.toString(txid));
      ps.setLong(2, afterSeq);
      ps.setString(3, Long.toString(horizon));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          blockedAtHorizon = horizon;
          return null;
        }
      }
    }
    long lastSeq = cuts.cut(txid).lastSeq();
    log.info(
        "Publishing transaction {} of {} ({} rows) in parts of at most poll.max.rows={}",
        txid,
        settings.table(),
        cuts.rowsThrough(txid),
        settings.maxRows());
    return new PendingTransaction(
        txid,
        afterSeq,
        lastSeq,
        null,
        position,
        new PostgresPosition(txid, lastSeq, position.done()));
  }

  /**
   * Publishes planned transactions of a large batch, at most {@code poll.max.rows} rows per poll:
   * small transactions together, a transaction larger than that in parts, so memory holds one
   * poll's rows and the batch's keys, never the batch's payloads.
   *
   * <p>State moves only after a read succeeded, so a failed read is retried from exactly where it
   * stood: a transaction whose first parts are already in an open Kafka transaction continues with
   * its next part, never from its start (that would duplicate records inside the Kafka
   * transaction).
   */
  private List<CapturedTransaction> publishPending() throws CaptureException {
    List<CapturedTransaction> batch = new ArrayList<>();
    int budget = settings.maxRows();
    try {
      Connection c = connection();
      while (!pending.isEmpty() && budget > 0) {
        PendingTransaction head = pending.peek();
        if (!headStarted && head.size() >= 0 && head.size() <= budget) {
          List<PendingTransaction> group = new ArrayList<>();
          int rows = 0;
          for (PendingTransaction tx : pending) {
            if (tx.size() < 0 || rows + tx.size() > budget) {
              break;
            }
            group.add(tx);
            rows += tx.size();
          }
          Map<Long, List<PositionedRow>> fetched = readTransactions(c, group);
          for (PendingTransaction tx : group) {
            pending.poll();
            List<OutboxRow> txRows = wanted(tx, fetched.getOrDefault(tx.txid(), List.of()));
            if (!txRows.isEmpty()) {
              batch.add(
                  new CapturedTransaction(
                      "txid " + tx.txid(), txRows, tx.before().toOffset(), tx.after().toOffset()));
            }
            position = tx.after();
          }
          budget -= rows;
          continue;
        }
        if (!headStarted && head.size() >= 0 && head.size() <= settings.maxRows()) {
          break; // fits a poll of its own: never split a transaction that need not be
        }
        if (!headStarted) {
          headStarted = true;
          headLastSeq = head.afterSeq();
        }
        int limit = head.size() < 0 ? budget : Math.min(budget, head.size() - headRowsPublished);
        List<PositionedRow> read = readChunk(c, head.txid(), headLastSeq, limit);
        List<OutboxRow> rows = wanted(head, read);
        budget -= rows.size();
        headRowsPublished += rows.size();
        if (!read.isEmpty()) {
          headLastSeq = read.get(read.size() - 1).seq();
        }
        boolean complete =
            read.size() < limit
                || (head.size() >= 0 && headRowsPublished >= head.size())
                || headLastSeq >= head.lastSeq();
        if (!rows.isEmpty()) {
          batch.add(
              new CapturedTransaction(
                  "txid " + head.txid(),
                  rows,
                  head.before().toOffset(),
                  head.after().toOffset(),
                  complete));
        }
        if (!complete) {
          continue; // the budget ends the loop; rows skipped as published do not use it
        }
        pending.poll();
        position = head.after();
        headRowsPublished = 0;
        headStarted = false;
      }
    } catch (SQLException e) {
      CaptureException failure = failure("Reading the outbox", e);
      if (batch.isEmpty()) {
        throw failure;
      }
      // Hand over what was read; the next poll meets the failure again, or goes on.
      log.debug("Returning {} transactions read before a failure", batch.size(), failure);
    }
    cuts.passed(position.txid(), position.seq());
    return batch;
  }

  private record PollStart(long horizon, boolean rowsAbove) {}

  /**
   * Starts the poll's transaction: REPEATABLE READ (the session's level already, set again in case
   * something between the task and the server reset the session), the horizon, and whether rows lie
   * above it, in one round trip. pgjdbc sends its {@code BEGIN} ahead of the statement, and sends
   * no savepoint ahead of one that starts with {@code SET TRANSACTION} (with {@code autosave}, a
   * savepoint would make the SET fail): keep that text first.
   */
  private PollStart startPoll(Connection c) throws SQLException {
    statements++;
    try (Statement st = c.createStatement()) {
      st.execute(sql.pollStart());
      if (!st.getMoreResults()) {
        throw new SQLException("The poll's horizon query returned no rows");
      }
      try (ResultSet rs = st.getResultSet()) {
        rs.next();
        String isolation = rs.getString(3);
        if (!"repeatable read".equals(isolation)) {
          // SET TRANSACTION outside a transaction block only warns: never read at another level.
          throw new SQLException(
              "The poll's transaction runs at isolation '" + isolation + "', not repeatable read");
        }
        return new PollStart(Long.parseLong(rs.getString(1)), rs.getBoolean(2));
      }
    }
  }

  /**
   * Transaction ids only grow. A horizon at or below the cursor means this is not the database the
   * offsets were written against (a dump restored elsewhere, a failover to a server with other
   * xids): reading on could skip rows for good, so the task stops and says how to recover.
   */
  private void checkHorizon(long horizon) throws CaptureException {
    boolean atStart = position.txid() == 0 && position.seq() == 0;
    long elsewhere = publishedElsewhere.highestTxid();
    if ((!atStart && horizon <= position.txid())
        || horizon < cuts.coveredBelow()
        || horizon <= elsewhere) {
      throw new CaptureException(
          "The commit horizon of the outbox database (txid "
              + horizon
              + ") is at or below this task's committed position "
              + position
              + (horizon <= elsewhere
                  ? " or an offset of another tasks.max value (up to txid " + elsewhere + ")"
                  : "")
              + " in "
              + settings.table()
              + ". Transaction ids went backwards: the database was restored from a dump or"
              + " replaced by a server with a different transaction history. Publishing on from"
              + " this position could skip rows, so the task stops. Reset the connector's offsets"
              + " (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets, then"
              + " PUT /connectors/<name>/resume) to publish the table from its start, or PATCH"
              + " /connectors/<name>/offsets with a position of this database.",
          null,
          false);
    }
  }

  /** Brings the safe cuts up to the horizon, looking only at rows that became final since. */
  private void extendCuts(Connection c, long horizon) throws SQLException {
    if (horizon <= cuts.coveredBelow()) {
      return;
    }
    if (!cuts.isEmpty()) {
      Long minSeq = minSeqBetween(c, cuts.coveredBelow(), horizon);
      if (minSeq != null) {
        cuts.invalidate(minSeq);
      }
    }
    SafeCuts.Cut last = cuts.last();
    PostgresPosition from =
        last == null
            ? position
            // Done ranges beyond the last cut are published: they must not count again.
            : new PostgresPosition(last.txid(), Long.MAX_VALUE, position.done());
    long rowsBase = cuts.rowsBase();
    long transactionsBase = cuts.transactionsBase();
    SafeCuts.Extension extension = cuts.extension();
    statements++;
    // Once per range of newly final rows, and over a whole backlog on the first poll: it may sort
    // for longer than a socket timeout meant to catch dead connections. Results stream in, and
    // only one cut per poll.max.rows rows is kept.
    int networkTimeout = c.getNetworkTimeout();
    if (networkTimeout != 0) { // 0: no timeout at all, as the user chose
      c.setNetworkTimeout(Runnable::run, Math.max(networkTimeout, CUTS_NETWORK_TIMEOUT_MS));
    }
    try (PreparedStatement ps = c.prepareStatement(sql.safeCuts())) {
      ps.setFetchSize(1_000);
      int i = bindUnpublishedAfter(ps, 1, from);
      ps.setString(i, Long.toString(horizon));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          extension.offer(
              new SafeCuts.Cut(
                  Long.parseLong(rs.getString(1)),
                  rowsBase + rs.getLong(2),
                  rs.getLong(3),
                  transactionsBase + rs.getLong(4),
                  rs.getLong(5)));
        }
      }
    } finally {
      try {
        c.setNetworkTimeout(Runnable::run, networkTimeout);
      } catch (SQLException e) {
        log.debug("Could not restore the socket timeout; the connection is reopened", e);
        reset();
      }
    }
    extension.finish(horizon);
    if (cuts.isEmpty() && position.cursorBefore(PostgresPosition.at(horizon - 1, Long.MAX_VALUE))) {
      // Nothing of this bucket waits below the horizon, and nothing can arrive there any more: move
      // the cursor up, so rows published elsewhere (or by other buckets) are not read again.
      position = new PostgresPosition(horizon - 1, Long.MAX_VALUE, position.done());
    }
  }

  private Long minSeqBetween(Connection c, long from, long to) throws SQLException {
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.minSeqBetween())) {
      ps.setString(1, Long.toString(from));
      ps.setString(2, Long.toString(to));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long value = rs.getLong(1);
        return rs.wasNull() ? null : value;
      }
    }
  }

  private List<PositionedRow> readCandidates(Connection c, long end) throws SQLException {
    List<PositionedRow> rows = new ArrayList<>();
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.candidates())) {
      ps.setFetchSize(Math.max(100, settings.maxRows()));
      int i = bindUnpublishedAfter(ps, 1, position);
      ps.setString(i, Long.toString(end));
      try (ResultSet rs = ps.executeQuery()) {
        readRows(rs, rows);
      }
    }
    return rows;
  }

  private List<PositionedRow> readCandidateKeys(Connection c, long end) throws SQLException {
    List<PositionedRow> keys = new ArrayList<>();
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.candidateKeys())) {
      ps.setFetchSize(10_000);
      int i = bindUnpublishedAfter(ps, 1, position);
      ps.setString(i, Long.toString(end));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(
              new PositionedRow(
                  Long.parseLong(rs.getString(1)), rs.getLong(2), rs.getString(3), null));
        }
      }
    }
    log.info(
        "Publishing {} rows of {} in parts of at most poll.max.rows={}: their transactions must be"
            + " ordered together (a large transaction, or transactions that took their xid early"
            + " and wrote the outbox late)",
        keys.size(),
        settings.table(),
        settings.maxRows());
    return keys;
  }

  private List<PositionedRow> readChunk(Connection c, long txid, long afterSeq, int limit)
      throws SQLException {
    List<PositionedRow> rows = new ArrayList<>(limit);
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.transactionChunk())) {
      ps.setString(1, Long.toString(txid));
      ps.setLong(2, afterSeq);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        readRows(rs, rows);
      }
    }
    return rows;
  }

  /**
   * The rows read for a pending transaction that it wants: not those published already (a cursor
   * inside the transaction, or the offsets of another tasks.max covering some of its rows).
   */
  private static List<OutboxRow> wanted(PendingTransaction tx, List<PositionedRow> read) {
    List<OutboxRow> rows = new ArrayList<>(read.size());
    for (PositionedRow row : read) {
      if (tx.wants(row.seq())) {
        rows.add(row.row());
      }
    }
    return rows;
  }

  private Map<Long, List<PositionedRow>> readTransactions(
      Connection c, List<PendingTransaction> group) throws SQLException {
    List<PositionedRow> rows = new ArrayList<>();
    statements++;
    try (PreparedStatement ps = c.prepareStatement(sql.transactions())) {
      ps.setString(1, arrayLiteral(group.stream().mapToLong(PendingTransaction::txid).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        readRows(rs, rows);
      }
    }
    Map<Long, List<PositionedRow>> byTxid = new HashMap<>();
    for (PositionedRow row : rows) {
      byTxid.computeIfAbsent(row.txid(), t -> new ArrayList<>()).add(row);
    }
    return byTxid;
  }

  private Map<String, Long> horizonBlockers(
      Connection c, long horizon, List<PositionedRow> candidates) throws SQLException {
    if (candidates.isEmpty()) {
      return Map.of();
    }
    Set<String> aggregates = new LinkedHashSet<>();
    long maxSeq = Long.MIN_VALUE;
    for (PositionedRow row : candidates) {
      if (row.aggregateId() != null) {
        aggregates.add(row.aggregateId());
      }
      maxSeq = Math.max(maxSeq, row.seq());
    }
    Map<String, Long> result = new HashMap<>();
    boolean listed = aggregates.size() <= MAX_LISTED_AGGREGATES;
    statements++;
    try (PreparedStatement ps =
        c.prepareStatement(listed ? sql.horizonBlockers() : sql.horizonBlockersOfAllAggregates())) {
      ps.setString(1, Long.toString(horizon));
      ps.setLong(2, maxSeq);
      Array ids = listed ? c.createArrayOf("text", aggregates.toArray()) : null;
      if (listed) {
        ps.setArray(3, ids);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (listed || aggregates.contains(rs.getString(1))) {
            result.put(rs.getString(1), rs.getLong(2));
          }
        }
      } finally {
        if (ids != null) {
          ids.free();
        }
      }
    }
    return result;
  }

  private void updateStall(Connection c, boolean waiting) throws SQLException {
    if (!waiting) {
      stall = CaptureStall.NONE;
      stallXid = null;
      return;
    }
    statements++;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.horizonHolder())) {
      if (!rs.next()) {
        stall = CaptureStall.NONE;
        return;
      }
      int pid = rs.getInt(1);
      boolean prepared = rs.wasNull();
      String xid = rs.getString(2);
      long reportedAgeMs = rs.getLong(3);
      // Without pg_read_all_stats another role's xact_start reads as NULL: then the age is how
      // long this task has seen the same transaction hold the horizon.
      long now = System.currentTimeMillis();
      if (!xid.equals(stallXid)) {
        stallXid = xid;
        stallSeenSinceMs = now;
      }
      long ageMs = Math.max(reportedAgeMs, now - stallSeenSinceMs);
      String application = rs.getString(4);
      String state = rs.getString(5);
      stall =
          prepared
              ? new CaptureStall(
                  application + " (xid " + xid + ")",
                  -1,
                  ageMs,
                  "COMMIT PREPARED or ROLLBACK PREPARED it if it is stuck")
              : new CaptureStall(
                  "pid "
                      + pid
                      + ", xid "
                      + xid
                      + ", application '"
                      + application
                      + "', state '"
                      + state
                      + "'",
                  pid,
                  ageMs,
                  "end it with pg_terminate_backend(" + pid + ") if it is stuck");
    }
  }

  /**
   * Binds position txid (twice, see {@code PostgresOutboxSql.cursorAfter}), seq and done arrays
   * from {@code index}; returns the next index.
   */
  private static int bindPosition(PreparedStatement ps, int index, PostgresPosition at)
      throws SQLException {
    ps.setString(index++, Long.toString(at.txid()));
    ps.setString(index++, Long.toString(at.txid()));
    ps.setLong(index++, at.seq());
    ps.setString(index++, arrayLiteral(at.doneFirsts()));
    ps.setString(index++, arrayLiteral(at.doneLasts()));
    return index;
  }

  /**
   * Binds a position as {@link #bindPosition} does, then the rows other layouts published beyond
   * this task's cursor (none once it has passed them all); returns the next index.
   */
  private int bindUnpublishedAfter(PreparedStatement ps, int index, PostgresPosition at)
      throws SQLException {
    index = bindPosition(ps, index, at);
    PublishedByOtherLayouts ahead = publishedElsewhere.beyond(position);
    if (ahead.isEmpty() && !publishedElsewhere.isEmpty()) {
      log.info(
          "Outbox task for {} bucket {}/{} passed every row that offsets of other tasks.max values"
              + " cover, at {}",
          settings.table(),
          settings.bucket(),
          settings.bucketCount(),
          position);
    }
    publishedElsewhere = ahead;
    ps.setBoolean(index++, ahead.isEmpty());
    ps.setString(index++, arrayLiteral(ahead.bucketCounts()));
    ps.setString(index++, arrayLiteral(ahead.buckets()));
    ps.setString(index++, arrayLiteral(ahead.fromTxids()));
    ps.setString(index++, arrayLiteral(ahead.toTxids()));
    ps.setString(index++, arrayLiteral(ahead.toSeqs()));
    return index;
  }

  /** {@code {1,2,3}}: SQL casts it to the array type the statement names. */
  private static String arrayLiteral(long[] values) {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(values[i]);
    }
    return text.append('}').toString();
  }

  private void readRows(ResultSet rs, List<PositionedRow> into) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    boolean binaryPayload = isBinary(meta.getColumnType(7));
    String timestampType = meta.getColumnTypeName(8);
    Map<String, String> headerColumns = settings.columns().headerColumns();
    while (rs.next()) {
      Map<String, String> headers = new LinkedHashMap<>();
      int index = 9;
      for (String header : headerColumns.values()) {
        String value = rs.getString(index++);
        if (value != null) {
          headers.put(header, value);
        }
      }
      long txid = Long.parseLong(rs.getString(1));
      long seq = rs.getLong(2);
      OutboxRow row =
          new OutboxRow(
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getString(6),
              binaryPayload ? null : rs.getString(7),
              binaryPayload ? rs.getBytes(7) : null,
              timestamp(rs, 8, timestampType),
              headers,
              txid + ":" + seq);
      into.add(PositionedRow.of(txid, seq, row));
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

  @Override
  public boolean awaitChanges(long maxWaitMs) throws CaptureException {
    if (settings.notifyChannel() != null) {
      return awaitNotification(maxWaitMs);
    }
    return signal.await(maxWaitMs);
  }

  private boolean awaitNotification(long maxWaitMs) throws CaptureException {
    try {
      if (listenConnection == null) {
        if (closed) {
          return true;
        }
        listenConnection = connections.open();
        if (closed) { // stop() ran while the connection was being opened
          reset();
          return true;
        }
        listenConnection.setAutoCommit(true);
        statements++;
        try (Statement st = listenConnection.createStatement()) {
          st.execute(sql.listen(settings.notifyChannel()));
        }
        // Rows may have arrived before LISTEN took effect: look again at once.
        return true;
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
      while (System.nanoTime() < deadline) {
        if (signal.consume()) {
          return true;
        }
        long slice =
            Math.min(NOTIFY_SLICE_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        PGNotification[] notifications =
            listenConnection.unwrap(PGConnection.class).getNotifications((int) Math.max(1, slice));
        if (notifications != null && notifications.length > 0) {
          return true;
        }
      }
      return false;
    } catch (SQLException e) {
      closeQuietly(listenConnection);
      listenConnection = null;
      throw failure("Waiting for notifications on channel " + settings.notifyChannel(), e);
    }
  }

  @Override
  public void wakeup() {
    signal.wakeup();
  }

  /** With cleanup.policy=delete, deletes this bucket's rows at or before a committed offset. */
  @Override
  public boolean offsetCommitted(Map<String, Object> offset) throws CaptureException {
    if (!settings.deletePublished() || offset == null) {
      return false;
    }
    PostgresPosition committed = PostgresPosition.fromOffset(offset);
    int batchSize = settings.cleanupBatchSize();
    try {
      Connection c = connection();
      // A bounded number of batches per call, so a poll never spends long cleaning up; what is
      // left goes at the next offset commit or a few seconds later.
      int batches = 0;
      int deleted;
      statements++;
      try (PreparedStatement ps = c.prepareStatement(sql.deletePublished())) {
        do {
          ps.setString(1, Long.toString(committed.txid()));
          ps.setLong(2, committed.seq());
          ps.setInt(3, batchSize);
          deleted = ps.executeUpdate();
        } while (deleted == batchSize && ++batches < CLEANUP_BATCHES_PER_CALL);
      }
      if (!committed.done().isEmpty() && batches < CLEANUP_BATCHES_PER_CALL) {
        statements++;
        try (PreparedStatement ps = c.prepareStatement(sql.deletePublishedAhead())) {
          do {
            ps.setString(1, arrayLiteral(committed.doneFirsts()));
            ps.setString(2, arrayLiteral(committed.doneLasts()));
            ps.setInt(3, batchSize);
            deleted = ps.executeUpdate();
          } while (deleted == batchSize && ++batches < CLEANUP_BATCHES_PER_CALL);
        }
      }
      return batches >= CLEANUP_BATCHES_PER_CALL;
    } catch (SQLException e) {
      throw failure("Deleting published outbox rows up to " + committed, e);
    }
  }

  @Override
  public Backlog backlog() throws CaptureException {
    try {
      Connection c = connection();
      long rows;
      statements++;
      try (PreparedStatement ps = c.prepareStatement(sql.backlogCount())) {
        int i = bindUnpublishedAfter(ps, 1, position);
        ps.setLong(i, settings.backlogCountCap());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rows = rs.getLong(1);
        }
      }
      Instant next = null;
      statements++;
      try (PreparedStatement ps = c.prepareStatement(sql.nextEventTime())) {
        bindUnpublishedAfter(ps, 1, position);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            next = timestamp(rs, 1, rs.getMetaData().getColumnTypeName(1));
          }
        }
      }
      return new Backlog(
          rows, rows >= settings.backlogCountCap(), next == null ? null : next.toEpochMilli());
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
      connection = connections.open();
      if (closed) { // stop() ran while the connection was being opened
        reset();
        throw new SQLException("The outbox capture is closed", "08003");
      }
      connection.setAutoCommit(true);
      // A generic plan cannot see that the cursor and the batch end bound the (txid, seq) range
      // to a few hundred rows, and may scan the whole table on every poll: plan each execution.
      // Statements outside a poll's transaction (reading a large transaction's parts, the backlog
      // counts, cleanup) run at repeatable read too, whatever the server's default: set once here,
      // where pgjdbc's setTransactionIsolation would cost a round trip on every poll.
      statements++;
      try (Statement st = connection.createStatement()) {
        st.execute(
            "SET plan_cache_mode = force_custom_plan;"
                + " SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      }
    }
    return connection;
  }

  private CaptureException failure(String what, SQLException e) {
    reset();
    return PostgresErrors.toCaptureException(what + " failed", e);
  }

  private void reset() {
    closeQuietly(connection);
    closeQuietly(listenConnection);
    connection = null;
    listenConnection = null;
  }

  @Override
  public void close() {
    closed = true;
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
