package dev.eventkit.connect.dlq.integration;

import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.db.TestDatabase;
import java.util.List;
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
  String noCreateGrants() {
    return "SELECT, INSERT, UPDATE ON *";
  }
}
