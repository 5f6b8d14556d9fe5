package dev.eventkit.connect.outbox.capture.poll.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbOutboxTableCheck.Column;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbOutboxTableCheck.TableFacts;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Judging what the server said about a MariaDB/MySQL outbox table, without a database. */
class MariaDbOutboxTableCheckTest {

  private static final Column NOT_NULL_TEXT = new Column("varchar", false, false);

  /** The DESIGN.md table. */
  private static Map<String, Column> designColumns() {
    Map<String, Column> columns = new LinkedHashMap<>();
    columns.put("seq", new Column("bigint", false, true));
    columns.put("id", new Column("char", false, false));
    columns.put("aggregatetype", NOT_NULL_TEXT);
    columns.put("aggregateid", NOT_NULL_TEXT);
    columns.put("type", NOT_NULL_TEXT);
    columns.put("payload", new Column("longtext", true, false));
    columns.put("timestamp", new Column("timestamp", false, false));
    return columns;
  }

  private static TableFacts facts(Map<String, Column> columns, boolean process) {
    return new TableFacts("InnoDB", columns, "'relay'@'%'", true, true, process, 1, 50);
  }

  private static OutboxSourceConnectorConfig config(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("connection.url", "jdbc:mariadb://db/app");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return new OutboxSourceConnectorConfig(props);
  }

  @Test
  void theDesignTableWithProcessHasNoFindingsAndNeedsNoTxidColumn() {
    TableFindings findings =
        MariaDbOutboxTableCheck.judge(facts(designColumns(), true), config(), 1);

    assertThat(findings.errors()).isEmpty();
    assertThat(findings.warnings()).isEmpty();
  }

  @Test
  void aPositionWithoutAutoIncrementIsAnErrorWithTheFix() {
    Map<String, Column> columns = designColumns();
    columns.put("seq", new Column("bigint", false, false));

    TableFindings findings = MariaDbOutboxTableCheck.judge(facts(columns, true), config(), 1);

    assertThat(findings.errors().get(OutboxSourceConnectorConfig.COLUMN_POSITION_CONFIG))
        .singleElement()
        .asString()
        .contains("without AUTO_INCREMENT")
        .contains("ALTER TABLE `outbox` MODIFY `seq` BIGINT NOT NULL AUTO_INCREMENT;");
  }

  @Test
  void anotherEngineAMissingColumnAndAWrongEventTimeAreErrorsOnTheirOptions() {
    Map<String, Column> columns = designColumns();
    columns.remove("type");
    columns.put("timestamp", new Column("varchar", false, false));
    TableFacts myIsam = new TableFacts("MyISAM", columns, "'relay'@'%'", true, true, true, 1, 50);

    TableFindings findings = MariaDbOutboxTableCheck.judge(myIsam, config(), 1);

    assertThat(findings.errors().get(OutboxSourceConnectorConfig.TABLE_NAME_CONFIG))
        .singleElement()
        .asString()
        .contains("ENGINE=InnoDB");
    assertThat(findings.errors().get(OutboxSourceConnectorConfig.COLUMN_EVENT_TYPE_CONFIG))
        .singleElement()
        .asString()
        .contains("Column type is missing");
    assertThat(findings.errors().get(OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG))
        .singleElement()
        .asString()
        .contains("varchar");
  }

  @Test
  void withoutProcessTheWarningGivesTheGrantAndATimeoutNotAboveTheLockWaitIsNamed() {
    TableFindings longEnough =
        MariaDbOutboxTableCheck.judge(facts(designColumns(), false), config(), 1);
    TableFindings tooShort =
        MariaDbOutboxTableCheck.judge(
            facts(designColumns(), false), config("poll.gap.timeout.ms", "50000"), 1);

    assertThat(longEnough.warnings().get(OutboxSourceConnectorConfig.POLL_GAP_TIMEOUT_MS_CONFIG))
        .singleElement()
        .asString()
        .contains("GRANT PROCESS ON *.* TO 'relay'@'%';");
    assertThat(tooShort.warnings().get(OutboxSourceConnectorConfig.POLL_GAP_TIMEOUT_MS_CONFIG))
        .hasSize(2)
        .anySatisfy(w -> assertThat(w).contains("innodb_lock_wait_timeout (50 s)"));
  }

  @Test
  void missingPrivilegesAreErrorsOnTheOptionThatNeedsThem() {
    TableFacts noGrants =
        new TableFacts("InnoDB", designColumns(), "'relay'@'%'", false, false, true, 1, 50);

    TableFindings findings =
        MariaDbOutboxTableCheck.judge(noGrants, config("cleanup.policy", "delete"), 1);

    assertThat(findings.errors().get(OutboxSourceConnectorConfig.CONNECTION_USER_CONFIG))
        .singleElement()
        .asString()
        .contains("GRANT SELECT ON `outbox` TO 'relay'@'%';");
    assertThat(findings.errors().get(OutboxSourceConnectorConfig.CLEANUP_POLICY_CONFIG))
        .singleElement()
        .asString()
        .contains("GRANT DELETE ON `outbox` TO 'relay'@'%';");
  }

  @Test
  void cleanupWithSeveralTasksAndANotifyChannelAreNamed() {
    TableFindings findings =
        MariaDbOutboxTableCheck.judge(
            facts(designColumns(), true),
            config("cleanup.policy", "delete", "poll.notify.channel", "outbox"),
            3);

    assertThat(findings.errors().get(OutboxSourceConnectorConfig.POLL_NOTIFY_CHANNEL_CONFIG))
        .singleElement()
        .asString()
        .contains("PostgreSQL");
    assertThat(findings.warnings().get(OutboxSourceConnectorConfig.CLEANUP_POLICY_CONFIG))
        .singleElement()
        .asString()
        .contains("slowest task");
  }
}
