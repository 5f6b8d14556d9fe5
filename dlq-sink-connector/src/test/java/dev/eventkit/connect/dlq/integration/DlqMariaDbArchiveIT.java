package dev.eventkit.connect.dlq.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.util.List;
import java.util.Map;
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

  @Override
  List<String> revokeCreate(String role) {
    return List.of("%", "localhost").stream()
        .map(
            host ->
                "REVOKE CREATE ON "
                    + db.name()
                    + ".dead_letter_archive FROM '"
                    + role
                    + "'@'"
                    + host
                    + "'")
        .toList();
  }

  /**
   * A user that may create the missing table but not write to it is refused by validate too: the
   * task would create the table and then fail on its first insert.
   */
  @Test
  void validateAsksForEveryPrivilegeTheTaskNeedsAfterCreatingTheTable() {
    db.createRole(role("partial"), "pw", "CREATE, SELECT ON dead_letter_archive");
    List<String> errors = validateAs("partial", Map.of());
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("connection.user: Archive table ")
        .contains("GRANT CREATE, SELECT, INSERT, UPDATE ON ");
    db.execute(grantIn(errors.get(0)));
    assertThat(validateAs("partial", Map.of())).isEmpty();
  }

  /**
   * A table from an earlier release, whose topic columns compare without regard to case, would drop
   * orders.dlq@n as a duplicate of Orders.dlq@n: validate names the ALTER, and a task that meets
   * such a table after validation fails naming it.
   */
  @Test
  void anExistingTableWithCaseInsensitiveTopicsIsRefusedNamingTheAlter() throws Exception {
    java.util.function.UnaryOperator<String> caseInsensitive =
        ddl -> ddl.replace("utf8mb4_bin", "utf8mb4_general_ci");
    existingTable(caseInsensitive);
    STACK.cluster().topics().create("ci.dlq", 1);
    Map<String, String> config = DlqTestSupport.jdbc(db, "topics.regex", "ci\\.dlq");
    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(DlqTestSupport.JDBC_EXAMPLE, config)))
        .singleElement()
        .asString()
        .startsWith("archive.table: ")
        .contains("ALTER TABLE `dead_letter_archive`");

    db.execute("DROP TABLE dead_letter_archive");
    STACK.cluster().createConnector("ci-archive", DlqTestSupport.JDBC_EXAMPLE, config);
    STACK.cluster().awaitRunning("ci-archive", 1);
    existingTable(caseInsensitive);
    produce("ci.dlq", "ci", 0, 1);

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
