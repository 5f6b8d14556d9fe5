package dev.eventkit.connect.outbox;

import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.Captured;
import dev.eventkit.connect.outbox.capture.CapturedProgress;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import dev.eventkit.connect.outbox.capture.OutboxCaptures;
import dev.eventkit.connect.outbox.metrics.OutboxTaskMetrics;
import dev.eventkit.connect.outbox.record.InvalidRowException;
import dev.eventkit.connect.outbox.record.OutboxRecordFactory;
import dev.eventkit.connect.outbox.record.OutboxRow;
import dev.eventkit.connect.outbox.record.TopicTemplate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the committed outbox rows one capture finds. The capture finds rows and owns their
 * positions; this task turns rows into records carrying those positions as offsets, routes poison
 * rows, marks Kafka transaction boundaries, retries with backoff, reports metrics and tells the
 * capture what Connect committed.
 */
public final class OutboxSourceTask extends SourceTask {

  private static final Logger log = LoggerFactory.getLogger(OutboxSourceTask.class);
  private static final long BACKLOG_INTERVAL_MS = 5_000;
  private static final long CLEANUP_INTERVAL_MS = 5_000;

  /** poll() returns at least this often, so stop() and rebalances are never kept waiting. */
  static final long MAX_BLOCK_MS = 1_000;

  /** Builds a task's capture; tests substitute their own. */
  @FunctionalInterface
  interface CaptureFactory {
    OutboxCapture create(OutboxSourceConnectorConfig config, SourceTaskContext context);
  }

  private final CaptureFactory captureFactory;
  private final ReentrantLock pauseLock = new ReentrantLock();
  private final Condition stopRequested = pauseLock.newCondition();

  private OutboxSourceConnectorConfig config;
  private volatile OutboxCapture capture;
  private OutboxRecordFactory records;
  private OutboxTaskMetrics metrics;
  private Map<String, Object> partition;
  private String heartbeatTopic;
  private String connectorName;

  /**
   * Records whose capture wants a receipt back, by identity: Connect hands commitRecord the very
   * record poll() returned (before transforms), from its producer threads.
   */
  private final Map<SourceRecord, Object> receipts =
      Collections.synchronizedMap(new IdentityHashMap<>());

  private volatile boolean stopping;
  private volatile boolean offsetsCommitted;
  private long nextReadAtMs;
  private long nextCleanupMs;
  private long retryAtMs;
  private long currentBackoffMs;
  private long nextBacklogCheckMs;
  private long lastStallWarningMs;

  public OutboxSourceTask() {
    this(
        (config, context) ->
            OutboxCaptures.create(
                config,
                config.connectorName(),
                context,
                () -> config.openConnection("eventkit-outbox-" + config.taskBucket()),
                wanted -> context.offsetStorageReader().offsets(wanted)));
  }

  OutboxSourceTask(CaptureFactory captureFactory) {
    this.captureFactory = captureFactory;
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    // Task configs stored before validate refused it start without the connector: refused here too.
    OutboxSourceConnector.toleratedErrors(props)
        .ifPresent(
            why -> {
              throw new org.apache.kafka.connect.errors.ConnectException(why);
            });
    config = new OutboxSourceConnectorConfig(props);
    OutboxColumns columns = config.columns();
    records =
        new OutboxRecordFactory(
            TopicTemplate.compile(config.topicTemplate()),
            config.payloadFormat(),
            config.tombstoneOnNullPayload(),
            columns.eventId(),
            columns.aggregateType(),
            columns.aggregateId(),
            columns.eventType(),
            columns.payload());
    try {
      capture = captureFactory.create(config, context);
    } catch (IllegalArgumentException e) {
      throw new ConnectException(e.getMessage(), e);
    }
    partition = capture.sourcePartition();
    heartbeatTopic = config.logHeartbeatTopic();
    connectorName = props.getOrDefault("name", "outbox-source");
    metrics =
        new OutboxTaskMetrics()
            .register(props.getOrDefault("name", "outbox-source"), config.taskBucket());
    stopping = false;
    currentBackoffMs = 0;
    retryAtMs = 0;
    nextReadAtMs = 0;
  }

  @Override
  public List<SourceRecord> poll() {
    try {
      return read();
    } finally {
      metrics.recordPollReturned();
    }
  }

  /** One poll: waits at most {@link #MAX_BLOCK_MS} for changes, then reads a batch. */
  private List<SourceRecord> read() {
    if (stopping || !pauseUntil(retryAtMs) || !waitForChanges()) {
      return null;
    }
    try {
      cleanUpPublished();
      measureBacklog();
      List<? extends Captured> batch = capture.poll();
      reportStall(capture.stall());
      metrics.recordGaps(capture.gaps());
      metrics.recordLogLag(capture.logLag());
      currentBackoffMs = 0;
      if (batch.isEmpty()) {
        nextReadAtMs = System.currentTimeMillis() + config.pollIntervalMs();
        return null;
      }
      nextReadAtMs = 0;
      List<SourceRecord> result = toRecords(batch);
      metrics.recordPoll(result.size());
      return result;
    } catch (CaptureException e) {
      if (e.abortsOpenTransaction() && context.transactionContext() != null) {
        // What the open Kafka transaction holds will be read and published again: drop it.
        log.warn("Aborting the open Kafka transaction: {}", e.getMessage());
        context.transactionContext().abortTransaction();
      }
      if (stopping) {
        return null;
      }
      if (!e.retriable()) {
        throw new ConnectException(e.getMessage(), e);
      }
      scheduleRetry(e);
      return null;
    }
  }

  /**
   * Waits for new rows until the poll interval has passed since the last empty read, in slices of
   * at most {@link #MAX_BLOCK_MS}. Returns whether to read now.
   */
  private boolean waitForChanges() {
    long wait = nextReadAtMs - System.currentTimeMillis();
    if (wait <= 0) {
      return true;
    }
    try {
      boolean changed = capture.awaitChanges(Math.min(wait, MAX_BLOCK_MS));
      return !stopping && (changed || System.currentTimeMillis() >= nextReadAtMs);
    } catch (CaptureException e) {
      if (!e.retriable()) {
        throw new ConnectException(e.getMessage(), e);
      }
      scheduleRetry(e);
      return false;
    }
  }

  /**
   * Waits (without touching the database) until {@code untilMs}, at most {@link #MAX_BLOCK_MS} at a
   * time. Returns whether the time has come.
   */
  private boolean pauseUntil(long untilMs) {
    long wait = untilMs - System.currentTimeMillis();
    if (wait <= 0) {
      return true;
    }
    pauseLock.lock();
    try {
      long remaining = TimeUnit.MILLISECONDS.toNanos(Math.min(wait, MAX_BLOCK_MS));
      while (!stopping && remaining > 0) {
        remaining = stopRequested.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pauseLock.unlock();
    }
    return !stopping && System.currentTimeMillis() >= untilMs;
  }

  private List<SourceRecord> toRecords(List<? extends Captured> batch) {
    TransactionContext transactions = context.transactionContext();
    List<SourceRecord> result = new ArrayList<>();
    int rows = 0;
    for (Captured captured : batch) {
      if (captured instanceof CapturedProgress progress) {
        SourceRecord heartbeat =
            OutboxRecordFactory.toHeartbeat(
                heartbeatTopic, connectorName, partition, progress.offset());
        remember(heartbeat, progress.receipt());
        result.add(heartbeat);
        if (transactions != null) {
          transactions.commitTransaction(heartbeat);
        }
        continue;
      }
      CapturedTransaction tx = (CapturedTransaction) captured;
      for (int i = 0; i < tx.rows().size(); i++) {
        SourceRecord record = toRecord(tx.rows().get(i), tx.offsetOf(i));
        remember(record, tx.receiptOf(i));
        result.add(record);
        rows++;
      }
      if (transactions != null && tx.complete()) {
        // One database transaction, one Kafka transaction, even when it spans several polls.
        transactions.commitTransaction(result.get(result.size() - 1));
      }
    }
    if (log.isDebugEnabled()) {
      log.debug("Publishing {} rows and {} heartbeats", rows, result.size() - rows);
    }
    return result;
  }

  /** Keeps what the capture wants back once Connect is done with {@code record}. */
  private void remember(SourceRecord record, Object receipt) {
    if (receipt != null) {
      receipts.put(record, receipt);
    }
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
    if (metadata != null && !heartbeatTopic.equals(record.topic())) {
      metrics.recordPublished(record.timestamp(), System.currentTimeMillis());
    }
    Object receipt = receipts.remove(record);
    if (receipt != null) {
      capture.recordSent(receipt, metadata);
    }
  }

  @Override
  public void commit() {
    offsetsCommitted = true;
    OutboxCapture current = capture;
    if (current != null) {
      current.offsetsFlushed();
    }
  }

  /**
   * Tells the capture which offset Connect has committed, after each offset commit and every few
   * seconds (so a cleanup left by a previous run happens too). Committed offsets only cover records
   * Kafka acknowledged (and, exactly-once, whose transaction committed).
   */
  private void cleanUpPublished() throws CaptureException {
    long now = System.currentTimeMillis();
    if (!config.deleteAfterPublish() || (!offsetsCommitted && now < nextCleanupMs)) {
      return;
    }
    offsetsCommitted = false;
    nextCleanupMs = now + CLEANUP_INTERVAL_MS;
    Map<String, Object> committed = context.offsetStorageReader().offset(partition);
    if (committed != null && capture.offsetCommitted(committed)) {
      nextCleanupMs = now; // more to delete: go on at the next poll
    }
  }

  private void measureBacklog() throws CaptureException {
    long now = System.currentTimeMillis();
    if (now < nextBacklogCheckMs) {
      return;
    }
    nextBacklogCheckMs = now + BACKLOG_INTERVAL_MS;
    Backlog backlog = capture.backlog();
    metrics.recordBacklog(backlog.rows(), backlog.oldestEventTimeMs());
  }

  private void reportStall(CaptureStall stall) {
    metrics.recordHorizonStall(stall.sessionId(), stall.ageMs());
    long now = System.currentTimeMillis();
    if (stall.stalled()
        && stall.ageMs() >= config.horizonStallWarnMs()
        && now - lastStallWarningMs >= config.horizonStallWarnMs()) {
      lastStallWarningMs = now;
      log.warn(
          "Committed outbox rows in {} are waiting behind an open transaction ({}), open for {}"
              + " ms. They are published once it ends; {}.",
          config.tableName(),
          stall.holder(),
          stall.ageMs(),
          stall.remedy());
    }
  }

  private void scheduleRetry(CaptureException e) {
    currentBackoffMs =
        currentBackoffMs == 0
            ? config.retryBackoffMs()
            : Math.min(currentBackoffMs * 2, config.retryBackoffMaxMs());
    retryAtMs = System.currentTimeMillis() + currentBackoffMs;
    metrics.recordRetry();
    log.warn(
        "Outbox database unavailable ({}); retrying in {} ms from the last position",
        e.getMessage(),
        currentBackoffMs);
  }

  @Override
  public void stop() {
    stopping = true;
    pauseLock.lock();
    try {
      stopRequested.signalAll();
    } finally {
      pauseLock.unlock();
    }
    if (capture != null) {
      capture.wakeup();
      capture.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }
}
