package dev.eventkit.connect.outbox.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.OutboxCaptures;
import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresBuckets;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPollingCapture;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPosition;
import dev.eventkit.connect.outbox.record.OutboxRow;
import dev.eventkit.testkit.db.PostgresRoundTrips;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL poll capture against a real database, without Kafka: the adversarial orders,
 * backlogs and failures its guarantees must survive, driven at the speed of the database.
 */
class PostgresPollingCaptureIT {

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

  private static PostgresServer server;
  private TestDatabase db;

  @BeforeAll
  static void startDatabase() {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopDatabase() {
    server.close();
  }

  @BeforeEach
  void createOutbox() {
    db = server.createDatabase();
    OutboxTestSupport.createOutbox(db);
    db.execute("CREATE TABLE aggregates (id text PRIMARY KEY)", "CREATE TABLE other (n int)");
  }

  private PostgresPollingCapture capture(int maxRows, int bucket, int buckets) {
    return capture(maxRows, bucket, buckets, PostgresPosition.START);
  }

  private PostgresPollingCapture capture(
      int maxRows, int bucket, int buckets, PostgresPosition start) {
    return new PostgresPollingCapture(
        db::connect,
        new PostgresPollingCapture.Settings(
            "outbox", COLUMNS, bucket, buckets, maxRows, null, false, 500, Backlog.COUNT_CAP),
        start);
  }

  /**
   * A task of {@code buckets} tasks resuming from {@code offsets}, read the way Connect's offset
   * reader answers the task.
   */
  private PostgresPollingCapture resume(
      int maxRows, int bucket, int buckets, Map<Map<String, Object>, Map<String, Object>> offsets) {
    Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
        reader =
            wanted -> {
              Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
              wanted.stream()
                  .filter(offsets::containsKey)
                  .forEach(p -> found.put(p, offsets.get(p)));
              return found;
            };
    return PostgresPollingCapture.resume(
        db::connect,
        new PostgresPollingCapture.Settings(
            "outbox", COLUMNS, bucket, buckets, maxRows, null, false, 500, Backlog.COUNT_CAP),
        reader);
  }

  /** Inserts one outbox row on the connection's current transaction, under the aggregate lock. */
  private static void write(Connection c, String aggregate, String payload) throws SQLException {
    try (PreparedStatement lock =
            c.prepareStatement(
                "INSERT INTO aggregates VALUES (?) ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                    + " VALUES ('order', ?, 'Changed', CAST(? AS jsonb))")) {
      lock.setString(1, aggregate);
      lock.executeUpdate();
      insert.setString(1, aggregate);
      insert.setString(2, payload);
      insert.executeUpdate();
    }
  }

  private void commitOne(String aggregate, String payload) throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      write(c, aggregate, payload);
      c.commit();
    }
  }

  /** Polls until a poll finds nothing, collecting every row in publishing order. */
  private static List<OutboxRow> drain(PostgresPollingCapture capture) throws CaptureException {
    List<OutboxRow> rows = new ArrayList<>();
    while (true) {
      List<CapturedTransaction> batch = capture.poll();
      if (batch.isEmpty()) {
        return rows;
      }
      batch.forEach(tx -> rows.addAll(tx.rows()));
    }
  }

  /** Rows a task published whose offset Connect then committed: the offset of the last one. */
  private record Confirmed(List<OutboxRow> rows, Map<String, Object> offset) {}

  /**
   * Publishes transactions until {@code last} accepts one (or none is left), as if Connect then
   * committed that transaction's offset and the task stopped; stores the offset like Connect.
   */
  private static Confirmed confirm(
      PostgresPollingCapture capture,
      Map<Map<String, Object>, Map<String, Object>> offsets,
      Predicate<CapturedTransaction> last)
      throws CaptureException {
    List<OutboxRow> rows = new ArrayList<>();
    Map<String, Object> offset = null;
    while (true) {
      List<CapturedTransaction> batch = capture.poll();
      if (batch.isEmpty()) {
        break;
      }
      for (CapturedTransaction tx : batch) {
        rows.addAll(tx.rows());
        offset = tx.offsetAfter();
        if (last.test(tx)) {
          offsets.put(capture.sourcePartition(), offset);
          return new Confirmed(rows, offset);
        }
      }
    }
    if (offset != null) {
      offsets.put(capture.sourcePartition(), offset);
    }
    return new Confirmed(rows, offset);
  }

  private static Predicate<CapturedTransaction> afterTransactions(int count) {
    int[] seen = {0};
    return tx -> ++seen[0] >= count;
  }

  /** Stops at the first offset, from the {@code min}-th on, that has done ranges ahead. */
  private static Predicate<CapturedTransaction> atDoneRangesAfter(int min) {
    int[] seen = {0};
    return tx -> ++seen[0] >= min && tx.offsetAfter().containsKey(PostgresPosition.DONE_KEY);
  }

  private static final Predicate<CapturedTransaction> NEVER = tx -> false;

  /**
   * Transactions of one or two aggregates each, from {@code first}: aggregates spread over every
   * bucket, and transactions that span buckets.
   */
  private void writeMixed(List<String> aggregates, int first, int count) throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      for (int i = first; i < first + count; i++) {
        String one = aggregates.get(i % aggregates.size());
        String two = aggregates.get((i * 5 + 3) % aggregates.size());
        write(c, one, "{\"tx\": " + i + "}");
        if (!two.equals(one)) {
          write(c, two, "{\"tx\": " + i + "}");
        }
        c.commit();
      }
    }
  }

  /**
   * A transaction that takes its xid first and writes every aggregate after {@code count} others
   * committed: it is published after them, so offsets between have done ranges.
   */
  private void writeAroundAnEarlyTransaction(List<String> aggregates, int first, int count)
      throws SQLException {
    try (Connection early = db.connect()) {
      early.setAutoCommit(false);
      try (Statement st = early.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      writeMixed(aggregates, first, count);
      for (String aggregate : aggregates) {
        write(early, aggregate, "{\"early\": true}");
      }
      early.commit();
    }
  }

  /** Twelve aggregate ids, two in each combination of a bucket of 3 tasks and one of 2. */
  private List<String> aggregatesInEveryBucket() {
    String v = PostgresBuckets.virtualBucket("a");
    List<String> aggregates =
        db
            .query(
                "SELECT a FROM (SELECT a, row_number() OVER (PARTITION BY "
                    + v
                    + " % 3, "
                    + v
                    + " % 2 ORDER BY a) AS r FROM (SELECT 'agg-' || g AS a"
                    + " FROM generate_series(0, 99) g) x) y WHERE r <= 2 ORDER BY a")
            .stream()
            .map(r -> (String) r.get("a"))
            .toList();
    assertThat(aggregates).hasSize(12);
    return aggregates;
  }

  private Set<String> allEventIds() {
    return db.query("SELECT CAST(id AS text) AS id FROM outbox").stream()
        .map(r -> (String) r.get("id"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static Set<String> ids(List<OutboxRow> rows) {
    return rows.stream().map(OutboxRow::eventId).collect(Collectors.toSet());
  }

  /** Each aggregate's events in the order of their seq, which writers took under its lock. */
  private static void assertPerAggregateOrder(List<OutboxRow> rows) {
    Map<String, Long> last = new HashMap<>();
    for (OutboxRow row : rows) {
      long seq = Long.parseLong(row.position().substring(row.position().indexOf(':') + 1));
      Long previous = last.put(row.aggregateId(), seq);
      assertThat(previous == null || previous < seq)
          .as("%s after seq %s of its aggregate", row.describe(), previous)
          .isTrue();
    }
  }

  private static void assertEachOnce(List<OutboxRow> rows, long expected) {
    Set<String> ids = new HashSet<>();
    rows.forEach(r -> assertThat(ids.add(r.eventId())).as("published twice: %s", r).isTrue());
    assertThat(ids).hasSize((int) expected);
  }

  @Test
  void aBlockerBeyondPollMaxRowsDoesNotStallTheBucket() throws Exception {
    try (Connection early = db.connect()) {
      early.setAutoCommit(false);
      // Takes its xid now, writes the outbox much later.
      try (Statement st = early.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      for (int i = 0; i < 60; i++) {
        commitOne(i % 3 == 0 ? "hot" : "cold-" + i, "{\"n\": " + i + "}");
      }
      write(early, "hot", "{\"late\": true}");
      early.commit();
    }
    commitOne("hot", "{\"after\": true}");

    try (PostgresPollingCapture capture = capture(5, 0, 1)) {
      List<OutboxRow> rows = drain(capture);

      assertEachOnce(rows, 62);
      assertPerAggregateOrder(rows);
      assertThat(rows.stream().filter(r -> r.aggregateId().equals("hot")).toList())
          .last()
          .extracting(OutboxRow::payloadText)
          .isEqualTo("{\"after\": true}");
    }
  }

  @Test
  void aTransactionLargerThanPollMaxRowsArrivesInPartsOfAtMostThatManyRows() throws Exception {
    commitOne("before", "{}");
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'agg-' || (g % 50), 'Imported', '{}'"
                + " FROM generate_series(1, 2500) g");
      }
      c.commit();
    }
    commitOne("after", "{}");

    List<List<CapturedTransaction>> polls = new ArrayList<>();
    List<OutboxRow> published = new ArrayList<>();
    try (PostgresPollingCapture capture = capture(100, 0, 1)) {
      List<CapturedTransaction> batch;
      while (!(batch = capture.poll()).isEmpty()) {
        polls.add(batch);
        batch.forEach(tx -> published.addAll(tx.rows()));
      }
    }

    assertEachOnce(published, 2502);
    assertPerAggregateOrder(published);
    assertThat(polls)
        .allSatisfy(
            p ->
                assertThat(p.stream().mapToInt(t -> t.rows().size()).sum())
                    .isLessThanOrEqualTo(100));
    String importId =
        polls.stream()
            .flatMap(List::stream)
            .filter(t -> t.rows().size() > 1)
            .findFirst()
            .orElseThrow()
            .id();
    List<CapturedTransaction> parts =
        polls.stream().flatMap(List::stream).filter(t -> t.id().equals(importId)).toList();
    assertThat(parts).hasSizeGreaterThanOrEqualTo(25);
    assertThat(parts.subList(0, parts.size() - 1)).noneMatch(CapturedTransaction::complete);
    assertThat(parts.get(parts.size() - 1).complete()).isTrue();
    assertThat(parts)
        .as("every part carries the position before the transaction until it is complete")
        .extracting(CapturedTransaction::offsetBefore)
        .containsOnly(parts.get(0).offsetBefore());

    // A restart from the offset the unfinished parts carried publishes the whole transaction again.
    try (PostgresPollingCapture resumed =
        capture(100, 0, 1, PostgresPosition.fromOffset(parts.get(0).offsetBefore()))) {
      assertThat(drain(resumed)).hasSize(2501);
    }
  }

  /**
   * A large batch of more than a thousand aggregates, one of them with a lower-seq row still behind
   * the horizon: the batch waits for it, then everything goes out in each aggregate's order.
   */
  @Test
  void aLargeBatchOfManyAggregatesWaitsForABlockerBehindTheHorizon() throws Exception {
    try (Connection early = db.connect();
        Connection open = db.connect()) {
      early.setAutoCommit(false);
      open.setAutoCommit(false);
      try (Statement st = early.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)"); // takes the lowest xid
      }
      try (Connection c = db.connect();
          Statement st = c.createStatement()) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'd-' || g, 'Bulk', '{}' FROM generate_series(1, 600) g");
      }
      try (Statement st = open.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (2)"); // holds the horizon from here on
      }
      commitOne("A", "{\"step\": 1}"); // behind the horizon
      write(early, "A", "{\"step\": 2}");
      try (Statement st = early.createStatement()) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'c-' || g, 'Bulk', '{}' FROM generate_series(1, 600) g");
      }
      early.commit();

      try (PostgresPollingCapture capture = capture(100, 0, 1)) {
        assertThat(drain(capture)).isEmpty();
        assertThat(capture.stall().stalled()).isTrue();

        open.rollback();
        List<OutboxRow> published = drain(capture);
        assertEachOnce(published, 1202);
        assertPerAggregateOrder(published);
        assertThat(
                published.stream()
                    .filter(r -> r.aggregateId().equals("A"))
                    .map(OutboxRow::payloadText))
            .containsExactly("{\"step\": 1}", "{\"step\": 2}");
      }
    }
  }

  /**
   * A large transaction published ahead of the cursor (a done range) before a restart is not
   * published again when the cuts are recomputed after the horizon moves.
   */
  @Test
  void aLargeTransactionInADoneRangeIsNotPublishedAgainAfterTheHorizonMoves() throws Exception {
    commitOne("a-1", "{}");
    commitOne("a-2", "{}");
    long bulkTxid;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'bulk-' || g, 'Bulk', '{}' FROM generate_series(1, 200) g");
        var rs = st.executeQuery("SELECT CAST(pg_current_xact_id() AS text)");
        rs.next();
        bulkTxid = Long.parseLong(rs.getString(1));
      }
      c.commit();
    }
    PostgresPosition restart =
        new PostgresPosition(0, 0, List.of(new PostgresPosition.TxidRange(bulkTxid, bulkTxid)));

    List<OutboxRow> published = new ArrayList<>();
    try (PostgresPollingCapture capture = capture(1, 0, 1, restart)) {
      capture.poll().forEach(tx -> published.addAll(tx.rows()));
      commitOne("b", "{}"); // the horizon moves while a cut below the bulk transaction remains
      published.addAll(drain(capture));
    }

    assertThat(published).extracting(OutboxRow::aggregateId).containsExactly("a-1", "a-2", "b");
  }

  /**
   * One transaction larger than a poll, held back by a row of its aggregate behind the horizon: it
   * waits, and while the horizon stays put the capture does not read it again.
   */
  @Test
  void aLargeTransactionWaitsForItsBlockerWithoutBeingReadAgainMeanwhile() throws Exception {
    try (Connection early = db.connect();
        Connection open = db.connect()) {
      early.setAutoCommit(false);
      open.setAutoCommit(false);
      try (Statement st = early.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      try (Statement st = open.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (2)");
      }
      commitOne("A", "{\"step\": 1}"); // behind the horizon
      write(early, "A", "{\"step\": 2}");
      try (Statement st = early.createStatement()) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'bulk-' || g, 'Bulk', '{}' FROM generate_series(1, 199) g");
      }
      early.commit();

      try (PostgresPollingCapture capture = capture(50, 0, 1)) {
        assertThat(capture.poll()).isEmpty();
        long statements = capture.statementsExecuted();
        assertThat(capture.poll()).isEmpty();
        assertThat(capture.statementsExecuted() - statements)
            .as("only the horizon (with the rows above it) and the stall are looked at again")
            .isLessThanOrEqualTo(2);
        assertThat(capture.stall().stalled()).isTrue();

        open.rollback();
        List<OutboxRow> published = drain(capture);
        assertEachOnce(published, 201);
        assertThat(
                published.stream()
                    .filter(r -> r.aggregateId().equals("A"))
                    .map(OutboxRow::payloadText))
            .containsExactly("{\"step\": 1}", "{\"step\": 2}");
      }
    }
  }

  @Test
  void concurrentWritersWithEarlyXidsKeepEveryAggregateInOrderWithTinyBatches() throws Exception {
    int writers = 6;
    int transactionsPerWriter = 80;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<Integer>> written = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      written.add(
          pool.submit(
              () -> {
                int rows = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try (Connection c = db.connect()) {
                  c.setAutoCommit(false);
                  for (int t = 0; t < transactionsPerWriter; t++) {
                    try (Statement st = c.createStatement()) {
                      if (random.nextInt(3) == 0) {
                        st.executeUpdate("INSERT INTO other VALUES (1)"); // an early xid
                      }
                      st.execute("SELECT pg_sleep(" + random.nextInt(5) / 1000.0 + ")");
                    }
                    int n = 1 + random.nextInt(3);
                    try {
                      for (int i = 0; i < n; i++) {
                        write(c, "agg-" + random.nextInt(8), "{\"w\": " + rows + "}");
                      }
                    } catch (SQLException e) {
                      if (!"40P01".equals(e.getSQLState())) {
                        throw e;
                      }
                      c.rollback(); // two writers locked the same aggregates in opposite order
                      continue;
                    }
                    if (random.nextInt(10) == 0) {
                      c.rollback();
                    } else {
                      c.commit();
                      rows += n;
                    }
                  }
                }
                return rows;
              }));
    }
    List<OutboxRow> published = new ArrayList<>();
    try (PostgresPollingCapture capture = capture(3, 0, 1)) {
      while (!written.stream().allMatch(Future::isDone)) {
        capture.poll().forEach(tx -> published.addAll(tx.rows()));
      }
      published.addAll(drain(capture));
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    int committed = 0;
    for (Future<Integer> f : written) {
      committed += f.get();
    }

    assertEachOnce(published, committed);
    assertPerAggregateOrder(published);
  }

  @Test
  void aRestartFromAnyOffsetPublishesExactlyTheRest() throws Exception {
    try (Connection early = db.connect()) {
      early.setAutoCommit(false);
      try (Statement st = early.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      for (int i = 0; i < 10; i++) {
        commitOne("a-" + i, "{}");
      }
      commitOne("x", "{}");
      write(early, "x", "{\"late\": true}");
      early.commit();
    }
    List<CapturedTransaction> batch;
    try (PostgresPollingCapture capture = capture(1000, 0, 1)) {
      batch = capture.poll();
    }
    assertThat(batch).hasSize(12);
    // The early transaction goes last, so every offset before it has done ranges ahead of the
    // cursor: restart from each and expect exactly the transactions after it.
    for (int i = 0; i < batch.size(); i++) {
      PostgresPosition restart = PostgresPosition.fromOffset(batch.get(i).offsetAfter());
      try (PostgresPollingCapture resumed = capture(2, 0, 1, restart)) {
        List<String> rest = drain(resumed).stream().map(OutboxRow::eventId).toList();
        List<String> expected =
            batch.subList(i + 1, batch.size()).stream()
                .flatMap(tx -> tx.rows().stream())
                .map(OutboxRow::eventId)
                .toList();
        assertThat(rest)
            .as("after transaction %d", i)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  @Test
  void everyRowIsReadByExactlyOneBucketNullAndEmptyAggregateIdsIncluded() throws Exception {
    db.execute("ALTER TABLE outbox ALTER COLUMN aggregateid DROP NOT NULL");
    for (int i = 0; i < 40; i++) {
      commitOne("agg-" + i, "{}");
    }
    db.execute(
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES"
            + " ('order', NULL, 't', '{}'), ('order', '', 't', '{}')");

    int total = 0;
    for (int bucket = 0; bucket < 3; bucket++) {
      try (PostgresPollingCapture capture = capture(7, bucket, 3)) {
        total += drain(capture).size();
      }
    }
    assertThat(total).isEqualTo(42);
  }

  /**
   * tasks.max 3 to 2: one old task drained its bucket, one stopped part-way with done ranges ahead
   * of its cursor, one never committed an offset. The new tasks publish exactly what no old offset
   * confirmed: neither the whole table (for the idle old bucket) nor what the other old tasks
   * published beyond the slowest one.
   */
  @Test
  void changingTasksMaxRepublishesOnlyWhatTheOldTasksHadNotConfirmed() throws Exception {
    List<String> aggregates = aggregatesInEveryBucket();
    writeMixed(aggregates, 0, 20);
    writeAroundAnEarlyTransaction(aggregates, 20, 20);
    writeMixed(aggregates, 40, 10);

    Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
    List<OutboxRow> confirmed = new ArrayList<>();
    try (PostgresPollingCapture old = resume(100, 0, 3, offsets)) {
      confirmed.addAll(confirm(old, offsets, NEVER).rows());
    }
    try (PostgresPollingCapture old = resume(4, 1, 3, offsets)) {
      Confirmed part = confirm(old, offsets, atDoneRangesAfter(3));
      assertThat(part.offset())
          .as("old bucket 1 stopped with done ranges ahead of its cursor")
          .containsKey(PostgresPosition.DONE_KEY);
      confirmed.addAll(part.rows());
    }
    // Old bucket 2 never committed an offset.
    assertEachOnce(confirmed, confirmed.size());
    Set<String> unconfirmed = allEventIds();
    unconfirmed.removeAll(ids(confirmed));

    List<PostgresPollingCapture> tasks =
        List.of(resume(5, 0, 2, offsets), resume(5, 1, 2, offsets));
    try {
      List<OutboxRow> republished = new ArrayList<>();
      for (PostgresPollingCapture task : tasks) {
        assertThat(task.skipsRowsPublishedElsewhere()).isTrue();
        republished.addAll(drain(task));
      }
      assertThat(ids(republished)).isEqualTo(unconfirmed);
      assertEachOnce(republished, unconfirmed.size());
      List<OutboxRow> history = new ArrayList<>(confirmed);
      history.addAll(republished);
      assertPerAggregateOrder(history);

      // Once the horizon moves, a task stops filtering, whether or not its bucket got new rows...
      db.execute("INSERT INTO other VALUES (2)");
      for (PostgresPollingCapture task : tasks) {
        assertThat(task.poll()).isEmpty();
        assertThat(task.skipsRowsPublishedElsewhere()).isFalse();
      }
      // ...and goes on publishing new rows exactly once.
      Set<String> before = allEventIds();
      writeMixed(aggregates, 50, 10);
      Set<String> fresh = allEventIds();
      fresh.removeAll(before);
      List<OutboxRow> after = new ArrayList<>();
      for (PostgresPollingCapture task : tasks) {
        after.addAll(drain(task));
      }
      assertThat(ids(after)).isEqualTo(fresh);
      assertEachOnce(after, fresh.size());
      history.addAll(after);
      assertPerAggregateOrder(history);
    } finally {
      tasks.forEach(PostgresPollingCapture::close);
    }
  }

  /**
   * A transaction too large for one poll, part of which an old layout's task already confirmed: the
   * new task publishes it in parts, each row the old layout did not confirm exactly once.
   */
  @Test
  void aLargeTransactionPartlyConfirmedByAnOldLayoutIsCompletedNotRepeated() throws Exception {
    List<String> aggregates = aggregatesInEveryBucket();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 90; i++) {
        write(c, aggregates.get(i % aggregates.size()), "{\"i\": " + i + "}");
      }
      c.commit();
    }
    Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
    List<OutboxRow> confirmed;
    try (PostgresPollingCapture old = resume(100, 0, 3, offsets)) {
      confirmed = confirm(old, offsets, NEVER).rows();
    }
    assertThat(confirmed).isNotEmpty();
    Set<String> unconfirmed = allEventIds();
    unconfirmed.removeAll(ids(confirmed));

    List<OutboxRow> republished = new ArrayList<>();
    try (PostgresPollingCapture task = resume(10, 0, 1, offsets)) {
      List<CapturedTransaction> part;
      while (!(part = task.poll()).isEmpty()) {
        assertThat(part.stream().mapToInt(t -> t.rows().size()).sum()).isLessThanOrEqualTo(10);
        part.forEach(t -> republished.addAll(t.rows()));
      }
    }

    assertThat(ids(republished)).isEqualTo(unconfirmed);
    assertEachOnce(republished, unconfirmed.size());
  }

  /**
   * tasks.max 1 to 3 and back to 1: the single task finds its own offset from before the three
   * tasks ran, and publishes only what none of them confirmed. The three tasks in turn skip what
   * the first single task had published ahead of its cursor.
   */
  @Test
  void backToAnEarlierTasksMaxAStaleOwnOffsetRepublishesOnlyWhatNoLayoutConfirmed()
      throws Exception {
    List<String> aggregates = aggregatesInEveryBucket();
    writeAroundAnEarlyTransaction(aggregates, 0, 20);
    writeMixed(aggregates, 20, 10);

    Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
    List<OutboxRow> confirmed = new ArrayList<>();
    try (PostgresPollingCapture single = resume(4, 0, 1, offsets)) {
      Confirmed part = confirm(single, offsets, atDoneRangesAfter(3));
      assertThat(part.offset()).containsKey(PostgresPosition.DONE_KEY);
      confirmed.addAll(part.rows());
    }
    writeMixed(aggregates, 30, 10);

    try (PostgresPollingCapture task = resume(100, 0, 3, offsets)) {
      confirmed.addAll(confirm(task, offsets, NEVER).rows());
    }
    try (PostgresPollingCapture task = resume(3, 1, 3, offsets)) {
      confirmed.addAll(confirm(task, offsets, afterTransactions(5)).rows());
    }
    try (PostgresPollingCapture task = resume(3, 2, 3, offsets)) {
      confirmed.addAll(confirm(task, offsets, afterTransactions(1)).rows());
    }
    assertEachOnce(confirmed, confirmed.size());
    writeMixed(aggregates, 40, 5);
    Set<String> unconfirmed = allEventIds();
    unconfirmed.removeAll(ids(confirmed));

    List<OutboxRow> rest;
    try (PostgresPollingCapture again = resume(5, 0, 1, offsets)) {
      rest = drain(again);
    }
    assertThat(ids(rest)).isEqualTo(unconfirmed);
    assertEachOnce(rest, unconfirmed.size());
    List<OutboxRow> history = new ArrayList<>(confirmed);
    history.addAll(rest);
    assertPerAggregateOrder(history);
  }

  @Test
  void aHorizonHeldByAnOpenTransactionShowsAsAStallNamingItThenDrains() throws Exception {
    try (Connection holder = db.connect();
        PostgresPollingCapture capture = capture(100, 0, 1)) {
      holder.setAutoCommit(false);
      int holderPid;
      try (Statement st = holder.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
        var rs = st.executeQuery("SELECT pg_backend_pid()");
        rs.next();
        holderPid = rs.getInt(1);
      }
      commitOne("a", "{}");

      assertThat(drain(capture)).isEmpty();
      CaptureStall stall = capture.stall();
      assertThat(stall.stalled()).isTrue();
      assertThat(stall.sessionId()).isEqualTo(holderPid);
      assertThat(stall.holder()).contains("pid " + holderPid);

      holder.commit();
      assertThat(drain(capture)).hasSize(1);
      assertThat(capture.stall().stalled()).isFalse();
    }
  }

  /**
   * Every identifier option (the table and each column option, a header column among them) holds
   * quotes, semicolons and comments: the capture, cleanup and the validate table check quote them
   * and never run them.
   */
  @Test
  void tableAndColumnNamesWithQuotesSemicolonsAndCommentsAreQuotedNeverExecuted() throws Exception {
    String table = "Out\"box; DROP TABLE aggregates; --";
    Map<String, String> config = new java.util.HashMap<>();
    config.put("connection.url", db.jdbcUrl());
    config.put("table.name", table);
    config.put("column.event.id", "i\"d; --");
    config.put("column.aggregate.type", "agg;type");
    config.put("column.aggregate.id", "agg--id");
    config.put("column.event.type", "ty/*pe*/");
    config.put("column.payload", "pay/* x */load");
    config.put("column.timestamp", "ti'me");
    config.put("column.txid", "tx\"id");
    config.put("column.position", "se;q--");
    config.put("header.columns", "corr'--\"id:correlation.id");
    OutboxSourceConnectorConfig parsed = new OutboxSourceConnectorConfig(config);
    db.execute(
        "CREATE TABLE \"Out\"\"box; DROP TABLE aggregates; --\" ("
            + " \"i\"\"d; --\" uuid NOT NULL DEFAULT gen_random_uuid(),"
            + " \"agg;type\" text NOT NULL, \"agg--id\" text NOT NULL, \"ty/*pe*/\" text,"
            + " \"pay/* x */load\" text, \"ti'me\" timestamptz DEFAULT now(),"
            + " \"tx\"\"id\" xid8 NOT NULL DEFAULT pg_current_xact_id(), \"se;q--\" bigserial,"
            + " \"corr'--\"\"id\" text)",
        "CREATE INDEX ON \"Out\"\"box; DROP TABLE aggregates; --\" (\"tx\"\"id\", \"se;q--\")",
        "INSERT INTO \"Out\"\"box; DROP TABLE aggregates; --\""
            + " (\"agg;type\", \"agg--id\", \"ty/*pe*/\", \"pay/* x */load\", \"corr'--\"\"id\")"
            + " VALUES ('o', 'a', 't', 'x', 'c-1')");
    try (Connection c = db.connect()) {
      assertThat(OutboxCaptures.checkTable(c, parsed, 1).errors()).isEmpty();
    }
    List<OutboxRow> rows = new ArrayList<>();
    for (int bucket = 0; bucket < 2; bucket++) {
      try (PostgresPollingCapture capture =
          new PostgresPollingCapture(
              db::connect,
              new PostgresPollingCapture.Settings(
                  table, parsed.columns(), bucket, 2, 10, null, true, 10, Backlog.COUNT_CAP),
              PostgresPosition.START)) {
        rows.addAll(drain(capture));
        capture.backlog();
        capture.offsetCommitted(capture.position().toOffset());
      }
    }
    assertThat(rows).singleElement().extracting(OutboxRow::payloadText).isEqualTo("x");
    assertThat(rows.get(0).headers()).containsEntry("correlation.id", "c-1");
    assertThat(db.queryForLong("SELECT count(*) FROM \"Out\"\"box; DROP TABLE aggregates; --\""))
        .as("cleanup deleted the published row")
        .isZero();
    assertThat(db.queryForLong("SELECT count(*) FROM aggregates")).isZero();
  }

  private PostgresPollingCapture captureThrough(String url, String applicationName) {
    OutboxSourceConnectorConfig config =
        new OutboxSourceConnectorConfig(
            Map.of(
                "connection.url", url,
                "connection.user", db.user(),
                "connection.password", db.password()));
    return new PostgresPollingCapture(
        () -> config.openConnection(applicationName),
        new PostgresPollingCapture.Settings(
            "outbox", COLUMNS, 0, 1, 100, null, false, 500, Backlog.COUNT_CAP),
        PostgresPosition.START);
  }

  @Test
  void aMissingDatabaseOrTableIsNotRetriedButFailsWithWhatToCheck() {
    String missingDb = db.jdbcUrl().replace("/" + db.name(), "/no_such_database");
    try (PostgresPollingCapture capture = captureThrough(missingDb, "eventkit-test")) {
      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> !((CaptureException) e).retriable())
          .hasMessageContaining("no_such_database");
    }
    db.execute("DROP TABLE outbox");
    try (PostgresPollingCapture capture = captureThrough(db.jdbcUrl(), "eventkit-test")) {
      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> !((CaptureException) e).retriable())
          .hasMessageContaining("outbox");
    }
  }

  @Test
  void aKilledSessionIsRetriedAndTheNextPollResumesWithoutLossOrDuplicates() throws Exception {
    for (int i = 0; i < 30; i++) {
      commitOne("a-" + (i % 4), "{}");
    }
    List<OutboxRow> published = new ArrayList<>();
    try (PostgresPollingCapture capture = captureThrough(db.jdbcUrl(), "eventkit-killed")) {
      capture.poll().forEach(tx -> published.addAll(tx.rows()));
      for (int i = 0; i < 30; i++) {
        commitOne("a-" + (i % 4), "{}");
      }
      assertThat(db.terminateSessions("eventkit-killed")).isPositive();

      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> ((CaptureException) e).retriable());
      published.addAll(drain(capture));
    }
    assertEachOnce(published, 60);
    assertPerAggregateOrder(published);
  }

  /**
   * The stall names the transaction that holds the horizon: the open one with the oldest xid (not
   * the one that started first), and a prepared transaction, which has no session at all.
   */
  @Test
  void theStallNamesTheOldestXidAPreparedTransactionIncluded() throws Exception {
    try (Connection startedFirst = db.connect();
        Connection oldestXid = db.connect();
        Connection prepared = db.connect();
        PostgresPollingCapture capture = capture(100, 0, 1)) {
      startedFirst.setAutoCommit(false);
      oldestXid.setAutoCommit(false);
      try (Statement st = startedFirst.createStatement()) {
        st.execute("SELECT 1"); // its transaction starts now, without an xid yet
      }
      int oldestPid;
      try (Statement st = oldestXid.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
        var rs = st.executeQuery("SELECT pg_backend_pid()");
        rs.next();
        oldestPid = rs.getInt(1);
      }
      try (Statement st = startedFirst.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (2)"); // a later xid
      }
      commitOne("a", "{}");

      assertThat(drain(capture)).isEmpty();
      assertThat(capture.stall().sessionId()).isEqualTo(oldestPid);

      oldestXid.rollback();
      startedFirst.rollback();
      prepared.setAutoCommit(false);
      try (Statement st = prepared.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (3)");
        st.execute("PREPARE TRANSACTION 'eventkit-held'");
      }
      commitOne("a", "{}");
      assertThat(drain(capture)).hasSize(1); // the first row, no longer behind anything
      assertThat(capture.stall().holder()).contains("prepared transaction eventkit-held");
      assertThat(capture.stall().sessionId()).isEqualTo(-1);
      assertThat(capture.stall().remedy()).contains("COMMIT PREPARED");
      try (Statement st = prepared.createStatement()) {
        prepared.setAutoCommit(true);
        st.execute("ROLLBACK PREPARED 'eventkit-held'");
      }
      assertThat(drain(capture)).hasSize(1);
    }
  }

  @Test
  void withoutPgReadAllStatsTheStallAgeIsCountedFromWhenTheTaskFirstSawIt() throws Exception {
    String role = "relay_" + db.name();
    db.createRole(role, "secret", "SELECT ON outbox");
    try (Connection holder = db.connect();
        PostgresPollingCapture capture =
            new PostgresPollingCapture(
                () -> db.connect(role, "secret"),
                new PostgresPollingCapture.Settings(
                    "outbox", COLUMNS, 0, 1, 100, null, false, 500, Backlog.COUNT_CAP),
                PostgresPosition.START)) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      commitOne("a", "{}");
      try (Connection asRole = db.connect(role, "secret");
          Statement st = asRole.createStatement()) {
        var rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
                    + " AND xact_start IS NULL");
        rs.next();
        assertThat(rs.getInt(1))
            .as("PostgreSQL hides the holder's start from this role")
            .isPositive();
      }

      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(
              () -> {
                capture.poll();
                return capture.stall().ageMs() >= 200;
              });
      assertThat(capture.stall().holder()).contains("xid");
      holder.rollback();
    }
  }

  /**
   * Parts of a transaction already handed to the task sit in an open Kafka transaction: after a
   * lost connection the capture goes on with the next part, never from the transaction's start.
   */
  @Test
  void aKilledSessionInTheMiddleOfALargeTransactionResumesAtItsNextPart() throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.executeUpdate(
          "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
              + " SELECT 'order', 'agg-' || (g % 7), 'Imported', '{}'"
              + " FROM generate_series(1, 1000) g");
    }
    List<OutboxRow> published = new ArrayList<>();
    try (PostgresPollingCapture capture = captureThrough(db.jdbcUrl(), "eventkit-parts")) {
      for (int i = 0; i < 3; i++) {
        List<CapturedTransaction> part = capture.poll();
        assertThat(part).singleElement().matches(t -> !t.complete());
        published.addAll(part.get(0).rows());
      }
      assertThat(db.terminateSessions("eventkit-parts")).isPositive();
      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> ((CaptureException) e).retriable());
      published.addAll(drain(capture));
    }
    assertEachOnce(published, 1000);
    assertPerAggregateOrder(published);
  }

  /**
   * Cleanup deletes what a committed offset covers, done ranges included, and nothing else; a call
   * stops after a bounded number of batches and says there is more.
   */
  @Test
  void cleanupDeletesExactlyWhatTheCommittedOffsetCoversInBoundedCalls() throws Exception {
    for (int i = 0; i < 30; i++) {
      commitOne("a-" + i, "{}");
    }
    List<Long> txids =
        db.query("SELECT CAST(txid AS text) AS t FROM outbox ORDER BY seq").stream()
            .map(r -> Long.parseLong((String) r.get("t")))
            .toList();
    // Published: the first 25 by cursor, and rows 27-28 ahead of it; 25, 26 and 29 are not.
    PostgresPosition committed =
        new PostgresPosition(
            txids.get(24),
            Long.MAX_VALUE,
            List.of(new PostgresPosition.TxidRange(txids.get(27), txids.get(28))));
    try (PostgresPollingCapture capture =
        new PostgresPollingCapture(
            db::connect,
            new PostgresPollingCapture.Settings(
                "outbox", COLUMNS, 0, 1, 100, null, true, 2, Backlog.COUNT_CAP),
            PostgresPosition.START)) {
      assertThat(capture.offsetCommitted(committed.toOffset())).as("more to delete").isTrue();
      assertThat(db.queryForLong("SELECT count(*) FROM outbox")).isEqualTo(10);
      while (capture.offsetCommitted(committed.toOffset())) {
        // each call deletes at most ten batches
      }
    }
    assertThat(
            db.query("SELECT CAST(txid AS text) AS t FROM outbox ORDER BY seq").stream()
                .map(r -> Long.parseLong((String) r.get("t")))
                .toList())
        .containsExactly(txids.get(25), txids.get(26), txids.get(29));
  }

  @Test
  void aClosedCaptureOpensNoConnection() throws Exception {
    PostgresPollingCapture capture = captureThrough(db.jdbcUrl(), "eventkit-closed");
    capture.close();

    assertThatThrownBy(capture::poll).isInstanceOf(CaptureException.class);
    assertThat(
            db.queryForLong(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'eventkit-closed'"))
        .isZero();
  }

  @Test
  void aHorizonBelowTheCommittedPositionFailsTheTaskInsteadOfSkipping() throws Exception {
    commitOne("a", "{}");
    PostgresPosition future = PostgresPosition.at(1_000_000_000_000L, 1);
    try (PostgresPollingCapture capture = capture(100, 0, 1, future)) {
      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> !((CaptureException) e).retriable())
          .hasMessageContaining("Transaction ids went backwards")
          .hasMessageContaining("/offsets");
    }
  }

  @Test
  void anOffsetOfAnotherTasksMaxBeyondTheHorizonFailsTheTaskInsteadOfSkipping() throws Exception {
    commitOne("a", "{}");
    Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
    offsets.put(
        BucketPartitions.partition("outbox", 3, 0),
        PostgresPosition.at(1_000_000_000_000L, 1).toOffset());
    try (PostgresPollingCapture capture = resume(100, 0, 1, offsets)) {
      assertThatThrownBy(capture::poll)
          .isInstanceOf(CaptureException.class)
          .matches(e -> !((CaptureException) e).retriable())
          .hasMessageContaining("an offset of another tasks.max value")
          .hasMessageContaining("Transaction ids went backwards");
    }
  }

  @Test
  void anEpochMillisTimestampColumnWorksInEveryQuery() throws Exception {
    db.execute(
        "ALTER TABLE outbox ALTER COLUMN timestamp DROP DEFAULT",
        "ALTER TABLE outbox ALTER COLUMN timestamp TYPE bigint"
            + " USING (EXTRACT(EPOCH FROM timestamp) * 1000)::bigint",
        "ALTER TABLE outbox ALTER COLUMN timestamp SET DEFAULT"
            + " (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint");
    commitOne("a", "{}");
    try (PostgresPollingCapture capture = capture(100, 0, 1)) {
      assertThat(capture.backlog().rows()).isEqualTo(1);
      assertThat(capture.backlog().oldestEventTimeMs()).isPositive();
      List<OutboxRow> rows = drain(capture);
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).timestamp()).isNotNull();
      assertThat(capture.backlog().rows()).isZero();
    }
  }

  /**
   * The cost of a drain is linear in the backlog: statements and rows read per published row stay
   * bounded however large the backlog. The backlog is of 1 KB events and analyzed, as autovacuum
   * keeps a real outbox: with statistics, the planner once chose a sequential scan for every batch
   * in the middle of the backlog (210 rows read per row published here). Each row is read twice:
   * once for the safe cuts, once in its batch.
   */
  @Test
  void drainsA200kRowBacklogWithBoundedWorkPerRow() throws Exception {
    int rows = Integer.getInteger("eventkit.drain.rows", 200_000);
    int perTransaction = 10;
    db.execute(
        "DO $$ BEGIN FOR t IN 0.."
            + (rows / perTransaction - 1)
            + " LOOP INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
            + " SELECT 'order', 'agg-' || ((t * 10 + g) % 1000), 'Changed',"
            + " jsonb_build_object('n', t * 10 + g, 'data', repeat('x', 1024))"
            + " FROM generate_series(0, "
            + (perTransaction - 1)
            + ") g; COMMIT; END LOOP; END $$");
    db.execute("ANALYZE outbox");
    long tuplesBefore = tuplesRead();

    long started = System.nanoTime();
    List<OutboxRow> published;
    long statements;
    try (PostgresPollingCapture capture = capture(500, 0, 1)) {
      published = drain(capture);
      statements = capture.statementsExecuted();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long tuples = awaitTuplesRead(tuplesBefore);

    double statementsPerRow = (double) statements / published.size();
    double tuplesPerRow = (double) tuples / published.size();
    System.out.printf(
        "Drained %d rows (poll.max.rows=500) in %.1f s (%.0f rows/s): %d statements (%.4f per"
            + " row), %d tuples read (%.2f per row)%n",
        published.size(),
        seconds,
        published.size() / seconds,
        statements,
        statementsPerRow,
        tuples,
        tuplesPerRow);
    assertThat(published).hasSize(rows);
    assertPerAggregateOrder(published);
    assertThat(statementsPerRow).isLessThan(0.02);
    assertThat(tuplesPerRow).isBetween(1.0, 3.0);
  }

  /**
   * While a backlog drains, each poll is three round trips to the database (the transaction's start
   * with the horizon, the batch, the commit), counted on the wire: a round trip is what one task
   * waits for between batches, on a database that may be across a network.
   */
  @Test
  void aDrainPollIsThreeRoundTripsToTheDatabase() throws Exception {
    int rows = 20_000;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                  + " SELECT 'order', 'agg-' || (random() * 1000)::int, 'Changed',"
                  + " CAST('{\"n\": ' || g || '}' AS jsonb) FROM generate_series(1, ?) g")) {
        for (int written = 0; written < rows; written += 10) {
          insert.setInt(1, 10);
          insert.executeUpdate();
          c.commit();
        }
      }
    }
    List<Long> roundTrips = new ArrayList<>();
    List<OutboxRow> published = new ArrayList<>();
    // Any transaction id taken meanwhile (an autovacuum's ANALYZE, anywhere on the server) would
    // move the horizon, and the next poll would extend its safe cuts: hold the horizon still with
    // an open transaction that writes no outbox row, younger than every row of the backlog.
    try (Connection holder = db.connect();
        PostgresRoundTrips wire = PostgresRoundTrips.to(db);
        PostgresPollingCapture capture =
            new PostgresPollingCapture(
                wire::connect,
                new PostgresPollingCapture.Settings(
                    "outbox", COLUMNS, 0, 1, 2048, null, false, 500, Backlog.COUNT_CAP),
                PostgresPosition.START)) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.executeUpdate("INSERT INTO other VALUES (1)");
      }
      while (true) {
        long before = wire.count();
        List<CapturedTransaction> batch = capture.poll();
        roundTrips.add(wire.count() - before);
        if (batch.isEmpty()) {
          break;
        }
        batch.forEach(tx -> published.addAll(tx.rows()));
      }
    }
    assertEachOnce(published, rows);
    assertPerAggregateOrder(published);
    // The first poll connects and finds the safe cuts over the backlog; the second prepares the
    // batch statement on the server. From then on every poll is the same.
    assertThat(roundTrips.subList(2, roundTrips.size() - 1))
        .as("round trips of each poll of the drain, after the first two: %s", roundTrips)
        .hasSizeGreaterThan(5)
        .allSatisfy(n -> assertThat(n).isEqualTo(3));
  }

  /**
   * Eight tasks read the table once between them with the bucket index, and eight times without it:
   * the rows each task reads per row it publishes, measured by the database.
   */
  @Test
  void withTheBucketIndexParallelTasksReadOnlyTheirOwnRows() throws Exception {
    int rows = 40_000;
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("SET synchronous_commit = off");
      c.setAutoCommit(false);
      for (int written = 0; written < rows; written += 10) {
        st.executeUpdate(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " SELECT 'order', 'agg-' || (random() * 5000)::int, 'Changed', '{}'"
                + " FROM generate_series(1, 10)");
        c.commit();
      }
    }
    double without = tuplesPerRowAcrossBuckets(8, rows);
    db.execute(
        PostgresBuckets.indexDdl("outbox", "\"aggregateid\"", "\"txid\"", "\"seq\"")
            .replace("CONCURRENTLY ", "")
            .replace(";", ""),
        "ANALYZE outbox");
    double with = tuplesPerRowAcrossBuckets(8, rows);
    double single = tuplesPerRowAcrossBuckets(1, rows);
    System.out.printf(
        "Tuples read per published row: 1 task %.2f; 8 tasks without the bucket index %.2f,"
            + " with it %.2f%n",
        single, without, with);
    assertThat(with).isLessThan(single * 2);
    assertThat(without).isGreaterThan(with * 3);
  }

  /**
   * The backlog metric, measured every 5 s while a task drains, reads a bounded number of rows
   * however large the backlog (here 40 times its cap after the position) and however many published
   * rows are still in the table before the position (cleanup off), with one task and with several
   * (with the bucket index, which a count could read by a bitmap of every remaining row of the
   * task's buckets). Unordered, a count could also scan from the table's start through the
   * published rows.
   */
  @Test
  void theBacklogMeasurementReadsABoundedNumberOfRowsWhateverTheBacklog() throws Exception {
    int rows = 80_000;
    int cap = 1_000;
    db.execute(
        "DO $$ BEGIN FOR t IN 0.."
            + (rows / 10 - 1)
            + " LOOP INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
            + " SELECT 'order', 'agg-' || ((t * 10 + g) % 1000), 'Changed', '{}'"
            + " FROM generate_series(0, 9) g; COMMIT; END LOOP; END $$",
        PostgresBuckets.indexDdl("outbox", "\"aggregateid\"", "\"txid\"", "\"seq\"")
            .replace("CONCURRENTLY ", "")
            .replace(";", ""),
        "ANALYZE outbox");
    // Half the backlog published: the position is in the middle of the table.
    long middle =
        db.queryForLong(
            "SELECT CAST(CAST(txid AS text) AS bigint) FROM outbox ORDER BY txid, seq"
                + " OFFSET "
                + rows / 2
                + " LIMIT 1");
    awaitTuplesRead(tuplesRead()); // the setup's reads counted before the first measurement
    for (int buckets : new int[] {1, 4}) {
      long before = tuplesRead();
      Backlog backlog;
      try (PostgresPollingCapture capture =
          new PostgresPollingCapture(
              db::connect,
              new PostgresPollingCapture.Settings(
                  "outbox", COLUMNS, 0, buckets, 500, null, false, 500, cap),
              PostgresPosition.at(middle, Long.MAX_VALUE))) {
        backlog = capture.backlog();
      }
      long read = awaitTuplesRead(before);

      assertThat(backlog.rows()).as("%d buckets", buckets).isEqualTo(cap);
      assertThat(backlog.capped()).isTrue();
      assertThat(backlog.oldestEventTimeMs()).isPositive();
      // The count's rows, and the few the oldest event time reads; a task of several steps over
      // the other tasks' rows in the (txid, seq) index.
      assertThat(read)
          .as("rows read by one backlog measurement, %d buckets", buckets)
          .isBetween((long) cap, buckets * (cap + 100L));
    }
  }

  private double tuplesPerRowAcrossBuckets(int buckets, int expectedRows) throws Exception {
    long before = tuplesRead();
    int published = 0;
    for (int bucket = 0; bucket < buckets; bucket++) {
      try (PostgresPollingCapture capture = capture(500, bucket, buckets)) {
        published += drain(capture).size();
      }
    }
    assertThat(published).isEqualTo(expectedRows);
    return (double) awaitTuplesRead(before) / published;
  }

  /** Rows read by sequential scans plus index entries read, from PostgreSQL's own statistics. */
  private long tuplesRead() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_stat_clear_snapshot()");
      var rs =
          st.executeQuery(
              "SELECT coalesce(seq_tup_read, 0) + (SELECT coalesce(sum(idx_tup_read), 0)"
                  + " FROM pg_stat_user_indexes i WHERE i.relid = t.relid)"
                  + " FROM pg_stat_user_tables t WHERE relname = 'outbox'");
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Statistics arrive asynchronously: wait until they stop changing after the drain. */
  private long awaitTuplesRead(long before) throws Exception {
    long previous = -1;
    long current = tuplesRead();
    long deadline = System.currentTimeMillis() + 10_000;
    while (current != previous && System.currentTimeMillis() < deadline) {
      previous = current;
      try (Connection c = db.connect();
          Statement st = c.createStatement()) {
        st.execute("SELECT pg_sleep(1.2)");
      }
      current = tuplesRead();
    }
    return current - before;
  }
}
