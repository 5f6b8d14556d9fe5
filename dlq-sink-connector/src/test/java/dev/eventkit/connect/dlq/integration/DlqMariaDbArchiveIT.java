package dev.eventkit.connect.dlq.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database archive's and the replay command's guarantees on MariaDB. */
class DlqMariaDbArchiveIT extends JdbcArchiveContract {

  @RegisterExtension
  static final TestStack STACK =
      TestStack.mariadb(
          DlqTestSupport.cluster()
              .brokerProp("message.max.bytes", "16777216")
              .workerProp("consumer.max.partition.fetch.bytes", "16777216"));

  @Override
  TestStack stack() {
    return STACK;
  }

  @Override
  TestDatabase newDatabase() {
    return STACK.mariadb().createDatabase();
  }

  @Override
  List<String> lockTable(String quotedTable) {
    return List.of("LOCK TABLES " + quotedTable + " WRITE");
  }

  @Override
  List<String> unlockTable() {
    return List.of("UNLOCK TABLES");
  }

  @Override
  String urlWithShortLockWait() {
    return db.jdbcUrl() + "?sessionVariables=lock_wait_timeout=1,innodb_lock_wait_timeout=1";
  }

  @Override
  String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  String creatorGrants() {
    return "CREATE, SELECT, INSERT, UPDATE ON dead_letter_archive";
  }

  @Override
  String archiverGrants() {
    return "SELECT, INSERT, UPDATE ON dead_letter_archive";
  }

  @Override
  String insertPrivileges() {
    return "INSERT, UPDATE";
  }

  @Override
  String noCreateGrants() {
    return "SELECT, INSERT, UPDATE ON *";
  }

  /**
   * A table from an earlier release, whose topic columns compare without regard to case, would drop
   * orders.dlq@n as a duplicate of Orders.dlq@n: the task fails, naming the ALTER.
   */
  @Test
  void anExistingTableWithCaseInsensitiveTopicsFailsTheTaskNamingTheAlter() throws Exception {
    existingTable(ddl -> ddl.replace("utf8mb4_bin", "utf8mb4_general_ci"));
    STACK.cluster().topics().create("ci.dlq", 1);
    produce("ci.dlq", "ci", 0, 1);
    STACK
        .cluster()
        .createConnector(
            "ci-archive",
            DlqTestSupport.JDBC_EXAMPLE,
            DlqTestSupport.jdbc(db, "topics.regex", "ci\\.dlq"));

    assertThat(failedTrace("ci-archive"))
        .contains("dead_letter_archive")
        .contains("ALTER TABLE `dead_letter_archive`")
        .contains(
            "MODIFY dlq_topic VARCHAR(249) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL")
        .contains(
            "MODIFY origin_topic VARCHAR(249) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL");
    assertThat(rows("1 = 1")).isZero();
  }
}
