package dev.eventkit.connect.outbox.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.Captured;
import dev.eventkit.connect.outbox.capture.CapturedProgress;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.log.LogCapture;
import dev.eventkit.connect.outbox.capture.log.postgres.PostgresLogCapture;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL log capture against a real database, without Kafka, with an offset store the test
 * commits to by hand: pins how the embedded Debezium task behaves (what it emits, which LSN it
 * confirms after which commit, where it resumes), so a Debezium upgrade that changes it fails here.
 */
class PostgresLogCaptureIT {

  private static PostgresServer server;
  private TestDatabase db;
  private final Map<Map<String, Object>, Map<String, Object>> store = new ConcurrentHashMap<>();
  private final List<LogCapture> captures = new ArrayList<>();

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
  }

  @AfterEach
  void closeCaptures() {
    captures.forEach(LogCapture::close);
    // A closed capture's walsender ends a moment later, and an active slot cannot be dropped; the
    // next test creates a slot of the same name (slots are the server's, not the database's).
    Awaitility.await("the slots of this test released")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                db.queryForLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND database ="
                            + " current_database()")
                    == 0);
    db.execute(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database ="
            + " current_database()");
  }

  private LogCapture capture(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("name", "contract");
    props.put("connection.url", db.jdbcUrl());
    props.put("connection.user", db.user());
    props.put("connection.password", db.password());
    props.put("capture.mode", "log");
    props.put("log.snapshot.mode", "no_data");
    props.put("log.heartbeat.interval.ms", "200");
    props.put("log.slot.name", "eventkit_contract");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    OutboxSourceConnectorConfig config = new OutboxSourceConnectorConfig(props);
    LogCapture capture =
        PostgresLogCapture.create(
            config,
            "contract",
            context(props),
            () -> config.openConnection("contract"),
            wanted -> read(wanted));
    captures.add(capture);
    return capture;
  }

  private Map<Map<String, Object>, Map<String, Object>> read(
      Collection<Map<String, Object>> wanted) {
    Map<Map<String, Object>, Map<String, Object>> found = new HashMap<>();
    for (Map<String, Object> partition : wanted) {
      if (store.containsKey(partition)) {
        found.put(partition, store.get(partition));
      }
    }
    return found;
  }

  private SourceTaskContext context(Map<String, String> props) {
    OffsetStorageReader reader =
        new OffsetStorageReader() {
          @Override
          @SuppressWarnings("unchecked")
          public <T> Map<String, Object> offset(Map<String, T> partition) {
            return store.get((Map<String, Object>) partition);
          }

          @Override
          @SuppressWarnings("unchecked")
          public <T> Map<Map<String, T>, Map<String, Object>> offsets(
              Collection<Map<String, T>> partitions) {
            Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
            for (Map<String, T> p : partitions) {
              Map<String, Object> offset = store.get((Map<String, Object>) p);
              if (offset != null) {
                found.put(p, offset);
              }
            }
            return found;
          }
        };
    return new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return props;
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return reader;
      }

      @Override
      public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null;
      }
    };
  }

  /** Polls until {@code rows} rows have come, returning everything polled. */
  private static List<Captured> pollRows(LogCapture capture, int rows) {
    List<Captured> all = new ArrayList<>();
    Awaitility.await(rows + " rows from the log")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              all.addAll(capture.poll());
              return all.stream()
                      .filter(c -> c instanceof CapturedTransaction)
                      .mapToInt(c -> ((CapturedTransaction) c).rows().size())
                      .sum()
                  >= rows;
            });
    return all;
  }

  private static List<CapturedTransaction> transactions(List<Captured> captured) {
    return captured.stream()
        .filter(c -> c instanceof CapturedTransaction)
        .map(c -> (CapturedTransaction) c)
        .toList();
  }

  private void awaitStreaming(LogCapture capture) {
    Awaitility.await("slot streaming")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              capture.poll();
              return db.queryForLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name ="
                          + " 'eventkit_contract'")
                  == 1;
            });
  }

  @Test
  void eachTransactionEndsOnItsLastRowCarryingThePositionAfterIt() throws Exception {
    LogCapture capture = capture();
    awaitStreaming(capture);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      OutboxTestSupport.insert(c, "outbox", "order", "o-1", "Placed", "{}", null);
      OutboxTestSupport.insert(c, "outbox", "order", "o-1", "Paid", "{}", null);
      c.commit();
      OutboxTestSupport.insert(c, "outbox", "order", "o-2", "Placed", "{}", null);
      c.commit();
    }
    List<CapturedTransaction> txs = transactions(pollRows(capture, 3));
    assertThat(txs).allMatch(CapturedTransaction::complete);
    assertThat(txs.stream().mapToInt(t -> t.rows().size()).sum()).isEqualTo(3);
    CapturedTransaction first = txs.get(0);
    assertThat(first.rows()).extracting(r -> r.eventType()).containsExactly("Placed", "Paid");
    Map<String, Object> end = first.offsetOf(1);
    assertThat(end).containsKey("lsn_commit");
    assertThat((Long) end.get("lsn_commit")).isGreaterThan((Long) first.offsetOf(0).get("lsn"));
  }

  /**
   * Debezium confirms to the slot what the offset store holds, on the poll after commit(): the
   * capture polls Debezium on every poll for that.
   */
  @Test
  void aCommittedOffsetIsConfirmedToTheSlotOnTheNextPoll() throws Exception {
    LogCapture capture = capture();
    awaitStreaming(capture);
    OutboxTestSupport.insert(db, "outbox", "order", "o-1", "Placed", "{}");
    List<CapturedTransaction> txs = transactions(pollRows(capture, 1));
    Map<String, Object> offset = txs.get(0).offsetOf(0);
    store.put(capture.sourcePartition(), offset);
    capture.offsetsFlushed();
    long committedLsn = (Long) offset.get("lsn_commit");
    Awaitility.await("the slot confirms the committed LSN")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              capture.poll();
              return confirmedLsn() >= committedLsn;
            });
    assertThat(confirmedLsn()).isEqualTo(committedLsn);
  }

  private long confirmedLsn() {
    return db.queryForLong(
        "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name ="
            + " 'eventkit_contract'");
  }

  /** A new capture resumes after the stored offset: what it covers is not read again. */
  @Test
  void aRestartResumesAfterTheStoredOffset() throws Exception {
    LogCapture capture = capture();
    awaitStreaming(capture);
    OutboxTestSupport.insert(db, "outbox", "order", "o-1", "First", "{}");
    OutboxTestSupport.insert(db, "outbox", "order", "o-1", "Second", "{}");
    List<CapturedTransaction> txs = transactions(pollRows(capture, 2));
    store.put(capture.sourcePartition(), txs.get(0).offsetOf(0));
    capture.close();

    LogCapture resumed = capture();
    OutboxTestSupport.insert(db, "outbox", "order", "o-1", "Third", "{}");
    List<CapturedTransaction> again = transactions(pollRows(resumed, 2));
    assertThat(again.stream().flatMap(t -> t.rows().stream()).map(r -> r.eventType()))
        .containsExactly("Second", "Third");
  }

  /**
   * The column types poll mode reads become the same row values through Debezium: a bytea payload
   * byte for byte, a timestamp without time zone read as UTC with its microseconds, uuid text.
   */
  @Test
  void binaryPayloadsAndLocalTimestampsReadAsPollModeReadsThem() throws Exception {
    db.execute(
        "CREATE TABLE binbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text"
            + " NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload bytea,"
            + " timestamp timestamp NOT NULL)");
    LogCapture capture = capture("table.name", "binbox");
    awaitStreaming(capture);
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    try (Connection c = db.connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO binbox (aggregatetype, aggregateid, type, payload, timestamp)"
                    + " VALUES ('file', 'f-1', 'Uploaded', ?, '2026-11-27 01:02:03.456789')")) {
      ps.setBytes(1, bytes);
      ps.executeUpdate();
    }
    CapturedTransaction tx = transactions(pollRows(capture, 1)).get(0);
    var row = tx.rows().get(0);
    assertThat(row.payloadBytes()).isEqualTo(bytes);
    assertThat(row.payloadText()).isNull();
    assertThat(row.timestamp()).isEqualTo(java.time.Instant.parse("2026-11-27T01:02:03.456789Z"));
    assertThat(row.eventId())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  }

  /**
   * A snapshot that did not finish is taken again on a new slot, whose exported snapshot meets the
   * stream exactly (on the old slot, table and log position would be read apart).
   */
  @Test
  void anUnfinishedSnapshotStartsAgainOnANewSlot() throws Exception {
    for (int i = 0; i < 30; i++) {
      OutboxTestSupport.insert(db, "outbox", "order", "o-" + (i % 4), "Placed", "{}");
    }
    LogCapture first = capture("log.snapshot.mode", "initial", "poll.max.rows", "5");
    List<CapturedTransaction> part = transactions(pollRows(first, 5));
    assertThat(part.get(0).complete()).isFalse();
    store.put(first.sourcePartition(), part.get(0).offsetOf(0));
    first.close();
    long oldSlot = slotRestartLsn();
    db.execute("CREATE TABLE other (n int)", "INSERT INTO other SELECT generate_series(1, 1000)");

    LogCapture second = capture("log.snapshot.mode", "initial");
    List<CapturedTransaction> again = transactions(pollRows(second, 30));
    assertThat(again.stream().mapToInt(t -> t.rows().size()).sum()).isEqualTo(30);
    assertThat(again.get(again.size() - 1).complete()).isTrue();
    assertThat(slotRestartLsn()).isGreaterThan(oldSlot);
  }

  private long slotRestartLsn() {
    return db.queryForLong(
        "SELECT restart_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name ="
            + " 'eventkit_contract'");
  }

  @Test
  void heartbeatsCarryProgressWhileTheOutboxIsQuiet() throws Exception {
    LogCapture capture = capture();
    awaitStreaming(capture);
    db.execute("CREATE TABLE other (n int)", "INSERT INTO other VALUES (1)");
    List<CapturedProgress> beats = new ArrayList<>();
    Awaitility.await("heartbeats")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              capture.poll().stream()
                  .filter(c -> c instanceof CapturedProgress)
                  .forEach(c -> beats.add((CapturedProgress) c));
              return beats.size() >= 3;
            });
    assertThat(beats).allMatch(b -> b.offset().containsKey("lsn"));
  }
}
