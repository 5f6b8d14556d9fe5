package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.createOutbox;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * capture.mode=log on PostgreSQL through real Connect workers (exactly-once enabled) and the
 * example config {@code outbox-postgres-log.json}: the records poll mode publishes, every committed
 * event once in commit order through restarts and a lost replication connection, deletes ignored, a
 * quiet outbox that still confirms the WAL, and the poll-to-log cutover.
 */
class OutboxPostgresLogIT {

  static final Path LOG_EXAMPLE =
      OutboxTestSupport.EXAMPLE.resolveSibling("outbox-postgres-log.json");

  @RegisterExtension
  static final TestStack STACK =
      TestStack.postgres(OutboxTestSupport.cluster().workers(2).exactlyOnceSource(true));

  private static ConnectCluster cluster() {
    return STACK.cluster();
  }

  private static Map<String, String> logOverrides(TestDatabase db, String name, String... more) {
    Map<String, String> overrides = overrides(db, more);
    overrides.putIfAbsent("log.slot.name", name.replace('-', '_'));
    overrides.putIfAbsent("log.publication.name", name.replace('-', '_'));
    overrides.putIfAbsent("log.heartbeat.interval.ms", "500");
    return overrides;
  }

  /**
   * As {@link #logOverrides}, exactly-once with connector-defined boundaries, topics {@code
   * prefix.<type>}.
   */
  private static Map<String, String> exactlyOnce(
      TestDatabase db, String name, String prefix, String... more) {
    Map<String, String> overrides = logOverrides(db, name, more);
    overrides.put("topic.template", prefix + ".${aggregate_type}");
    overrides.put("exactly.once.support", "required");
    overrides.put("transaction.boundary", "connector");
    return overrides;
  }

  /** Every written event once, none other: the event.id headers against what committed. */
  private static void assertEachExactlyOnce(
      List<ConsumerRecord<byte[], byte[]>> records, Set<String> written) {
    List<String> ids = records.stream().map(r -> header(r, "event.id")).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(Set.copyOf(ids)).isEqualTo(written);
  }

  private static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
    return cluster().topics().consumeAll(topic, IsolationLevel.READ_COMMITTED);
  }

  private static List<ConsumerRecord<byte[], byte[]>> awaitRecords(String topic, int count) {
    return Awaitility.await(count + " records on " + topic)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> committed(topic), records -> records.size() >= count);
  }

  @Test
  void exampleValidatesAndTheConnectorRunsOneTaskWhateverTasksMaxSays() {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    Map<String, String> config = logOverrides(db, "one-task", "tasks.max", "3");
    JsonNode validation = cluster().validateConnector(LOG_EXAMPLE, config);
    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(validation.toString()).contains("capture.mode=log runs one task");
    cluster().createConnector("one-task", LOG_EXAMPLE, config);
    cluster().awaitRunning("one-task", 1);
    assertThat(cluster().status("one-task").path("tasks")).hasSize(1);
    cluster().delete("connectors/one-task").expectSuccess("delete");
  }

  /**
   * validate names each missing prerequisite on the option it concerns, with the fix: a role
   * without REPLICATION that cannot create the publication, a publication without the outbox, a
   * slot of another plugin.
   */
  @Test
  void validateNamesEachMissingPrerequisiteOnItsOption() {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    String role = "relay_" + db.name().replaceAll("\\W", "_");
    db.createRole(role, "secret", "SELECT ON outbox");
    Map<String, String> asRelay = logOverrides(db, "prereq");
    asRelay.put("connection.user", role);
    asRelay.put("connection.password", "secret");
    List<String> errors =
        ConnectCluster.validationErrors(cluster().validateConnector(LOG_EXAMPLE, asRelay));
    assertThat(errors)
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("connection.user: ")
                    .contains("ALTER ROLE \"" + role + "\" REPLICATION"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("log.publication.name: ")
                    .contains("cannot create it")
                    .contains("CREATE PUBLICATION \"prereq\" FOR TABLE \"public\".\"outbox\""));

    db.execute(
        "CREATE TABLE unrelated (n int)",
        "CREATE PUBLICATION other_pub FOR TABLE unrelated",
        "SELECT pg_create_logical_replication_slot('decoding_slot', 'test_decoding')");
    try {
      List<String> asOwner =
          ConnectCluster.validationErrors(
              cluster()
                  .validateConnector(
                      LOG_EXAMPLE,
                      logOverrides(
                          db,
                          "prereq",
                          "log.publication.name",
                          "other_pub",
                          "log.slot.name",
                          "decoding_slot",
                          "cleanup.policy",
                          "delete")));
      assertThat(asOwner)
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("cleanup.policy: ")
                      .contains("cleanup.policy=delete is for poll mode"))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("log.publication.name: ")
                      .contains("ALTER PUBLICATION \"other_pub\" ADD TABLE \"public\".\"outbox\""))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("log.slot.name: ")
                      .contains("plugin test_decoding")
                      .contains("pg_drop_replication_slot('decoding_slot')"));
    } finally {
      db.execute("SELECT pg_drop_replication_slot('decoding_slot')");
    }
    assertThat(
            ConnectCluster.validationErrors(
                cluster()
                    .validateConnector(
                        LOG_EXAMPLE, logOverrides(db, "prereq", "log.slot.name", "Orders-Slot"))))
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("log.slot.name: ")
                    .contains("'Orders-Slot' is not a valid name"));
  }

  /** The same rows, read by poll mode and by log mode, become identical records. */
  @Test
  void logModePublishesExactlyWhatPollModePublishes() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    writeVariedRows(db, "before");
    cluster()
        .createConnector(
            "equiv-poll",
            OutboxTestSupport.EXAMPLE,
            overrides(
                db,
                "topic.template",
                "poll.${aggregate_type}",
                "errors.invalid.topic",
                "poll.invalid"));
    cluster()
        .createConnector(
            "equiv-log",
            LOG_EXAMPLE,
            logOverrides(
                db,
                "equiv-log",
                "topic.template",
                "log.${aggregate_type}",
                "errors.invalid.topic",
                "log.invalid"));
    cluster().awaitRunning("equiv-poll", 1);
    cluster().awaitRunning("equiv-log", 1);
    writeVariedRows(db, "after");

    // Per phase: 5 order events, 3 customer events, 2 poison rows (blank aggregate id, NULL
    // payload without tombstones).
    for (String type : List.of("order", "customer")) {
      int expected = "order".equals(type) ? 10 : 6;
      List<ConsumerRecord<byte[], byte[]>> poll = awaitRecords("poll." + type, expected);
      List<ConsumerRecord<byte[], byte[]>> log = awaitRecords("log." + type, expected);
      assertThat(poll).hasSize(expected);
      assertThat(describe(log)).isEqualTo(describe(poll));
    }
    List<ConsumerRecord<byte[], byte[]>> pollInvalid = awaitRecords("poll.invalid", 4);
    List<ConsumerRecord<byte[], byte[]>> logInvalid = awaitRecords("log.invalid", 4);
    assertThat(pollInvalid).hasSize(4);
    // eventkit.error.position names where each mode found the row (txid:seq vs lsn): mode-specific.
    assertThat(describe(logInvalid, "eventkit.error.position", "eventkit.error.topic"))
        .isEqualTo(describe(pollInvalid, "eventkit.error.position", "eventkit.error.topic"));
    assertThat(header(logInvalid.get(0), "eventkit.error.position")).startsWith("lsn ");
  }

  /** Rows of every kind the record contract covers, as writers write them (several per tx). */
  private static void writeVariedRows(TestDatabase db, String phase) throws Exception {
    String big = "{\"blob\": \"" + "x".repeat(300_000) + "\"}";
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      OutboxTestSupport.insert(
          c,
          "outbox",
          "order",
          "o-1",
          "Placed",
          "{\"n\": 1, \"phase\": \"" + phase + "\"}",
          "corr-" + phase);
      OutboxTestSupport.insert(
          c,
          "outbox",
          "order",
          "o-1",
          "Paid",
          "{\"amount\": 12.50, \"unicode\": \"żółw 🐢 \\u00e9\"}",
          null);
      OutboxTestSupport.insert(
          c, "outbox", "customer", "c-1", "Registered", "[1, 2, {\"nested\": true}]", "corr");
      c.commit();
      OutboxTestSupport.insert(c, "outbox", "order", "o-2", "Placed", big, null);
      OutboxTestSupport.insert(c, "outbox", "customer", "c-2", "Deleted", null, null);
      OutboxTestSupport.insert(c, "outbox", "order", " ", "Placed", "{}", null); // poison
      c.commit();
      OutboxTestSupport.insert(c, "outbox", "order", "o-1", "Shipped", "{\"n\": 3}", "corr");
      OutboxTestSupport.insert(
          c, "outbox", "customer", "c-1", "Moved", "{\"city\": \"Kraków\"}", null);
      OutboxTestSupport.insert(c, "outbox", "order", "o-3", "Placed", "{\"n\": 4}", null);
      OutboxTestSupport.insert(c, "outbox", "customer", "c-3", "Registered", "{}", null);
      c.commit();
    }
  }

  private static List<String> describe(
      List<ConsumerRecord<byte[], byte[]>> records, String... ignoredHeaders) {
    Set<String> ignored = Set.of(ignoredHeaders);
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      List<String> headers = new ArrayList<>();
      for (Header h : r.headers()) {
        if (!ignored.contains(h.key())) {
          headers.add(h.key() + "=" + text(h.value()));
        }
      }
      out.add(
          r.partition()
              + "|"
              + text(r.key())
              + "|"
              + text(r.value())
              + "|"
              + r.timestamp()
              + "|"
              + headers);
    }
    // Partitions interleave differently between the two topics; within one, order must match.
    out.sort(java.util.Comparator.comparing(line -> line.substring(0, line.indexOf('|'))));
    return out;
  }

  /**
   * Concurrent writers (early xids, long transactions, rollbacks), tiny batches, a task restart,
   * the loss of the worker running the task and a terminated replication connection: a
   * read_committed consumer sees every committed event exactly once, each aggregate's versions in
   * order, no rolled-back event.
   */
  @Test
  void everyCommittedEventExactlyOnceInCommitOrderThroughFailures() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    ConcurrentOutboxWriters writers = new ConcurrentOutboxWriters(db, 20);
    String name = "log-eos";
    cluster()
        .createConnector(name, LOG_EXAMPLE, exactlyOnce(db, name, "eos", "poll.max.rows", "7"));
    cluster().awaitRunning(name, 1);
    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writers.run(4, 2_000, 5);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await("events flowing")
        .atMost(Duration.ofSeconds(90))
        .until(() -> committed("eos.account").size() >= 300);
    cluster().post("connectors/" + name + "/tasks/0/restart", "").expectSuccess("restart task");
    Awaitility.await("events flowing after the restart")
        .atMost(Duration.ofSeconds(90))
        .until(() -> committed("eos.account").size() >= 700);
    int terminated = terminateWalSender(db, name);
    assertThat(terminated).isEqualTo(1);
    Awaitility.await("events flowing after the replication connection was cut")
        .atMost(Duration.ofSeconds(90))
        .until(() -> committed("eos.account").size() >= 1_100);
    cluster().removeWorkerRunningTask(name, 0);
    writing.get(3, TimeUnit.MINUTES);
    cluster().awaitRunning(name, 1);

    List<ConsumerRecord<byte[], byte[]>> all =
        awaitRecords("eos.account", writers.committed.size());
    assertEachExactlyOnce(all, writers.committed);
    assertThat(all.stream().map(r -> header(r, "event.id")))
        .doesNotContainAnyElementsOf(writers.rolledBack);
    Map<String, Long> lastVersion = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : all) {
      long version = Long.parseLong(text(r.value()).replaceAll("\\D", ""));
      Long previous = lastVersion.put(text(r.key()), version);
      assertThat(version)
          .as("version of %s after %s", text(r.key()), previous)
          .isEqualTo(previous == null ? 1 : previous + 1);
    }
  }

  private static int terminateWalSender(TestDatabase db, String slot) {
    return (int)
        db.queryForLong(
            "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots"
                + " WHERE slot_name = '"
                + slot.replace('-', '_')
                + "' AND active_pid IS NOT NULL");
  }

  /**
   * PostgreSQL stops (sessions terminated, replication connection included) and starts again on the
   * same data directory while the connector runs exactly-once: nothing lost, nothing twice.
   */
  @Test
  void aDatabaseRestartLosesAndDuplicatesNothing() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    String name = "log-db-restart";
    cluster()
        .createConnector(
            name,
            LOG_EXAMPLE,
            exactlyOnce(
                db,
                name,
                "restart",
                "log.snapshot.mode",
                "no_data",
                "retry.backoff.max.ms",
                "2000"));
    cluster().awaitRunning(name, 1);
    awaitSlotActive(db, name);
    Set<String> written = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      written.add(
          OutboxTestSupport.insert(
              db, "outbox", "stock", "k-" + (i % 5), "Moved", "{\"i\": " + i + "}"));
    }
    awaitRecords("restart.stock", 50);
    long retriesBefore = taskMetric(name, "Retries");
    STACK.postgres().stop();
    try {
      Awaitility.await("the task retries while the database is down")
          .atMost(Duration.ofSeconds(60))
          .until(() -> taskMetric(name, "Retries") > retriesBefore);
      assertThat(cluster().status(name).path("tasks").path(0).path("state").asText())
          .isEqualTo("RUNNING");
    } finally {
      STACK.postgres().startAgain();
    }
    for (int i = 50; i < 100; i++) {
      written.add(
          OutboxTestSupport.insert(
              db, "outbox", "stock", "k-" + (i % 5), "Moved", "{\"i\": " + i + "}"));
    }
    List<ConsumerRecord<byte[], byte[]>> all = awaitRecords("restart.stock", 100);
    assertEachExactlyOnce(all, written);
    assertThat(cluster().status(name).path("tasks").path(0).path("state").asText())
        .isEqualTo("RUNNING");
  }

  private static long taskMetric(String connector, String attribute) throws Exception {
    javax.management.ObjectName name =
        new javax.management.ObjectName(
            "dev.eventkit.connect:type=outbox-source-task,connector=\"" + connector + "\",task=0");
    return ((Number)
            java.lang.management.ManagementFactory.getPlatformMBeanServer()
                .getAttribute(name, attribute))
        .longValue();
  }

  /**
   * A connector deleted and created again under the same name resumes from the offsets Connect
   * kept, and its slot kept the WAL meanwhile: what was committed while it was gone is published,
   * nothing twice.
   */
  @Test
  void aConnectorCreatedAgainResumesWhereItsOffsetsSay() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    String name = "log-recreated";
    Map<String, String> config = exactlyOnce(db, name, "again");
    cluster().createConnector(name, LOG_EXAMPLE, config);
    cluster().awaitRunning(name, 1);
    awaitSlotActive(db, name);
    Set<String> written = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      written.add(OutboxTestSupport.insert(db, "outbox", "item", "i-" + (i % 3), "Added", "{}"));
    }
    awaitRecords("again.item", 20);
    cluster().delete("connectors/" + name).expectSuccess("delete");
    Awaitility.await("the deleted connector's task let go of the slot")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                db.queryForLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                            + name.replace('-', '_')
                            + "'")
                    == 0);
    for (int i = 20; i < 40; i++) {
      written.add(OutboxTestSupport.insert(db, "outbox", "item", "i-" + (i % 3), "Added", "{}"));
    }
    cluster().createConnector(name, LOG_EXAMPLE, config);
    cluster().awaitRunning(name, 1);
    List<ConsumerRecord<byte[], byte[]>> all = awaitRecords("again.item", 40);
    OutboxTestSupport.insert(db, "outbox", "item", "marker", "Added", "{}");
    all = awaitRecords("again.item", 41);
    List<String> ids = all.stream().map(r -> header(r, "event.id")).collect(Collectors.toList());
    assertThat(ids).hasSize(41).doesNotHaveDuplicates();
    assertThat(ids).containsAll(written);
  }

  /** Rows deleted in the transaction that inserted them are published; updates are not. */
  @Test
  void insertThenDeleteInOneTransactionIsPublishedAndUpdatesAreNot() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    String name = "log-delete";
    cluster()
        .createConnector(
            name,
            LOG_EXAMPLE,
            logOverrides(
                db,
                name,
                "topic.template",
                "del.${aggregate_type}",
                "log.snapshot.mode",
                "no_data"));
    cluster().awaitRunning(name, 1);
    awaitSlotActive(db, name);
    List<String> ids = new ArrayList<>();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 3; i++) {
        ids.add(
            OutboxTestSupport.insert(
                c, "outbox", "cart", "cart-1", "ItemAdded", "{\"i\": " + i + "}", null));
      }
      try (Statement s = c.createStatement()) {
        s.execute("DELETE FROM outbox");
      }
      c.commit();
      assertThat(db.queryForLong("SELECT count(*) FROM outbox")).isZero();
      String updated =
          OutboxTestSupport.insert(c, "outbox", "cart", "cart-2", "Opened", "{}", null);
      c.commit();
      try (Statement s = c.createStatement()) {
        s.execute("UPDATE outbox SET payload = '{\"changed\": true}'");
      }
      c.commit();
      ids.add(updated);
    }
    assertThat(db.queryForLong("SELECT count(*) FROM outbox")).isEqualTo(1);
    List<ConsumerRecord<byte[], byte[]>> records = awaitRecords("del.cart", 4);
    // A marker row written after the update proves the update had its turn and published nothing.
    OutboxTestSupport.insert(db, "outbox", "cart", "cart-3", "Marker", "{}");
    records = awaitRecords("del.cart", 5);
    assertThat(records).hasSize(5);
    assertThat(records.stream().map(r -> header(r, "event.id")).limit(4))
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(cluster().status(name).path("tasks").path(0).path("state").asText())
        .isEqualTo("RUNNING");
  }

  private static void awaitSlotActive(TestDatabase db, String name) {
    Awaitility.await("slot " + name + " streaming")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                db.queryForLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = '"
                            + name.replace('-', '_')
                            + "'")
                    == 1);
  }

  /** Heartbeats move the slot's confirmed position while only other tables are written. */
  @Test
  void aQuietOutboxOnABusyDatabaseStillConfirmsTheWal() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    db.execute("CREATE TABLE busy (n int)");
    String name = "log-quiet";
    cluster()
        .createConnector(
            name,
            LOG_EXAMPLE,
            logOverrides(
                db,
                name,
                "log.snapshot.mode",
                "no_data",
                "log.heartbeat.topic",
                "quiet.heartbeats"));
    cluster().awaitRunning(name, 1);
    awaitSlotActive(db, name);
    String slot = name.replace('-', '_');
    String confirmed =
        "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
            + slot
            + "'";
    long before = db.queryForLong(confirmed);
    long target;
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      for (int i = 0; i < 50; i++) {
        s.execute("INSERT INTO busy SELECT g FROM generate_series(1, 1000) g");
      }
      target = db.queryForLong("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
    }
    Awaitility.await("the slot confirms WAL written after the other tables' inserts")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> db.queryForLong(confirmed) >= target);
    assertThat(db.queryForLong(confirmed)).isGreaterThan(before);
    List<ConsumerRecord<byte[], byte[]>> heartbeats = committed("quiet.heartbeats");
    assertThat(heartbeats).isNotEmpty();
    assertThat(text(heartbeats.get(0).key())).isEqualTo(name);
    assertThat(header(heartbeats.get(0), "eventkit.heartbeat")).isEqualTo("true");
    Awaitility.await("the replication lag measured over JMX")
        .atMost(Duration.ofSeconds(30))
        .until(() -> taskMetric(name, "ReplicationLagBytes") >= 0);
  }

  /**
   * Poll mode publishes part of the outbox and is stopped; more rows are committed; the same
   * connector is switched to log mode: every row is published exactly once.
   */
  @Test
  void switchingFromPollToLogModeLosesAndDuplicatesNothing() throws Exception {
    TestDatabase db = STACK.postgres().createDatabase();
    createOutbox(db);
    String name = "cutover";
    Set<String> written = new java.util.HashSet<>();
    for (int i = 0; i < 30; i++) {
      written.add(
          OutboxTestSupport.insert(
              db, "outbox", "shop", "s-" + (i % 4), "Sold", "{\"i\": " + i + "}"));
    }
    Map<String, String> poll = overrides(db, "topic.template", "cut.${aggregate_type}");
    cluster().createConnector(name, OutboxTestSupport.EXAMPLE, poll);
    cluster().awaitRunning(name, 1);
    awaitRecords("cut.shop", 30);
    cluster().put("connectors/" + name + "/stop", "").expectSuccess("stop");
    Awaitility.await("connector stopped")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                "STOPPED".equals(cluster().status(name).path("connector").path("state").asText()));
    for (int i = 30; i < 60; i++) {
      written.add(
          OutboxTestSupport.insert(
              db, "outbox", "shop", "s-" + (i % 4), "Sold", "{\"i\": " + i + "}"));
    }
    Map<String, String> log =
        new HashMap<>(logOverrides(db, name, "topic.template", "cut.${aggregate_type}"));
    cluster()
        .put(
            "connectors/" + name + "/config",
            ConnectCluster.withOverrides(Files.readString(LOG_EXAMPLE), log)
                .get("config")
                .toString())
        .expectSuccess("switch to log mode");
    cluster().put("connectors/" + name + "/resume", "").expectSuccess("resume");
    cluster().awaitRunning(name, 1);
    awaitSlotActive(db, name);
    for (int i = 60; i < 90; i++) {
      written.add(
          OutboxTestSupport.insert(
              db, "outbox", "shop", "s-" + (i % 4), "Sold", "{\"i\": " + i + "}"));
    }
    List<ConsumerRecord<byte[], byte[]>> all = awaitRecords("cut.shop", 90);
    assertEachExactlyOnce(all, written);
    Map<String, Integer> last = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : all) {
      int i = Integer.parseInt(text(r.value()).replaceAll("\\D", ""));
      Integer previous = last.put(text(r.key()), i);
      assertThat(previous == null || previous < i).as("order of %s", text(r.key())).isTrue();
    }
  }
}
