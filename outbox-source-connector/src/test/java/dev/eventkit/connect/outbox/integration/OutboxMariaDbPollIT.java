package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MariaDB/MySQL poll mode end to end: the example config over REST, real Connect workers with
 * exactly-once source support, embedded MariaDB. Every committed event once, no rolled-back one,
 * each aggregate in commit order; late commits, long-open transactions, restarts while a gap is
 * open, killed sessions and auto_increment_increment spacing, with and without the PROCESS
 * privilege.
 */
class OutboxMariaDbPollIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE =
      OutboxTestSupport.EXAMPLE.getParent().resolve("outbox-mariadb-poll.json");
  private static final AtomicInteger USERS = new AtomicInteger();
  private static final AtomicInteger TOPICS = new AtomicInteger();

  /** Each test's own topic: the example's template routes every account event to it. */
  private final String topic = "mariadb-" + TOPICS.incrementAndGet() + ".events";

  @RegisterExtension
  static final TestStack STACK =
      TestStack.mariadb(OutboxTestSupport.cluster().workers(2).exactlyOnceSource(true));

  /** A user holding SELECT on the outbox, and PROCESS when {@code process}. */
  private static String relayUser(TestDatabase db, boolean process) {
    String user = "relay_" + USERS.incrementAndGet();
    if (process) {
      db.createRole(user, "secret", "SELECT ON outbox", "PROCESS ON *.*");
    } else {
      db.createRole(user, "secret", "SELECT ON outbox");
    }
    return user;
  }

  private Map<String, String> overrides(TestDatabase db, String user, String... more) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("topic.template", topic);
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", user);
    overrides.put("connection.password", "secret");
    overrides.put("poll.interval.ms", "100");
    for (int i = 0; i < more.length; i += 2) {
      overrides.put(more[i], more[i + 1]);
    }
    return overrides;
  }

  private List<ConsumerRecord<byte[], byte[]>> consume(IsolationLevel isolation) {
    return STACK.cluster().topics().consumeAll(topic, isolation);
  }

  private List<ConsumerRecord<byte[], byte[]>> awaitEvents(
      IsolationLevel isolation, int count, Duration atMost) {
    Awaitility.await(count + " events on " + topic)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> consume(isolation).size() >= count);
    return consume(isolation);
  }

  private static List<String> eventIds(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> header(r, "event.id")).collect(Collectors.toList());
  }

  /** Each aggregate's versions, in the order its partition holds them, must rise one by one. */
  private static void assertPerAggregateOrder(List<ConsumerRecord<byte[], byte[]>> records)
      throws Exception {
    Map<String, List<Long>> versions = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      versions
          .computeIfAbsent(OutboxTestSupport.text(record.key()), k -> new ArrayList<>())
          .add(JSON.readTree(record.value()).get("version").asLong());
    }
    versions.forEach(
        (aggregate, seen) -> assertThat(seen).as("versions of %s", aggregate).isSorted());
  }

  private static Object metric(String connector, int task, String attribute) throws Exception {
    return ManagementFactory.getPlatformMBeanServer()
        .getAttribute(
            new ObjectName(
                "dev.eventkit.connect:type=outbox-source-task,connector=\""
                    + connector
                    + "\",task="
                    + task),
            attribute);
  }

  private static List<String> warnings(JsonNode validation) {
    for (JsonNode config : validation.get("configs")) {
      if ("validation.warnings".equals(config.path("value").path("name").asText())) {
        String value = config.get("value").get("value").asText();
        return value.isEmpty() ? List.of() : List.of(value.split("\n"));
      }
    }
    throw new AssertionError("No validation.warnings in " + validation);
  }

  /** A transaction left open after inserting one event. */
  private record OpenTransaction(long thread, String eventId) {}

  private static OpenTransaction openTransactionWith(Connection c, String aggregate)
      throws SQLException {
    c.setAutoCommit(false);
    String eventId = MariaDbOutboxWriters.insert(c, "account", aggregate, "{\"version\": 1}");
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return new OpenTransaction(rs.getLong(1), eventId);
    }
  }

  private static String commitOne(TestDatabase db, String aggregate) throws SQLException {
    try (Connection c = db.connect()) {
      return MariaDbOutboxWriters.insert(c, "account", aggregate, "{\"version\": 1}");
    }
  }

  private void deleteConnector(String name) {
    STACK.cluster().delete("connectors/" + name).expectSuccess("delete " + name);
  }

  /**
   * The headline guarantee with PROCESS: 8 writers with think time inside their transactions, ~10%
   * rollbacks and some transactions that stay open for seconds, two tasks (buckets), a task restart
   * mid-stream, exactly-once: a read_committed consumer sees every committed event once, no
   * rolled-back one, each aggregate in commit order.
   */
  @Test
  void everyCommittedEventOnceInPerAggregateOrderWithProcess() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    MariaDbOutboxWriters writers = new MariaDbOutboxWriters(db, 30);
    String user = relayUser(db, true);
    Map<String, String> config =
        overrides(
            db,
            user,
            "tasks.max",
            "2",
            "poll.max.rows",
            "50",
            "exactly.once.support",
            "required",
            "transaction.boundary",
            "connector");
    JsonNode validation = STACK.cluster().validateConnector(EXAMPLE, config);
    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(warnings(validation)).isEmpty();
    STACK.cluster().createConnector("exact", EXAMPLE, config);
    STACK.cluster().awaitRunning("exact", 2);

    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writers.run(8, 3_000, 20, 50, 3_000);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await("events flowing before the task restart")
        .atMost(Duration.ofSeconds(90))
        .until(() -> consume(IsolationLevel.READ_COMMITTED).size() >= 300);
    assertThat(writing).as("the writers still writing when the task restarts").isNotDone();
    STACK.cluster().post("connectors/exact/tasks/1/restart", "").expectSuccess("restart task");
    writing.get(4, TimeUnit.MINUTES);

    List<ConsumerRecord<byte[], byte[]>> all =
        awaitEvents(IsolationLevel.READ_COMMITTED, writers.committed.size(), Duration.ofMinutes(2));
    assertThat(writers.rolledBack).isNotEmpty();
    assertThat(eventIds(all)).doesNotHaveDuplicates();
    assertThat(Set.copyOf(eventIds(all))).isEqualTo(writers.committed);
    assertPerAggregateOrder(all);
    assertThat((Long) metric("exact", 0, "GapsExpired")).isZero();
    deleteConnector("exact");
  }

  /**
   * Without PROCESS the connector cannot list running transactions: validate says so on
   * poll.gap.timeout.ms with the GRANT (and that 10 s is not above innodb_lock_wait_timeout). The
   * same concurrent load, with some transactions open longer than the timeout, is still published
   * completely, once and in order: rows in flight hold their gaps, rolled-back ids are passed.
   */
  @Test
  void withoutProcessConcurrentWritersWithLongTransactionsLoseNothing() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    MariaDbOutboxWriters writers = new MariaDbOutboxWriters(db, 30);
    String user = relayUser(db, false);
    Map<String, String> config =
        overrides(db, user, "poll.gap.timeout.ms", "10000", "poll.max.rows", "20");
    JsonNode validation = STACK.cluster().validateConnector(EXAMPLE, config);
    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(warnings(validation))
        .hasSize(2)
        .anyMatch(
            w ->
                w.startsWith("poll.gap.timeout.ms: ")
                    && w.contains("GRANT PROCESS ON *.* TO '" + user + "'@"))
        .anyMatch(
            w -> w.startsWith("poll.gap.timeout.ms: ") && w.contains("innodb_lock_wait_timeout"));
    STACK.cluster().createConnector("fallback", EXAMPLE, config);
    STACK.cluster().awaitRunning("fallback", 1);

    writers.run(8, 1_500, 20, 100, 15_000);

    List<ConsumerRecord<byte[], byte[]>> all =
        awaitEvents(
            IsolationLevel.READ_UNCOMMITTED, writers.committed.size(), Duration.ofMinutes(2));
    assertThat(writers.rolledBack).isNotEmpty();
    assertThat(eventIds(all)).doesNotHaveDuplicates();
    assertThat(Set.copyOf(eventIds(all))).isEqualTo(writers.committed);
    assertPerAggregateOrder(all);
    assertThat((Long) metric("fallback", 0, "GapsExpired")).isPositive();
    deleteConnector("fallback");
  }

  /**
   * With PROCESS, a transaction left open holds the rows after its id back for as long as it runs
   * (the stall names its thread; the committed offset stores the gap and what it waits for, and the
   * restarted task resumes from it), and its row is published, in id order, when it finally
   * commits.
   */
  @Test
  void withProcessALongOpenTransactionIsPublishedWhenItCommitsEvenAcrossARestart()
      throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    String user = relayUser(db, true);
    String before = commitOne(db, "before");

    try (Connection late = db.connect()) {
      OpenTransaction open = openTransactionWith(late, "late");
      long thread = open.thread();
      String after = commitOne(db, "after");
      // The first poll publishes "before" and stores the gap behind it in the same offset.
      STACK.cluster().createConnector("long-open", EXAMPLE, overrides(db, user));
      STACK.cluster().awaitRunning("long-open", 1);
      awaitEvents(IsolationLevel.READ_UNCOMMITTED, 1, Duration.ofSeconds(60));
      Awaitility.await("the gap waiting for the open transaction's thread")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> ((Integer) metric("long-open", 0, "HorizonStallPid")) == thread);
      assertThat((Integer) metric("long-open", 0, "OpenGaps")).isEqualTo(1);
      assertThat(eventIds(consume(IsolationLevel.READ_UNCOMMITTED))).containsExactly(before);
      JsonNode stored =
          Awaitility.await("the committed offset naming the gap and its transaction")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> STACK.cluster().get("connectors/long-open/offsets").json().path("offsets"),
                  offsets -> offsets.toString().contains("\"gap.waits\""));
      assertThat(stored.get(0).path("offset").path("gap").asText()).isEqualTo("2");

      STACK
          .cluster()
          .post("connectors/long-open/tasks/0/restart", "")
          .expectSuccess("restart task");
      STACK.cluster().awaitRunning("long-open", 1);
      Awaitility.await("the restarted task waiting for the same transaction")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> ((Integer) metric("long-open", 0, "HorizonStallPid")) == thread);
      assertThat(eventIds(consume(IsolationLevel.READ_UNCOMMITTED))).containsExactly(before);

      late.commit();
      List<ConsumerRecord<byte[], byte[]>> all =
          awaitEvents(IsolationLevel.READ_UNCOMMITTED, 3, Duration.ofSeconds(60));
      assertThat(eventIds(all)).containsExactlyInAnyOrder(before, open.eventId(), after);
    }
    assertThat((Integer) metric("long-open", 0, "OpenGaps")).isZero();
    deleteConnector("long-open");
  }

  /**
   * Without PROCESS the connector cannot list transactions, but a READ UNCOMMITTED read still sees
   * an inserted row: a transaction open far longer than poll.gap.timeout.ms holds the rows after it
   * until it commits, and its row is published. A rolled-back insert leaves an empty gap, passed
   * once it has been empty for the timeout, loudly (GapsExpired).
   */
  @Test
  void withoutProcessARowInFlightWaitsForItsTransactionAndARolledBackOneExpires() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    String user = relayUser(db, false);
    STACK
        .cluster()
        .createConnector("in-flight", EXAMPLE, overrides(db, user, "poll.gap.timeout.ms", "1000"));
    STACK.cluster().awaitRunning("in-flight", 1);

    String after;
    OpenTransaction open;
    try (Connection late = db.connect()) {
      open = openTransactionWith(late, "late");
      after = commitOne(db, "after");
      Awaitility.await("the gap held")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> ((Integer) metric("in-flight", 0, "OpenGaps")) == 1);
      Awaitility.await("nothing published for four gap timeouts while the row is in flight")
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  (Long) metric("in-flight", 0, "EventsPublished") == 0
                      && (Integer) metric("in-flight", 0, "OpenGaps") == 1);
      late.commit();
    }
    awaitEvents(IsolationLevel.READ_UNCOMMITTED, 2, Duration.ofSeconds(60));
    assertThat(eventIds(consume(IsolationLevel.READ_UNCOMMITTED)))
        .containsExactlyInAnyOrder(open.eventId(), after);
    assertThat((Long) metric("in-flight", 0, "GapsExpired")).isZero();

    try (Connection rolledBack = db.connect()) {
      openTransactionWith(rolledBack, "rolled-back");
      rolledBack.rollback();
    }
    String next = commitOne(db, "next");
    Awaitility.await("the row after the rolled-back id")
        .atMost(Duration.ofSeconds(60))
        .until(() -> eventIds(consume(IsolationLevel.READ_UNCOMMITTED)).contains(next));
    assertThat((Long) metric("in-flight", 0, "GapsExpired")).isEqualTo(1);
    assertThat(eventIds(consume(IsolationLevel.READ_UNCOMMITTED)))
        .containsExactlyInAnyOrder(open.eventId(), after, next);
    deleteConnector("in-flight");
  }

  /** Killing the connector's sessions again and again while writers run loses nothing. */
  @Test
  void killedSessionsMidStreamLoseNothing() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    MariaDbOutboxWriters writers = new MariaDbOutboxWriters(db, 20);
    String user = relayUser(db, true);
    STACK
        .cluster()
        .createConnector(
            "killed",
            EXAMPLE,
            overrides(db, user, "poll.max.rows", "20", "retry.backoff.ms", "100"));
    STACK.cluster().awaitRunning("killed", 1);

    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writers.run(4, 1_500, 10, 0, 0);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    AtomicInteger kills = new AtomicInteger();
    // An outage every 300 ms until the writers are done and at least three sessions were killed.
    Awaitility.await("writers done under repeated outages")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              kills.addAndGet(killSessionsOf(db, user));
              return writing.isDone() && kills.get() >= 3;
            });
    writing.get();

    List<ConsumerRecord<byte[], byte[]>> all =
        awaitEvents(
            IsolationLevel.READ_UNCOMMITTED, writers.committed.size(), Duration.ofMinutes(2));
    assertThat(kills.get()).isGreaterThanOrEqualTo(3);
    assertThat((Long) metric("killed", 0, "Retries")).isPositive();
    assertThat(eventIds(all)).doesNotHaveDuplicates();
    assertThat(Set.copyOf(eventIds(all))).isEqualTo(writers.committed);
    assertPerAggregateOrder(all);
    STACK.cluster().awaitRunning("killed", 1);
    deleteConnector("killed");
  }

  /**
   * With auto_increment_increment=2 (a Galera or multi-primary setup) ids are 1, 3, 5...: none of
   * the skipped ones is a gap. Without PROCESS and with a ten-minute gap timeout, a single false
   * gap would hold everything back for ten minutes; all events arrive at once instead.
   */
  @Test
  void autoIncrementIncrementTwoMakesNoFalseGaps() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    String user = relayUser(db, false);
    db.execute("SET GLOBAL auto_increment_increment = 2, GLOBAL auto_increment_offset = 1");
    try {
      List<String> written = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        written.add(commitOne(db, "spaced-" + (i % 5)));
      }
      assertThat(db.queryForLong("SELECT max(seq) FROM outbox")).isEqualTo(99);
      STACK
          .cluster()
          .createConnector("spaced", EXAMPLE, overrides(db, user, "poll.gap.timeout.ms", "600000"));
      STACK.cluster().awaitRunning("spaced", 1);
      List<ConsumerRecord<byte[], byte[]>> all =
          awaitEvents(IsolationLevel.READ_UNCOMMITTED, 50, Duration.ofSeconds(60));
      assertThat(eventIds(all)).containsExactlyInAnyOrderElementsOf(written);
      assertThat((Integer) metric("spaced", 0, "OpenGaps")).isZero();
      assertThat((Long) metric("spaced", 0, "GapsExpired")).isZero();
      deleteConnector("spaced");
    } finally {
      db.execute("SET GLOBAL auto_increment_increment = 1, GLOBAL auto_increment_offset = 1");
    }
  }

  /**
   * The README's MariaDB DDL, run as written, with the privileges the README grants, satisfies the
   * MariaDB example as written: no validation error, no warning.
   */
  @Test
  void theReadmeTableAndGrantsServeTheExampleAsWritten() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    for (String statement : OutboxTestSupport.readmeSql("### The outbox table (MariaDB")) {
      db.execute(statement);
    }
    String user = relayUser(db, true);

    JsonNode validation = STACK.cluster().validateConnector(EXAMPLE, overrides(db, user));

    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(warnings(validation)).isEmpty();
  }

  /**
   * The record contract on MariaDB, as the example config produces it: key, value bytes, the event
   * time as the instant the TIMESTAMP stores (written here from a +05:00 session), the header
   * column, and a poison row (a blank aggregate id) routed to outbox.invalid with its reason and
   * its id as position, never dropped.
   */
  @Test
  void recordsFollowTheContractAndPoisonRowsAreRoutedNotDropped() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    MariaDbOutboxWriters.createOutbox(db);
    String user = relayUser(db, true);
    db.execute(
        "SET time_zone = '+05:00'",
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, timestamp,"
            + " correlation_id) VALUES ('11111111-1111-1111-1111-111111111111', 'account', 'a-1',"
            + " 'Opened', '{\"owner\": \"Zoë\"}', '2026-01-02 03:04:05.123456', 'corr-7')",
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES"
            + " ('22222222-2222-2222-2222-222222222222', 'account', '  ', 'Opened', '{}')");
    String invalidTopic = topic + ".invalid";
    STACK
        .cluster()
        .createConnector(
            "contract", EXAMPLE, overrides(db, user, "errors.invalid.topic", invalidTopic));
    STACK.cluster().awaitRunning("contract", 1);

    ConsumerRecord<byte[], byte[]> event =
        awaitEvents(IsolationLevel.READ_UNCOMMITTED, 1, Duration.ofSeconds(60)).get(0);
    assertThat(OutboxTestSupport.text(event.key())).isEqualTo("a-1");
    assertThat(OutboxTestSupport.text(event.value())).isEqualTo("{\"owner\": \"Zoë\"}");
    assertThat(header(event, "event.id")).isEqualTo("11111111-1111-1111-1111-111111111111");
    assertThat(header(event, "event.type")).isEqualTo("Opened");
    assertThat(header(event, "event.aggregate.type")).isEqualTo("account");
    assertThat(java.time.Instant.parse(header(event, "event.time")))
        .isEqualTo(java.time.Instant.parse("2026-01-01T22:04:05.123456Z"));
    assertThat(event.timestamp())
        .isEqualTo(java.time.Instant.parse("2026-01-01T22:04:05.123Z").toEpochMilli());
    assertThat(header(event, "correlation.id")).isEqualTo("corr-7");

    Awaitility.await("the poison row on " + invalidTopic)
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !STACK
                    .cluster()
                    .topics()
                    .consumeAll(invalidTopic, IsolationLevel.READ_UNCOMMITTED)
                    .isEmpty());
    ConsumerRecord<byte[], byte[]> poison =
        STACK.cluster().topics().consumeAll(invalidTopic, IsolationLevel.READ_UNCOMMITTED).get(0);
    assertThat(header(poison, "eventkit.error.reason")).isEqualTo("blank-aggregate-id");
    assertThat(header(poison, "eventkit.error.position")).isEqualTo("2");
    assertThat(header(poison, "event.id")).isEqualTo("22222222-2222-2222-2222-222222222222");
    deleteConnector("contract");
  }

  /** Validation names each problem of a MariaDB table on the option at fault, with the fix. */
  @Test
  void validationNamesEachProblemOnTheOptionAtFault() throws Exception {
    TestDatabase db = STACK.mariadb().createDatabase();
    db.execute(
        "CREATE TABLE outbox (seq BIGINT NOT NULL PRIMARY KEY, id CHAR(36) NOT NULL,"
            + " aggregatetype VARCHAR(255) NOT NULL, aggregateid VARCHAR(255),"
            + " type VARCHAR(255) NOT NULL, payload LONGTEXT, timestamp VARCHAR(40))"
            + " ENGINE=MyISAM");
    String user = relayUser(db, false);
    JsonNode validation =
        STACK
            .cluster()
            .validateConnector(
                EXAMPLE,
                overrides(db, user, "poll.notify.channel", "outbox", "cleanup.policy", "delete"));

    List<String> errors = ConnectCluster.validationErrors(validation);
    assertThat(errors)
        .anyMatch(e -> e.startsWith("table.name: ") && e.contains("ENGINE=InnoDB"))
        .anyMatch(e -> e.startsWith("column.position: ") && e.contains("AUTO_INCREMENT"))
        .anyMatch(e -> e.startsWith("column.timestamp: ") && e.contains("varchar"))
        .anyMatch(e -> e.startsWith("header.columns: ") && e.contains("correlation_id"))
        .anyMatch(e -> e.startsWith("poll.notify.channel: "))
        .anyMatch(e -> e.startsWith("cleanup.policy: ") && e.contains("GRANT DELETE ON"));
    assertThat(errors).noneMatch(e -> e.startsWith("column.txid"));
    assertThat(warnings(validation))
        .anyMatch(w -> w.startsWith("column.aggregate.id: ") && w.contains("nullable"))
        .anyMatch(w -> w.startsWith("poll.gap.timeout.ms: ") && w.contains("GRANT PROCESS"));
  }

  /** Kills every session of {@code user}, as a failover or a DBA would. */
  private static int killSessionsOf(TestDatabase db, String user) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      try (ResultSet rs =
          st.executeQuery(
              "SELECT id FROM information_schema.processlist WHERE user = '" + user + "'")) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      int killed = 0;
      for (long id : ids) {
        try {
          st.execute("KILL CONNECTION " + id);
          killed++;
        } catch (SQLException alreadyGone) {
          // ended between the listing and the kill
        }
      }
      return killed;
    }
  }
}
