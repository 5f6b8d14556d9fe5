package dev.eventkit.connect.outbox;

import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.HorizonStall;
import dev.eventkit.connect.outbox.capture.OutboxBatch;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.capture.OutboxPosition;
import dev.eventkit.connect.outbox.capture.OutboxTransaction;
import dev.eventkit.connect.outbox.capture.PostgresPollingCapture;
import dev.eventkit.connect.outbox.metrics.OutboxTaskMetrics;
import dev.eventkit.connect.outbox.record.InvalidRowException;
import dev.eventkit.connect.outbox.record.OutboxRecordFactory;
import dev.eventkit.connect.outbox.record.OutboxRow;
import dev.eventkit.connect.outbox.record.TopicTemplate;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the committed outbox rows of one hash bucket of aggregate ids. The capture finds the
 * rows; this task turns them into records, carries positions in their offsets, routes poison rows,
 * marks transaction boundaries and cleans up acknowledged rows.
 */
public final class OutboxSourceTask extends SourceTask {

  private static final Logger log = LoggerFactory.getLogger(OutboxSourceTask.class);
  private static final long BACKLOG_INTERVAL_MS = 5_000;
  private static final long CLEANUP_INTERVAL_MS = 5_000;

  private OutboxSourceConnectorConfig config;
  private OutboxCapture capture;
  private OutboxRecordFactory records;
  private OutboxTaskMetrics metrics;
  private Map<String, Object> partition;

  private volatile boolean stopping;
  private volatile boolean offsetsCommitted;
  private long nextCleanupMs;
  private long retryAtMs;
  private long currentBackoffMs;
  private long nextBacklogCheckMs;
  private long lastStallWarningMs;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new OutboxSourceConnectorConfig(props);
    if (!OutboxSourceConnectorConfig.CAPTURE_MODE_POLL.equals(config.captureMode())) {
      throw new ConnectException(
          "capture.mode=" + config.captureMode() + " is not available in this release; use poll");
    }
    String table = config.tableName();
    int buckets = config.taskBucketCount();
    int bucket = config.taskBucket();
    partition = OutboxPartitions.partition(table, buckets, bucket);
    OutboxPosition start =
        OutboxPartitions.startPosition(
            table, buckets, bucket, wanted -> context.offsetStorageReader().offsets(wanted));
    log.info("Outbox task for {} bucket {}/{} starts after {}", table, bucket, buckets, start);

    OutboxColumns columns = config.columns();
    records =
        new OutboxRecordFactory(
            TopicTemplate.compile(config.topicTemplate()),
            config.payloadFormat(),
            config.tombstoneOnNullPayload(),
            columns.eventId(),
            columns.aggregateType(),
            columns.aggregateId(),
            columns.payload());
    capture =
        new PostgresPollingCapture(
            this::openConnection,
            table,
            columns,
            bucket,
            buckets,
            config.pollMaxRows(),
            config.notifyChannel().orElse(null),
            start);
    metrics = new OutboxTaskMetrics().register(props.getOrDefault("name", "outbox-source"), bucket);
    currentBackoffMs = 0;
    retryAtMs = 0;
    stopping = false;
  }

  private Connection openConnection() throws java.sql.SQLException {
    return JdbcConnections.open(config, "eventkit-outbox-" + config.taskBucket());
  }

  @Override
  public List<SourceRecord> poll() {
    if (stopping || !backoffElapsed()) {
      return null;
    }
    try {
      cleanUpPublished();
      measureBacklog();
      OutboxBatch batch = capture.nextBatch();
      reportHorizonStall(capture.horizonStall());
      currentBackoffMs = 0;
      if (batch.isEmpty()) {
        capture.awaitChanges(config.pollIntervalMs());
        return null;
      }
      metrics.recordPoll(batch.rowCount());
      if (log.isDebugEnabled()) {
        log.debug(
            "Publishing {} rows of transactions {} after {}, then at {}",
            batch.rowCount(),
            batch.transactions().stream().map(OutboxTransaction::txid).toList(),
            batch.positionBefore(),
            batch.positionAfter());
      }
      return toRecords(batch);
    } catch (CaptureException e) {
      if (stopping) {
        return null;
      }
      if (!e.retriable()) {
        throw new ConnectException(e.getMessage(), e);
      }
      scheduleRetry(e);
      throw new RetriableException(e.getMessage(), e);
    }
  }

  private List<SourceRecord> toRecords(OutboxBatch batch) {
    TransactionContext transactions = context.transactionContext();
    List<SourceRecord> result = new ArrayList<>(batch.rowCount());
    OutboxPosition before = batch.positionBefore();
    for (OutboxTransaction tx : batch.transactions()) {
      List<OutboxRow> rows = tx.rows();
      for (int i = 0; i < rows.size(); i++) {
        // A record carries the position after its whole transaction only when it is the last one
        // of it: a restart after part of a transaction publishes that transaction again.
        boolean last = i == rows.size() - 1;
        Map<String, Object> offset = (last ? tx.positionAfter() : before).toOffset();
        result.add(toRecord(rows.get(i), offset));
      }
      if (transactions != null) {
        transactions.commitTransaction(result.get(result.size() - 1));
      }
      before = tx.positionAfter();
    }
    return result;
  }

  private SourceRecord toRecord(OutboxRow row, Map<String, Object> offset) {
    try {
      return records.toRecord(row, partition, offset);
    } catch (InvalidRowException e) {
      String topic = config.invalidRowsTopic().orElse(null);
      if (topic == null) {
        throw new ConnectException(
            "Cannot publish "
                + row.describe()
                + " from table "
                + config.tableName()
                + ": "
                + e.getMessage()
                + (e.column() == null ? "" : " (column " + e.column() + ")")
                + ". Fix or delete the row, or set "
                + OutboxSourceConnectorConfig.ERRORS_INVALID_TOPIC_CONFIG
                + " to route such rows to a topic.",
            e);
      }
      log.warn("Routing {} to {}: {}", row.describe(), topic, e.getMessage());
      metrics.recordInvalidRow();
      return records.toInvalidRecord(row, e, topic, partition, offset);
    }
  }

  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata) {
    if (metadata != null) {
      metrics.recordPublished(record.timestamp(), System.currentTimeMillis());
    }
  }

  @Override
  public void commit() {
    offsetsCommitted = true;
  }

  /**
   * cleanup.policy=delete: deletes the rows at or before the position Connect has committed, which
   * only happens once Kafka acknowledged their records (and, exactly-once, their transaction
   * committed). Runs after each offset commit and every few seconds, so rows left by a previous run
   * are removed too.
   */
  private void cleanUpPublished() throws CaptureException {
    long now = System.currentTimeMillis();
    if (!config.deleteAfterPublish() || (!offsetsCommitted && now < nextCleanupMs)) {
      return;
    }
    offsetsCommitted = false;
    nextCleanupMs = now + CLEANUP_INTERVAL_MS;
    Map<String, Object> committed = context.offsetStorageReader().offset(partition);
    if (committed != null) {
      capture.deletePublished(OutboxPosition.fromOffset(committed), config.cleanupBatchSize());
    }
  }

  private void measureBacklog() throws CaptureException {
    long now = System.currentTimeMillis();
    if (now < nextBacklogCheckMs) {
      return;
    }
    nextBacklogCheckMs = now + BACKLOG_INTERVAL_MS;
    OutboxCapture.Backlog backlog = capture.backlog();
    metrics.recordBacklog(backlog.rows(), backlog.oldestEventTimeMs());
  }

  private void reportHorizonStall(HorizonStall stall) {
    metrics.recordHorizonStall(stall.pid(), stall.ageMs());
    long now = System.currentTimeMillis();
    if (stall.stalled()
        && stall.ageMs() >= config.horizonStallWarnMs()
        && now - lastStallWarningMs >= config.horizonStallWarnMs()) {
      lastStallWarningMs = now;
      log.warn(
          "Committed outbox rows in {} are waiting behind an open transaction: pid {}, xid {},"
              + " open for {} ms, application '{}', state '{}'. They are published once it ends;"
              + " end it with pg_terminate_backend({}) if it is stuck.",
          config.tableName(),
          stall.pid(),
          stall.xid(),
          stall.ageMs(),
          stall.application(),
          stall.state(),
          stall.pid());
    }
  }

  private boolean backoffElapsed() {
    long wait = retryAtMs - System.currentTimeMillis();
    if (wait <= 0) {
      return true;
    }
    try {
      capture.awaitChanges(wait);
    } catch (CaptureException e) {
      log.debug("Ignoring a failed wait during backoff", e);
    }
    return System.currentTimeMillis() >= retryAtMs;
  }

  private void scheduleRetry(CaptureException e) {
    currentBackoffMs =
        currentBackoffMs == 0
            ? config.retryBackoffMs()
            : Math.min(currentBackoffMs * 2, config.retryBackoffMaxMs());
    retryAtMs = System.currentTimeMillis() + currentBackoffMs;
    log.warn(
        "Outbox database unavailable ({}); retrying in {} ms from {}",
        e.getMessage(),
        currentBackoffMs,
        "the last position");
  }

  @Override
  public void stop() {
    stopping = true;
    if (capture != null) {
      capture.wakeup();
      capture.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }
}
