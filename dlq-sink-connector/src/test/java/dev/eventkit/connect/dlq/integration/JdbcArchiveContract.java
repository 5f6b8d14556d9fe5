package dev.eventkit.connect.dlq.integration;

import static dev.eventkit.connect.dlq.integration.DlqTestSupport.JDBC_EXAMPLE;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.jdbc;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.produceConnectDeadLetter;
import static dev.eventkit.connect.dlq.integration.DlqTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.dlq.archive.ArchiveDialect;
import dev.eventkit.connect.dlq.header.HeadersJson;
import dev.eventkit.connect.dlq.header.RawHeader;
import dev.eventkit.connect.dlq.replay.ReplayCommand;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the database archive and the replay command guarantee on every supported database, run by
 * one IT per database against real Connect workers and a real server.
 */
abstract class JdbcArchiveContract {

  static final Duration TIMEOUT =
      Duration.ofSeconds(Long.getLong("eventkit.it.timeout.seconds", 90));

  TestDatabase db;

  abstract TestStack stack();

  abstract TestDatabase newDatabase();

  /** SQL (run by the admin on a connection held open) that blocks writes to {@code table}. */
  abstract List<String> lockTable(String quotedTable);

  /** The archive URL with a short lock wait, so a held lock fails a write quickly. */
  abstract String urlWithShortLockWait();

  abstract String quote(String identifier);

  /** Grants for the role the connector creates the table as: exactly what the README lists. */
  abstract String creatorGrants();

  /** Grants for the connector once the table exists: exactly what the README lists. */
  abstract String archiverGrants();

  /** Grants that let a role use the database but not create the archive table. */
  abstract String noCreateGrants();

  static final String REPLAY_GRANTS = "SELECT, UPDATE ON dead_letter_archive";

  @BeforeEach
  void freshDatabase() {
    db = newDatabase();
  }

  @AfterEach
  void deleteConnectors() {
    stack()
        .cluster()
        .get("connectors")
        .json()
        .forEach(name -> stack().cluster().delete("connectors/" + name.asText()));
  }

  long rows(String where) {
    return db.queryForLong("SELECT count(*) FROM dead_letter_archive WHERE " + where);
  }

  boolean tableExists(String table) {
    try {
      db.queryForLong("SELECT count(*) FROM " + quote(table));
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  void awaitRows(String where, long count) {
    Awaitility.await(count + " rows where " + where)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> tableExists("dead_letter_archive") && rows(where) == count);
  }

  String role(String purpose) {
    return db.name() + "_" + purpose;
  }

  void produce(String dlqTopic, String origin, int from, int to) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        stack().cluster().kafka().createProducer(Map.of())) {
      for (int i = from; i < to; i++) {
        produceConnectDeadLetter(producer, dlqTopic, origin, i, origin + "-" + i);
      }
    }
  }

  record Run(int code, String out, String err) {
    long count(String what) {
      // The summary is the last line that counts.
      Matcher m = Pattern.compile("(\\d+) " + what).matcher(out);
      long last = -1;
      while (m.find()) {
        last = Long.parseLong(m.group(1));
      }
      return last;
    }
  }

  Run replay(String user, String password, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--jdbc-url", db.jdbcUrl(), "--user", user, "--password-env", "ARCHIVE_PASSWORD"));
    all.addAll(Arrays.asList(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ReplayCommand.run(
            all.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of("ARCHIVE_PASSWORD", password));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Run replayAsAdmin(String... args) {
    return replay(db.user(), db.password(), args);
  }

  // ---- Privileges -------------------------------------------------------------------------------

  @Test
  void theArchiveAndTheReplayRunAsRolesWithExactlyTheReadmeGrants() throws Exception {
    stack().cluster().topics().create("owner.dlq", 1);
    stack().cluster().topics().create("grants.dlq", 1);
    stack().cluster().topics().create("grants", 1);
    db.createRole(role("creator"), "creator-pw", creatorGrants());
    produce("owner.dlq", "owner", 0, 2);
    stack()
        .cluster()
        .createConnector(
            "creator-archive",
            JDBC_EXAMPLE,
            Map.of(
                "connection.url",
                db.jdbcUrl(),
                "connection.user",
                role("creator"),
                "connection.password",
                "creator-pw",
                "topics.regex",
                "owner\\.dlq"));
    awaitRows("origin_topic = 'owner'", 2);
    stack().cluster().delete("connectors/creator-archive").expectSuccess("delete");

    db.createRole(role("archiver"), "archiver-pw", archiverGrants());
    produce("grants.dlq", "grants", 0, 3);
    stack()
        .cluster()
        .createConnector(
            "least-archive",
            JDBC_EXAMPLE,
            Map.of(
                "connection.url",
                db.jdbcUrl(),
                "connection.user",
                role("archiver"),
                "connection.password",
                "archiver-pw",
                "topics.regex",
                "grants\\.dlq"));
    awaitRows("origin_topic = 'grants'", 3);
    stack().cluster().awaitRunning("least-archive", 1);

    db.createRole(role("replayer"), "replayer-pw", REPLAY_GRANTS);
    Run run =
        replay(
            role("replayer"),
            "replayer-pw",
            "--bootstrap-servers",
            stack().cluster().bootstrapServers(),
            "--origin-topic",
            "grants");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.count("replayed")).isEqualTo(3);
    assertThat(stack().cluster().topics().consume("grants", 3, TIMEOUT)).hasSize(3);
    assertThat(rows("origin_topic = 'grants' AND replay_count = 1")).isEqualTo(3);
  }

  /**
   * validate refuses a role that may not create the missing table, naming the GRANT; a role that
   * loses the right after validation fails the task at its first letter, naming the table and the
   * privilege.
   */
  @Test
  void aRoleThatMayNotCreateTheTableIsRefusedAndATaskThatLosesTheRightFailsNamingIt()
      throws Exception {
    stack().cluster().topics().create("denied.dlq", 1);
    db.createRole(role("nocreate"), "nocreate-pw", noCreateGrants());
    assertThat(
            ConnectCluster.validationErrors(
                stack()
                    .cluster()
                    .validateConnector(
                        JDBC_EXAMPLE,
                        jdbc(
                            db,
                            "connection.user",
                            role("nocreate"),
                            "connection.password",
                            "nocreate-pw",
                            "topics.regex",
                            "denied\\.dlq"))))
        .singleElement()
        .asString()
        .startsWith("connection.user: ")
        .contains("may not create it: GRANT CREATE");

    db.createRole(role("revoked"), "revoked-pw", creatorGrants());
    stack()
        .cluster()
        .createConnector(
            "denied-archive",
            JDBC_EXAMPLE,
            jdbc(
                db,
                "connection.user",
                role("revoked"),
                "connection.password",
                "revoked-pw",
                "topics.regex",
                "denied\\.dlq"));
    stack().cluster().awaitRunning("denied-archive", 1);
    for (String revoke : revokeCreate(role("revoked"))) {
      db.execute(revoke);
    }
    produce("denied.dlq", "denied", 0, 1);

    assertThat(failedTrace("denied-archive"))
        .contains("dead_letter_archive")
        .contains("CREATE")
        .contains("archive.table.create=false");
  }

  /** Statements that take back from {@code role} the right {@link #creatorGrants} gave it. */
  abstract List<String> revokeCreate(String role);

  /**
   * validate answers before any letter arrives: a role with exactly the README's grants passes,
   * each missing privilege is named on its option with the GRANT that fixes it, and running that
   * GRANT (as the administrator would) makes validate pass.
   */
  @Test
  void validateNamesEachMissingPrivilegeWithTheGrantThatFixesIt() {
    db.createRole(role("vcreator"), "pw", creatorGrants());
    assertThat(validateAs("vcreator", Map.of()))
        .as("the README's grants to create the table")
        .isEmpty();

    db.createRole(role("vnocreate"), "pw", noCreateGrants());
    List<String> cannotCreate = validateAs("vnocreate", Map.of());
    assertThat(cannotCreate)
        .singleElement()
        .asString()
        .startsWith("connection.user: Archive table ")
        .contains("does not exist and")
        .contains("may not create it: GRANT CREATE");
    assertThat(validateAs("vnocreate", Map.of("archive.table.create", "false")))
        .singleElement()
        .asString()
        .startsWith("archive.table.create: Archive table ")
        .contains("does not exist and archive.table.create=false");
    db.execute(grantIn(cannotCreate.get(0)));
    assertThat(validateAs("vnocreate", Map.of())).as("after the suggested GRANT").isEmpty();

    for (String ddl : ArchiveDialect.of(db.jdbcUrl()).createTable("dead_letter_archive")) {
      db.execute(ddl);
    }
    db.createRole(role("varchiver"), "pw", archiverGrants());
    assertThat(validateAs("varchiver", Map.of())).as("the README's grants, table there").isEmpty();

    db.createRole(role("vreader"), "pw", "SELECT ON dead_letter_archive");
    List<String> readOnly = validateAs("vreader", Map.of());
    assertThat(readOnly)
        .singleElement()
        .asString()
        .startsWith("connection.user: ")
        .contains("lacks " + insertPrivileges() + " on archive table ")
        .contains("GRANT " + insertPrivileges() + " ON ");
    db.execute(grantIn(readOnly.get(0)));
    assertThat(validateAs("vreader", Map.of())).as("after the suggested GRANT").isEmpty();

    // A grant elsewhere in the database only (MariaDB refuses a login to a database with none).
    db.execute("CREATE TABLE elsewhere (n int)");
    db.createRole(role("vnobody"), "pw", "SELECT ON elsewhere");
    List<String> nothing = validateAs("vnobody", Map.of("archive.table.create", "false"));
    assertThat(nothing).singleElement().asString().startsWith("connection.user: ");
    db.execute(grantIn(nothing.get(0)));
    assertThat(validateAs("vnobody", Map.of("archive.table.create", "false")))
        .as("after the suggested GRANT")
        .isEmpty();
  }

  /** What a role that may only read lacks to archive: INSERT (and UPDATE on MariaDB/MySQL). */
  abstract String insertPrivileges();

  List<String> validateAs(String purpose, Map<String, String> extra) {
    Map<String, String> overrides =
        jdbc(db, "connection.user", role(purpose), "connection.password", "pw");
    overrides.putAll(extra);
    return ConnectCluster.validationErrors(
        stack().cluster().validateConnector(JDBC_EXAMPLE, overrides));
  }

  /** The GRANT statement a validation message suggests. */
  static String grantIn(String message) {
    Matcher m = Pattern.compile("GRANT [^;]+").matcher(message);
    assertThat(m.find()).as("a GRANT in: " + message).isTrue();
    return m.group();
  }

  // ---- Tables created beforehand --------------------------------------------------------------

  /** The archive's own DDL for {@code dead_letter_archive}, changed by {@code edit}. */
  String existingTable(java.util.function.UnaryOperator<String> edit) {
    String ddl = ArchiveDialect.of(db.jdbcUrl()).createTable("dead_letter_archive").get(0);
    String edited = edit.apply(ddl);
    assertThat(edited).as("the edit applies").isNotEqualTo(ddl);
    db.execute(edited);
    return edited;
  }

  String failedTrace(String connector) {
    return stack().cluster().awaitTaskFailed(connector).get("tasks").get(0).get("trace").asText();
  }

  /**
   * A table without the unique key that keeps redelivered letters out: validate names the fix on
   * archive.table; a table that turns up that way after validation fails the task, naming it.
   */
  @Test
  void anExistingTableWithoutTheUniqueKeyIsRefusedNamingTheFix() throws Exception {
    java.util.function.UnaryOperator<String> withoutKey =
        ddl ->
            ddl.replaceAll(
                ",\\s*(CONSTRAINT \\S+ )?UNIQUE (KEY \\S+ )?"
                    + "\\(dlq_topic, dlq_partition, dlq_offset\\)",
                "");
    existingTable(withoutKey);
    stack().cluster().topics().create("nokey.dlq", 1);
    Map<String, String> config = jdbc(db, "topics.regex", "nokey\\.dlq");
    assertThat(
            ConnectCluster.validationErrors(
                stack().cluster().validateConnector(JDBC_EXAMPLE, config)))
        .singleElement()
        .asString()
        .startsWith("archive.table: ")
        .contains("ALTER TABLE")
        .contains("UNIQUE")
        .contains("(dlq_topic, dlq_partition, dlq_offset)");

    db.execute("DROP TABLE dead_letter_archive");
    stack().cluster().createConnector("nokey-archive", JDBC_EXAMPLE, config);
    stack().cluster().awaitRunning("nokey-archive", 1);
    existingTable(withoutKey);
    produce("nokey.dlq", "nokey", 0, 1);

    assertThat(failedTrace("nokey-archive"))
        .contains("dead_letter_archive")
        .contains("ALTER TABLE")
        .contains("UNIQUE")
        .contains("(dlq_topic, dlq_partition, dlq_offset)");
    assertThat(rows("1 = 1")).isZero();
  }

  // ---- What the archive must take
  // ----------------------------------------------------------------

  @Test
  void topicsThatDifferOnlyInCaseAreArchivedApart() throws Exception {
    stack().cluster().topics().create("Case.dlq", 1);
    stack().cluster().topics().create("case.dlq", 1);
    produce("Case.dlq", "Upper", 0, 1);
    produce("case.dlq", "lower", 0, 1);
    stack()
        .cluster()
        .createConnector("case-archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "[Cc]ase\\.dlq"));

    awaitRows("dlq_offset = 0", 2);
    assertThat(rows("dlq_topic = 'Case.dlq' AND origin_topic = 'Upper'")).isEqualTo(1);
    assertThat(rows("dlq_topic = 'case.dlq' AND origin_topic = 'lower'")).isEqualTo(1);
    Run replay = replayAsAdmin("--dry-run", "--origin-topic", "lower");
    assertThat(replay.count("selected")).isEqualTo(1);
  }

  @Test
  void nulBytesMegabyteMessagesAndHugeIdsAreArchivedAndTheRawRecordStaysExact() throws Exception {
    stack().cluster().topics().create("odd.dlq", 1);
    String hugeId = "e".repeat(10 * 1024);
    String megabyte = "m".repeat(1024 * 1024);
    byte[] keyWithNul = {'k', 0, 'k'};
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>("odd.dlq", keyWithNul, new byte[] {0, 0, (byte) 0xff});
    record.headers().add("event.id", utf8(hugeId));
    record.headers().add("correlation.id", utf8("c\u0000-1"));
    record.headers().add("event.type", utf8("Type\u0000With\u0000Nuls"));
    record.headers().add("key\u0000with-nul", utf8("v"));
    record.headers().add("__connect.errors.topic", utf8("odd"));
    record.headers().add("__connect.errors.connector.name", utf8("n".repeat(5000)));
    record.headers().add("__connect.errors.exception.class.name", utf8("x.Y\u0000"));
    record.headers().add("__connect.errors.exception.message", utf8(megabyte + "\u0000end"));
    record.headers().add("__connect.errors.exception.stacktrace", utf8("at \u0000 line"));
    try (KafkaProducer<byte[], byte[]> producer =
        stack()
            .cluster()
            .kafka()
            .createProducer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "8388608"))) {
      producer.send(record).get();
    }
    stack()
        .cluster()
        .createConnector(
            "odd-archive",
            JDBC_EXAMPLE,
            jdbc(
                db,
                "topics.regex",
                "odd\\.dlq",
                "consumer.override.max.partition.fetch.bytes",
                "8388608"));

    awaitRows("origin_topic = 'odd'", 1);
    Map<String, Object> row =
        db.query("SELECT * FROM dead_letter_archive WHERE origin_topic = 'odd'").get(0);
    assertThat((String) row.get("event_id")).hasSizeLessThanOrEqualTo(255).endsWith("[truncated]");
    assertThat((String) row.get("connector_name"))
        .hasSizeLessThanOrEqualTo(255)
        .endsWith("[truncated]");
    assertThat(row)
        .containsEntry("correlation_id", "c-1")
        .containsEntry("event_type", "TypeWithNuls")
        .containsEntry("exception_class", "x.Y")
        .containsEntry("exception_stacktrace", "at  line");
    assertThat((String) row.get("exception_message")).isEqualTo(megabyte + "end");
    assertThat((byte[]) row.get("record_key")).isEqualTo(keyWithNul);
    assertThat((byte[]) row.get("record_value")).isEqualTo(new byte[] {0, 0, (byte) 0xff});
    List<RawHeader> headers = HeadersJson.read(row.get("record_headers").toString());
    assertThat(headers).hasSize(9);
    assertThat(headers.get(0).value()).isEqualTo(utf8(hugeId));
    assertThat(headers.get(1).value()).isEqualTo(utf8("c\u0000-1"));
    assertThat(headers.get(3).key()).isEqualTo("key\u0000with-nul");
    assertThat(headers.get(7).value()).isEqualTo(utf8(megabyte + "\u0000end"));
    assertThat(rejected("odd-archive")).isZero();
  }

  // ---- Failures
  // ----------------------------------------------------------------------------------

  @Test
  void lockConflictsAreRetriedWhileTheDatabaseAnswersNeverRejected() throws Exception {
    stack().cluster().topics().create("busy.dlq", 1);
    produce("busy.dlq", "busy", 0, 1);
    stack()
        .cluster()
        .createConnector(
            "busy-archive",
            JDBC_EXAMPLE,
            Map.of(
                "connection.url",
                urlWithShortLockWait(),
                "connection.user",
                db.user(),
                "connection.password",
                db.password(),
                "topics.regex",
                "busy\\.dlq",
                "retry.backoff.ms",
                "100",
                "retry.backoff.max.ms",
                "500"));
    awaitRows("origin_topic = 'busy'", 1);

    try (Connection locker = db.connect();
        Statement st = locker.createStatement()) {
      locker.setAutoCommit(false);
      for (String sql : lockTable(quote("dead_letter_archive"))) {
        st.execute(sql);
      }
      produce("busy.dlq", "busy", 1, 6);
      Awaitility.await("the archive retrying, or its task failed")
          .atMost(TIMEOUT)
          .until(() -> taskFailed("busy-archive") || retries("busy-archive") >= 2);
      assertThat(taskFailed("busy-archive")).as("task failed").isFalse();
      locker.rollback();
      for (String sql : unlockTable()) {
        st.execute(sql);
      }
    }
    awaitRows("origin_topic = 'busy'", 6);
    assertThat(rejected("busy-archive")).isZero();
    stack().cluster().awaitRunning("busy-archive", 1);
  }

  List<String> unlockTable() {
    return List.of();
  }

  boolean taskFailed(String connector) {
    return stack()
        .cluster()
        .status(connector)
        .path("tasks")
        .findValuesAsText("state")
        .contains("FAILED");
  }

  long metric(String connector, String attribute) {
    try {
      ObjectName name =
          new ObjectName(
              "dev.eventkit.connect:type=dlq-sink-task,connector=\"" + connector + "\",task=0");
      return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(name, attribute);
    } catch (Exception notThere) {
      return 0;
    }
  }

  long retries(String connector) {
    return metric(connector, "ArchiveRetries");
  }

  long rejected(String connector) {
    return metric(connector, "RecordsRejected");
  }

  // ---- Identifiers
  // -------------------------------------------------------------------------------

  @Test
  void quotesSemicolonsAndCommentsInTheTableNameAreAName() throws Exception {
    String table = "it's \"dlq\"`; DROP TABLE canary; -- /* x */";
    db.execute("CREATE TABLE canary (id INT)");
    stack().cluster().topics().create("quoted.dlq", 1);
    produce("quoted.dlq", "quoted", 0, 2);
    stack()
        .cluster()
        .createConnector(
            "quoted-archive",
            JDBC_EXAMPLE,
            jdbc(db, "topics.regex", "quoted\\.dlq", "archive.table", table));

    Awaitility.await("two rows in the table of that name")
        .atMost(TIMEOUT)
        .until(
            () ->
                tableExists(table) && db.queryForLong("SELECT count(*) FROM " + quote(table)) == 2);
    assertThat(tableExists("canary")).isTrue();
    Run run = replayAsAdmin("--dry-run", "--table", table, "--origin-topic", "quoted");
    assertThat(run.count("selected")).as(run.err()).isEqualTo(2);
    assertThat(tableExists("canary")).isTrue();
  }

  // ---- Replay
  // ------------------------------------------------------------------------------------

  @Test
  void timeFiltersMeanTheSameInstantWhateverTheJvmTimeZone() throws Exception {
    TimeZone original = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata")); // UTC+05:30
    try {
      stack().cluster().topics().create("zone.dlq", 1);
      Instant before = Instant.now().minusMillis(5);
      produce("zone.dlq", "zone", 0, 2);
      stack()
          .cluster()
          .createConnector("zone-archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "zone\\.dlq"));
      awaitRows("origin_topic = 'zone'", 2);
      Instant after = Instant.now().plusMillis(5);

      assertThat(
              replayAsAdmin(
                      "--dry-run",
                      "--origin-topic",
                      "zone",
                      "--from",
                      before.toString(),
                      "--to",
                      after.toString())
                  .count("selected"))
          .isEqualTo(2);
      assertThat(
              replayAsAdmin("--dry-run", "--origin-topic", "zone", "--from", after.toString())
                  .count("selected"))
          .isZero();
      assertThat(
              replayAsAdmin("--dry-run", "--origin-topic", "zone", "--to", before.toString())
                  .count("selected"))
          .isZero();
    } finally {
      TimeZone.setDefault(original);
    }
  }

  @Test
  void concurrentReplaysSendEachRowOnceAndAReRunReplaysOnlyWhenAsked() throws Exception {
    stack().cluster().topics().create("twice.dlq", 1);
    stack().cluster().topics().create("twice", 1);
    produce("twice.dlq", "twice", 0, 300);
    stack()
        .cluster()
        .createConnector("twice-archive", JDBC_EXAMPLE, jdbc(db, "topics.regex", "twice\\.dlq"));
    awaitRows("origin_topic = 'twice'", 300);
    String[] args = {
      "--bootstrap-servers", stack().cluster().bootstrapServers(), "--origin-topic", "twice"
    };

    CompletableFuture<Run> first = CompletableFuture.supplyAsync(() -> replayAsAdmin(args));
    CompletableFuture<Run> second = CompletableFuture.supplyAsync(() -> replayAsAdmin(args));
    Run a = first.get();
    Run b = second.get();

    assertThat(a.code()).as(a.err()).isZero();
    assertThat(b.code()).as(b.err()).isZero();
    assertThat(a.count("replayed") + b.count("replayed")).isEqualTo(300);
    assertThat(rows("origin_topic = 'twice' AND replay_count = 1")).isEqualTo(300);
    assertThat(stack().cluster().topics().consumeAll("twice", IsolationLevel.READ_UNCOMMITTED))
        .hasSize(300);

    Run again = replayAsAdmin(args);
    assertThat(again.count("replayed")).isZero();
    assertThat(again.count("skipped")).isEqualTo(300);
    assertThat(again.err()).contains("--max-replays 2");

    List<String> asked = new ArrayList<>(List.of(args));
    asked.addAll(List.of("--max-replays", "2"));
    Run askedFor = replayAsAdmin(asked.toArray(new String[0]));
    assertThat(askedFor.count("replayed")).isEqualTo(300);
    assertThat(stack().cluster().topics().consumeAll("twice", IsolationLevel.READ_UNCOMMITTED))
        .hasSize(600);
  }
}
