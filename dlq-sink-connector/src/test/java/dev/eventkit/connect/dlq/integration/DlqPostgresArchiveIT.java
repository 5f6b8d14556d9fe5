package dev.eventkit.connect.dlq.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.dlq.archive.JdbcArchiveWriter;
import dev.eventkit.connect.dlq.header.DeadLetter;
import dev.eventkit.connect.dlq.header.DeadLetterParser;
import dev.eventkit.connect.dlq.header.RawHeader;
import dev.eventkit.connect.dlq.replay.ReplayCommand;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database archive's and the replay command's guarantees on PostgreSQL. */
class DlqPostgresArchiveIT extends JdbcArchiveContract {

  @RegisterExtension
  static final TestStack STACK =
      TestStack.postgres(
          DlqTestSupport.cluster()
              .brokerProp("message.max.bytes", "16777216")
              .workerProp("consumer.max.partition.fetch.bytes", "16777216"));

  @Override
  TestStack stack() {
    return STACK;
  }

  @Override
  TestDatabase newDatabase() {
    return STACK.postgres().createDatabase();
  }

  @Override
  List<String> lockTable(String quotedTable) {
    return List.of("LOCK TABLE " + quotedTable + " IN ACCESS EXCLUSIVE MODE");
  }

  @Override
  String urlWithShortLockWait() {
    return db.jdbcUrl() + "?options=-c%20lock_timeout%3D200";
  }

  @Override
  String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  String creatorGrants() {
    return "CREATE ON SCHEMA public";
  }

  @Override
  String archiverGrants() {
    return "SELECT, INSERT ON dead_letter_archive";
  }

  @Override
  String insertPrivileges() {
    return "INSERT";
  }

  @Override
  List<String> revokeCreate(String role) {
    return List.of("REVOKE CREATE ON SCHEMA public FROM " + role);
  }

  @Override
  String noCreateGrants() {
    return "SELECT ON ALL TABLES IN SCHEMA public";
  }

  /**
   * 2,000 archived records of 64 KB (128 MB) that match the filter, replayed (dry run) by a JVM
   * with a 64 MB heap: only a bounded page of rows is ever held.
   */
  @Test
  void aReplayHoldsABoundedPageOfRowsWhateverTheFilterSelects() throws Exception {
    byte[] value = new byte[64 * 1024];
    List<RawHeader> headers =
        List.of(new RawHeader("__connect.errors.topic", "bulk".getBytes(StandardCharsets.UTF_8)));
    try (JdbcArchiveWriter writer =
        new JdbcArchiveWriter(
            db.jdbcUrl(), db.user(), db.password(), "dead_letter_archive", true)) {
      for (int batch = 0; batch < 20; batch++) {
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          letters.add(
              DeadLetterParser.parse("bulk.dlq", 0, batch * 100L + i, 1L, null, value, headers));
        }
        assertThat(writer.write(letters)).isEmpty();
      }
    }
    Path output = Files.createTempFile("replay", ".out");
    Process replay =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                ReplayCommand.class.getName(),
                "--jdbc-url",
                db.jdbcUrl(),
                "--user",
                db.user(),
                "--origin-topic",
                "bulk",
                "--dry-run")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(replay.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(output);
    assertThat(replay.exitValue()).as(tail(printed)).isZero();
    assertThat(printed).contains("Dry run: 2000 selected, 2000 would be replayed");
    new File(output.toString()).delete();
  }

  private static String tail(String text) {
    return text.substring(Math.max(0, text.length() - 2000));
  }

  /**
   * A column of another type is the table's fault, not the letter's: the task fails naming the
   * table instead of rejecting every letter one by one as an errant record.
   */
  @Test
  void anExistingTableWithAColumnOfAnotherTypeFailsTheTaskRatherThanRejectingLetters()
      throws Exception {
    existingTable(ddl -> ddl.replace("dlq_partition integer", "dlq_partition boolean"));
    STACK.cluster().topics().create("typed.dlq", 1);
    produce("typed.dlq", "typed", 0, 2);
    STACK
        .cluster()
        .createConnector(
            "typed-archive",
            DlqTestSupport.JDBC_EXAMPLE,
            DlqTestSupport.jdbc(
                db,
                "topics.regex",
                "typed\\.dlq",
                "errors.tolerance",
                "all",
                "errors.deadletterqueue.topic.name",
                "typed-rejects",
                "errors.deadletterqueue.topic.replication.factor",
                "1"));

    assertThat(failedTrace("typed-archive"))
        .contains("Archiving into dead_letter_archive failed")
        .contains("42804");
    assertThat(rejected("typed-archive")).isZero();
  }

  /**
   * A connection lost while the archive retries a batch one letter at a time is an outage, not the
   * letter's fault: the batch is delivered again and only the letter the database refuses is
   * rejected. A trigger refuses one letter (so the batch is retried one by one) and, once, kills
   * its own session while inserting another.
   */
  @Test
  void aConnectionLostWhileRetryingOneByOneRejectsNoGoodLetter() throws Exception {
    existingTable(ddl -> ddl + "; CREATE SEQUENCE kill_once");
    db.execute(
        "CREATE FUNCTION refuse_or_kill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.origin_topic = 'bad' THEN"
            + " RAISE EXCEPTION 'refused by the test' USING ERRCODE = '22023'; END IF;"
            + " IF NEW.origin_topic = 'kill' AND nextval('kill_once') = 1 THEN"
            + " PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
            + " RETURN NEW; END $$",
        "CREATE TRIGGER refuse_or_kill BEFORE INSERT ON dead_letter_archive"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_or_kill()");
    STACK.cluster().topics().create("lost.dlq", 1);
    produce("lost.dlq", "bad", 0, 1);
    produce("lost.dlq", "good", 0, 1);
    produce("lost.dlq", "kill", 0, 1);
    produce("lost.dlq", "good", 1, 2);
    STACK
        .cluster()
        .createConnector(
            "lost-archive",
            DlqTestSupport.JDBC_EXAMPLE,
            DlqTestSupport.jdbc(
                db,
                "topics.regex",
                "lost\\.dlq",
                "retry.backoff.ms",
                "100",
                "errors.tolerance",
                "all",
                "errors.deadletterqueue.topic.name",
                "lost-rejects",
                "errors.deadletterqueue.topic.replication.factor",
                "1"));

    awaitRows("origin_topic IN ('good', 'kill')", 3);
    assertThat(db.queryForLong("SELECT last_value FROM kill_once")).isEqualTo(2);
    assertThat(rejected("lost-archive")).isEqualTo(1);
    assertThat(rows("origin_topic = 'bad'")).isZero();
  }
}
