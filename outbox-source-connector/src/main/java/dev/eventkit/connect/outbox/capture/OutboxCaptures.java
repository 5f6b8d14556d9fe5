package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.log.LogOffsets;
import dev.eventkit.connect.outbox.capture.log.postgres.PostgresLogCapture;
import dev.eventkit.connect.outbox.capture.log.postgres.PostgresLogCheck;
import dev.eventkit.connect.outbox.capture.poll.ConnectionFactory;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbOutboxTableCheck;
import dev.eventkit.connect.outbox.capture.poll.mariadb.MariaDbPollingCapture;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPollingCapture;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.source.SourceTaskContext;

/** Chooses the capture for a task's config: the only place that knows every capture. */
public final class OutboxCaptures {

  /** Why log mode is refused on MariaDB/MySQL in this release. */
  public static final String LOG_MODE_POSTGRESQL_ONLY =
      "capture.mode=log is available for PostgreSQL in this release; on MariaDB/MySQL use"
          + " capture.mode=poll";

  private OutboxCaptures() {}

  /**
   * Builds the capture of one task, positioned where Connect's committed offsets say.
   *
   * @param offsets reads committed offsets for a collection of source partitions
   */
  public static OutboxCapture create(
      OutboxSourceConnectorConfig config,
      String connectorName,
      SourceTaskContext context,
      ConnectionFactory connections,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    if (config.logMode()) {
      if (dialect(config) != DatabaseDialect.POSTGRESQL) {
        throw new IllegalArgumentException(LOG_MODE_POSTGRESQL_ONLY);
      }
      return PostgresLogCapture.create(config, connectorName, context, connections, offsets);
    }
    return switch (dialect(config)) {
      case POSTGRESQL ->
          PostgresPollingCapture.resume(
              connections,
              new PostgresPollingCapture.Settings(
                  config.tableName(),
                  config.columns(),
                  config.taskBucket(),
                  config.taskBucketCount(),
                  config.pollMaxRows(),
                  config.notifyChannel().orElse(null),
                  config.deleteAfterPublish(),
                  config.cleanupBatchSize(),
                  Backlog.COUNT_CAP),
              offsets);
      case MARIADB, MYSQL ->
          MariaDbPollingCapture.resume(
              connections,
              new MariaDbPollingCapture.Settings(
                  config.tableName(),
                  config.columns(),
                  config.taskBucket(),
                  config.taskBucketCount(),
                  config.pollMaxRows(),
                  config.pollGapTimeoutMs(),
                  config.deleteAfterPublish(),
                  config.cleanupBatchSize()),
              offsets);
    };
  }

  /**
   * Checks a partition and offset given to the KIP-875 offsets API.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validateOffset(
      OutboxSourceConnectorConfig config, Map<String, ?> partition, Map<String, ?> offset) {
    if (config.logMode()) {
      LogOffsets.validate(partition, offset);
      return;
    }
    switch (dialect(config)) {
      case POSTGRESQL -> PostgresPollingCapture.validateOffset(partition, offset);
      case MARIADB, MYSQL -> MariaDbPollingCapture.validateOffset(partition, offset);
    }
  }

  /**
   * Checks the outbox table (and, in log mode, the database's log settings) for a connector of
   * {@code tasks} tasks.
   *
   * @throws SQLException when the database cannot be read
   */
  public static TableFindings checkTable(
      Connection c, OutboxSourceConnectorConfig config, int tasks) throws SQLException {
    if (config.logMode()) {
      TableFindings findings = PostgresLogCheck.check(c, config, config.connectorName());
      if (tasks > 1) {
        findings.warning(
            "tasks.max",
            "capture.mode=log runs one task (a database log is read in commit order by one"
                + " reader); tasks.max="
                + tasks
                + " starts one.");
      }
      return findings;
    }
    return switch (dialect(config)) {
      case POSTGRESQL ->
          PostgresLogCheck.warnAboutLeftSlot(
              c, config, PostgresOutboxTableCheck.check(c, config, tasks));
      case MARIADB, MYSQL -> MariaDbOutboxTableCheck.check(c, config, tasks);
    };
  }

  private static DatabaseDialect dialect(OutboxSourceConnectorConfig config) {
    return DatabaseDialect.fromUrl(config.connectionUrl());
  }
}
