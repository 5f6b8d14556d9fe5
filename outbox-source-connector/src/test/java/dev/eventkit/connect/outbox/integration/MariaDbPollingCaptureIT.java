package dev.eventkit.connect.outbox.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbPollingCapture;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbPosition;
import dev.eventkit.connect.outbox.record.OutboxRow;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MariaDB poll capture against a real MariaDB, without Kafka: late commits, rollbacks, open
 * transactions, restarts during a gap, buckets for several tasks, tasks.max changes and cleanup.
 * {@code OutboxMariaDbPollIT} runs the connector itself.
 */
class MariaDbPollingCaptureIT {

  private static final OutboxColumns COLUMNS =
      new OutboxColumns(
          "id",
          "aggregatetype",
          "aggregateid",
          "type",
          "payload",
          "timestamp",
          "txid",
          "seq",
          Map.of());

  private static MariaDbServer server;
  private TestDatabase db;

  @BeforeAll
  static void startDatabase() {
    server = MariaDbServer.start();
  }

  @AfterAll
  static void stopDatabase() {
    server.close();
  }

  @BeforeEach
  void createOutbox() {
    db = server.createDatabase();
    db.execute(
        "CREATE TABLE outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " id CHAR(36) NOT NULL UNIQUE, aggregatetype VARCHAR(255) NOT NULL,"
            + " aggregateid VARCHAR(255) NOT NULL, type VARCHAR(255) NOT NULL, payload LONGTEXT,"
            + " timestamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB",
        "CREATE TABLE aggregates (id VARCHAR(255) PRIMARY KEY) ENGINE=InnoDB");
  }

  private MariaDbPollingCapture capture(int maxRows, State start) {
    return MariaDbPollingCapture.at(
        db::connect,
        new MariaDbPollingCapture.Settings("outbox", COLUMNS, 0, 1, maxRows, 60_000, false, 500),
        start);
  }

  /** The capture of task {@code bucket} of {@code buckets}, resumed from the given offsets. */
  private MariaDbPollingCapture bucketCapture(
      int buckets,
      int bucket,
      int maxRows,
      boolean delete,
      Map<Map<String, Object>, Map<String, Object>> offsets) {
    return MariaDbPollingCapture.resume(
        db::connect,
        new MariaDbPollingCapture.Settings(
            "outbox", COLUMNS, bucket, buckets, maxRows, 60_000, delete, 500),
        wanted -> {
          Map<Map<String, Object>, Map<String, Object>> found = new java.util.HashMap<>();
          wanted.forEach(
              p -> {
                if (offsets.containsKey(p)) {
                  found.put(p, offsets.get(p));
                }
              });
          return found;
        });
  }

  /** Drains a capture and records the offset of its last batch, as Connect would commit it. */
  private static List<OutboxRow> drainCommitting(
      MariaDbPollingCapture capture, Map<Map<String, Object>, Map<String, Object>> committed)
      throws CaptureException {
    List<OutboxRow> rows = new ArrayList<>();
    List<CapturedTransaction> batch;
    while (!(batch = capture.poll()).isEmpty()) {
      for (CapturedTransaction tx : batch) {
        rows.addAll(tx.rows());
        committed.put(capture.sourcePartition(), tx.offsetAfter());
      }
    }
    return rows;
  }

  private static List<String> aggregates(List<OutboxRow> rows) {
    return rows.stream().map(OutboxRow::aggregateId).toList();
  }

  @Test
  void threeTasksPublishEachRowOnceBetweenThemEachAggregateWithOneTask() throws Exception {
    for (int i = 0; i < 120; i++) {
      commitOne("agg-" + (i % 17));
    }
    commitOne(""); // an empty aggregate id has a bucket too (and becomes a poison row later)
    Map<Map<String, Object>, Map<String, Object>> committed = new java.util.HashMap<>();
    List<OutboxRow> all = new ArrayList<>();
    java.util.Map<String, Integer> taskOfAggregate = new java.util.HashMap<>();
    for (int bucket = 0; bucket < 3; bucket++) {
      int task = bucket;
      try (MariaDbPollingCapture capture = bucketCapture(3, bucket, 7, false, Map.of())) {
        List<OutboxRow> mine = drainCommitting(capture, committed);
        assertThat(ids(mine)).isSorted();
        for (OutboxRow row : mine) {
          Integer previous = taskOfAggregate.put(row.aggregateId(), task);
          assertThat(previous == null || previous == task)
              .as("aggregate %s on one task", row.aggregateId())
              .isTrue();
        }
        all.addAll(mine);
      }
    }
    assertThat(ids(all))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(committedIds());
    assertThat(taskOfAggregate.values().stream().distinct().count()).isEqualTo(3);
  }

  @Test
  void changingTasksMaxRepublishesNothingTheOldTasksHadConfirmed() throws Exception {
    for (int i = 0; i < 60; i++) {
      commitOne("agg-" + (i % 11));
    }
    Map<Map<String, Object>, Map<String, Object>> committed = new java.util.HashMap<>();
    List<OutboxRow> before = new ArrayList<>();
    for (int bucket = 0; bucket < 2; bucket++) {
      try (MariaDbPollingCapture capture = bucketCapture(2, bucket, 1000, false, committed)) {
        before.addAll(drainCommitting(capture, committed));
      }
    }
    for (int i = 0; i < 40; i++) {
      commitOne("agg-" + (i % 11));
    }
    List<OutboxRow> after = new ArrayList<>();
    for (int bucket = 0; bucket < 3; bucket++) {
      try (MariaDbPollingCapture capture = bucketCapture(3, bucket, 5, false, committed)) {
        after.addAll(drainCommitting(capture, committed));
      }
    }
    assertThat(ids(before)).hasSize(60);
    assertThat(ids(after)).doesNotHaveDuplicates().doesNotContainAnyElementsOf(ids(before));
    assertThat(ids(after)).hasSize(40);
    // And back to one task: the three-task offsets cover everything.
    commitOne("agg-last");
    try (MariaDbPollingCapture one = bucketCapture(1, 0, 1000, false, committed)) {
      assertThat(aggregates(drainCommitting(one, committed))).containsExactly("agg-last");
    }
  }

  @Test
  void cleanupWithSeveralTasksDeletesOnlyUpToTheSlowestTasksCommittedPosition() throws Exception {
    for (int i = 0; i < 40; i++) {
      commitOne("agg-" + (i % 9));
    }
    Map<Map<String, Object>, Map<String, Object>> committed = new java.util.HashMap<>();
    try (MariaDbPollingCapture fast = bucketCapture(2, 0, 1000, true, committed)) {
      drainCommitting(fast, committed);
      Map<String, Object> own = committed.get(fast.sourcePartition());
      // The other task has committed nothing yet: nothing may go, or it would see gaps.
      assertThat(fast.offsetCommitted(own)).isFalse();
      assertThat(committedIds()).hasSize(40);

      try (MariaDbPollingCapture slow = bucketCapture(2, 1, 10, true, committed)) {
        slow.poll().forEach(tx -> committed.put(slow.sourcePartition(), tx.offsetAfter()));
        long slowCursor =
            MariaDbPosition.fromOffset(committed.get(slow.sourcePartition())).cursor();
        fast.offsetCommitted(own);
        List<Long> left = committedIds();
        assertThat(left).hasSizeLessThan(40);
        // Only the fast task's rows up to the slow task's position were deleted.
        assertThat(left).contains(slowCursor + 1);
        List<Long> deleted =
            java.util.stream.LongStream.rangeClosed(1, 40)
                .boxed()
                .filter(id -> !left.contains(id))
                .toList();
        assertThat(deleted).allMatch(id -> id <= slowCursor);
        // The slow task, still reading every id, sees no gap where the fast one deleted.
        List<OutboxRow> rest = drainCommitting(slow, committed);
        assertThat(slow.stall().stalled()).isFalse();
        assertThat(rest).isNotEmpty();
      }
    }
  }

  /**
   * Every identifier option (the table and each column option, a header column among them) holds
   * backticks, quotes, semicolons and comments: reads, the INNODB_TRX and READ UNCOMMITTED paths,
   * cleanup and the validate table check quote them and never run them.
   */
  @Test
  void tableAndColumnNamesWithBackticksSemicolonsAndCommentsAreQuotedNeverExecuted()
      throws Exception {
    String table = "out`box; DROP TABLE aggregates; --";
    Map<String, String> config = new java.util.HashMap<>();
    config.put("connection.url", db.jdbcUrl());
    config.put("table.name", table);
    config.put("column.event.id", "i`d; --");
    config.put("column.aggregate.type", "agg;type");
    config.put("column.aggregate.id", "agg--id");
    config.put("column.event.type", "ty/*pe*/");
    config.put("column.payload", "pay/* x */load");
    config.put("column.timestamp", "ti'me");
    config.put("column.position", "se;q\"--");
    config.put("header.columns", "corr'--`id:correlation.id");
    dev.eventkit.connect.outbox.OutboxSourceConnectorConfig parsed =
        new dev.eventkit.connect.outbox.OutboxSourceConnectorConfig(config);
    db.execute(
        "CREATE TABLE `out``box; DROP TABLE aggregates; --` ("
            + " `se;q\"--` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " `i``d; --` CHAR(36) NOT NULL, `agg;type` VARCHAR(64) NOT NULL,"
            + " `agg--id` VARCHAR(64) NOT NULL, `ty/*pe*/` VARCHAR(64), `pay/* x */load` LONGTEXT,"
            + " `ti'me` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
            + " `corr'--``id` VARCHAR(64)) ENGINE=InnoDB");
    String insert =
        "INSERT INTO `out``box; DROP TABLE aggregates; --`"
            + " (`i``d; --`, `agg;type`, `agg--id`, `ty/*pe*/`, `pay/* x */load`, `corr'--``id`)"
            + " VALUES (UUID(), 'o', ?, 't', 'x', 'c-1')";
    try (Connection open = db.connect();
        Connection c = db.connect()) {
      assertThat(
              dev.eventkit.connect.outbox.capture.OutboxCaptures.checkTable(c, parsed, 2).errors())
          .isEmpty();
      open.setAutoCommit(false);
      try (PreparedStatement ps = open.prepareStatement(insert)) {
        ps.setString(1, "first"); // id 1, open while id 2 commits: a gap
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(insert)) {
        ps.setString(1, "second");
        ps.executeUpdate();
      }
      String user = "hostile_" + db.name().substring(db.name().lastIndexOf('_') + 1);
      db.createRole(user, "pw", "SELECT, DELETE ON `out``box; DROP TABLE aggregates; --`");
      List<dev.eventkit.connect.outbox.capture.poll.ConnectionFactory> asRootThenWithoutProcess =
          List.of(db::connect, () -> db.connect(user, "pw"));
      List<OutboxRow> rows = new ArrayList<>();
      for (dev.eventkit.connect.outbox.capture.poll.ConnectionFactory connections :
          asRootThenWithoutProcess) {
        try (MariaDbPollingCapture capture =
            MariaDbPollingCapture.resume(
                connections,
                new MariaDbPollingCapture.Settings(
                    table, parsed.columns(), 0, 1, 10, 60_000, true, 10),
                wanted -> Map.of())) {
          assertThat(capture.poll()).isEmpty(); // the gap holds id 2
          capture.backlog();
        }
      }
      open.commit();
      try (MariaDbPollingCapture capture =
          MariaDbPollingCapture.resume(
              db::connect,
              new MariaDbPollingCapture.Settings(
                  table, parsed.columns(), 0, 1, 10, 60_000, true, 10),
              wanted -> Map.of())) {
        rows.addAll(awaitPublished(capture, 2));
        capture.offsetCommitted(MariaDbPosition.toOffset(capture.state()));
      }
      assertThat(rows).extracting(OutboxRow::aggregateId).containsExactly("first", "second");
      assertThat(rows.get(0).headers()).containsEntry("correlation.id", "c-1");
    }
    assertThat(db.queryForLong("SELECT count(*) FROM `out``box; DROP TABLE aggregates; --`"))
        .as("cleanup deleted the published rows")
        .isZero();
    assertThat(db.query("SHOW TABLES LIKE 'aggregates'")).hasSize(1);
  }

  /** Inserts one outbox row on the connection's transaction, under the aggregate's lock. */
  private static void write(Connection c, String aggregate) throws SQLException {
    try (PreparedStatement lock =
            c.prepareStatement(
                "INSERT INTO aggregates VALUES (?) ON DUPLICATE KEY UPDATE id = id");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)"
                    + " VALUES (UUID(), 'order', ?, 'Changed', '{}')")) {
      lock.setString(1, aggregate);
      lock.executeUpdate();
      insert.setString(1, aggregate);
      insert.executeUpdate();
    }
  }

  private void commitOne(String aggregate) throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      write(c, aggregate);
      c.commit();
    }
  }

  private static List<OutboxRow> drain(MariaDbPollingCapture capture) throws CaptureException {
    List<OutboxRow> rows = new ArrayList<>();
    List<CapturedTransaction> batch;
    while (!(batch = capture.poll()).isEmpty()) {
      batch.forEach(tx -> rows.addAll(tx.rows()));
    }
    return rows;
  }

  /**
   * Polls until {@code count} rows are published: a transaction that just ended may still be listed
   * by INNODB_TRX for a moment, so its gap closes a poll or two later.
   */
  private static List<OutboxRow> awaitPublished(MariaDbPollingCapture capture, int count)
      throws CaptureException {
    List<OutboxRow> rows = new ArrayList<>();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(
            () -> {
              capture.poll().forEach(tx -> rows.addAll(tx.rows()));
              return rows.size() >= count;
            });
    rows.addAll(drain(capture));
    return rows;
  }

  private static List<Long> ids(List<OutboxRow> rows) {
    return rows.stream().map(r -> Long.parseLong(r.position())).toList();
  }

  private List<Long> committedIds() {
    return db.query("SELECT seq FROM outbox ORDER BY seq").stream()
        .map(r -> ((Number) r.get("seq")).longValue())
        .toList();
  }

  @Test
  void aLateCommitIsPublishedInIdOrderNotSkipped() throws Exception {
    try (Connection late = db.connect();
        MariaDbPollingCapture capture = capture(100, State.START)) {
      commitOne("a");
      late.setAutoCommit(false);
      write(late, "b"); // takes id 2, commits last
      commitOne("c");
      commitOne("d");

      assertThat(ids(drain(capture))).containsExactly(1L);
      assertThat(capture.stall().stalled()).isTrue();
      assertThat(capture.stall().holder()).contains("ids 2-2");

      late.commit();
      assertThat(ids(awaitPublished(capture, 3))).containsExactly(2L, 3L, 4L);
      assertThat(capture.stall().stalled()).isFalse();
    }
  }

  /**
   * InnoDB refreshes INNODB_TRX only after 100 ms without readers: while another session reads it
   * constantly (another task, a monitoring tool), the list is older than the capture's read and
   * lacks the transaction that took the missing id. The capture must then decide nothing rather
   * than take that list as the truth and declare the id a hole.
   */
  @Test
  void aStaleTransactionListNeverTurnsALateCommitIntoAHole() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean reading =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    ExecutorService monitor = Executors.newSingleThreadExecutor();
    Future<?> hammer =
        monitor.submit(
            () -> {
              try (Connection c = db.connect();
                  Statement st = c.createStatement()) {
                while (reading.get()) {
                  st.executeQuery("SELECT count(*) FROM information_schema.INNODB_TRX").close();
                }
              }
              return null;
            });
    try (Connection late = db.connect();
        Connection probe = db.connect();
        Statement probing = probe.createStatement();
        MariaDbPollingCapture capture = capture(100, State.START)) {
      // The cache is frozen once a transaction started now is missing from it: everything begun
      // after that, the late transaction below included, is missing too.
      org.awaitility.Awaitility.await("INNODB_TRX frozen by the constant reader")
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> !listsOwnFreshTransaction(probing));
      late.setAutoCommit(false);
      write(late, "a"); // id 1, not in the frozen list
      commitOne("b"); // id 2
      for (int i = 0; i < 3; i++) {
        assertThat(capture.poll()).isEmpty();
      }
      reading.set(false);
      hammer.get(10, TimeUnit.SECONDS);
      late.commit();
      assertThat(ids(awaitPublished(capture, 2))).containsExactly(1L, 2L);
    } finally {
      reading.set(false);
      monitor.shutdownNow();
    }
  }

  /** Starts a transaction on the statement's session and says whether INNODB_TRX shows it. */
  private static boolean listsOwnFreshTransaction(Statement st) throws SQLException {
    st.execute("COMMIT");
    st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    try (ResultSet rs =
        st.executeQuery(
            "SELECT count(*) FROM information_schema.INNODB_TRX"
                + " WHERE trx_mysql_thread_id = CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  @Test
  void aRolledBackIdIsAHoleOnceItsTransactionHasEnded() throws Exception {
    try (Connection rolledBack = db.connect();
        MariaDbPollingCapture capture = capture(100, State.START)) {
      rolledBack.setAutoCommit(false);
      write(rolledBack, "a");
      commitOne("b");
      assertThat(drain(capture)).isEmpty();

      rolledBack.rollback();
      assertThat(ids(awaitPublished(capture, 1))).containsExactly(2L);
    }
  }

  @Test
  void aRestartWhileAGapIsOpenStillWaitsForIt() throws Exception {
    Map<String, Object> offset;
    try (Connection late = db.connect()) {
      late.setAutoCommit(false);
      write(late, "a");
      commitOne("b");
      try (MariaDbPollingCapture capture = capture(100, State.START)) {
        assertThat(drain(capture)).isEmpty();
        offset = MariaDbPosition.toOffset(capture.state());
      }
      assertThat(offset).containsKey(MariaDbPosition.GAP_KEY);
      late.commit();
    }
    try (MariaDbPollingCapture restarted = capture(100, MariaDbPosition.fromOffset(offset))) {
      assertThat(ids(awaitPublished(restarted, 2))).containsExactly(1L, 2L);
    }
  }

  @Test
  void idsSpacedByAutoIncrementIncrementAreNotGaps() throws Exception {
    db.execute("SET GLOBAL auto_increment_increment = 2");
    try {
      for (int i = 0; i < 5; i++) {
        commitOne("a-" + i);
      }
      try (MariaDbPollingCapture capture = capture(100, State.START)) {
        List<CapturedTransaction> first = capture.poll();
        assertThat(first).singleElement().satisfies(tx -> assertThat(tx.rows()).hasSize(5));
        assertThat(capture.state().gap()).isNull();
      }
    } finally {
      db.execute("SET GLOBAL auto_increment_increment = 1");
    }
  }

  @Test
  void concurrentWritersWithThinkTimeAndRollbacksArePublishedOnceInIdOrder() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<Integer>> futures = new ArrayList<>();
    Set<Long> rolledBack = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int w = 0; w < writers; w++) {
      futures.add(
          pool.submit(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int committed = 0;
                try (Connection c = db.connect()) {
                  c.setAutoCommit(false);
                  for (int t = 0; t < 40; t++) {
                    try (Statement st = c.createStatement()) {
                      write(c, "agg-" + random.nextInt(6));
                      // Think time inside the transaction, while its id is taken.
                      st.execute("DO SLEEP(" + random.nextInt(20) / 1000.0 + ")");
                      if (random.nextInt(10) == 0) {
                        var rs = st.executeQuery("SELECT LAST_INSERT_ID()");
                        rs.next();
                        rolledBack.add(rs.getLong(1));
                        c.rollback();
                      } else {
                        c.commit();
                        committed++;
                      }
                    } catch (SQLException e) {
                      if (e.getErrorCode() != 1213) { // deadlock between aggregate locks
                        throw e;
                      }
                      c.rollback();
                    }
                  }
                }
                return committed;
              }));
    }
    List<OutboxRow> published = new ArrayList<>();
    try (MariaDbPollingCapture capture = capture(5, State.START)) {
      while (!futures.stream().allMatch(Future::isDone)) {
        capture.poll().forEach(tx -> published.addAll(tx.rows()));
      }
      int committed = committedIds().size();
      published.addAll(awaitPublished(capture, committed - published.size()));
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    for (Future<Integer> f : futures) {
      f.get();
    }

    List<Long> publishedIds = ids(published);
    assertThat(publishedIds).isSorted().doesNotHaveDuplicates();
    assertThat(publishedIds).containsExactlyElementsOf(committedIds());
    assertThat(new HashSet<>(publishedIds)).doesNotContainAnyElementsOf(rolledBack);
  }
}
