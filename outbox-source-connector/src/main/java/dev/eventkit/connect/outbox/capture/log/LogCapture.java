package dev.eventkit.connect.outbox.capture.log;

import dev.eventkit.connect.jdbc.SqlErrors;
import dev.eventkit.connect.outbox.capture.Backlog;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.CaptureStall;
import dev.eventkit.connect.outbox.capture.Captured;
import dev.eventkit.connect.outbox.capture.LogLag;
import dev.eventkit.connect.outbox.capture.OutboxCapture;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads committed outbox inserts from the database log by driving Debezium's own connector task
 * inside ours, with Connect's own task context. Debezium's source partition and offsets ride on our
 * records, so Connect's offset store is the only one; Debezium reads back from it what Connect
 * committed (PostgreSQL confirms the slot's position from there on its next poll, which is why
 * every poll of ours polls Debezium). Records Connect is done with are handed back to Debezium as
 * the change events they came from.
 *
 * <p>Debezium's task starts at the first poll, so a database that is down when the task starts is
 * retried with the task's backoff, like any later outage (after it started, Debezium reconnects by
 * itself).
 */
public final class LogCapture implements OutboxCapture {

  private static final Logger log = LoggerFactory.getLogger(LogCapture.class);

  /** Measures how many bytes of log the database keeps for this capture, -1 when unknown. */
  @FunctionalInterface
  public interface LagProbe extends AutoCloseable {
    long bytesBehind() throws Exception;

    @Override
    default void close() {}
  }

  /** Prepares the database (publication) and builds Debezium's options, at the first poll. */
  @FunctionalInterface
  public interface DebeziumConfig {
    Map<String, String> prepare() throws Exception;
  }

  private final Supplier<SourceTask> debezium;
  private final DebeziumConfig debeziumConfig;
  private final SourceTaskContext context;
  private final Map<String, Object> partition;
  private final LogTransactions transactions;
  private final LagProbe lagProbe;

  private volatile SourceTask task;
  private volatile boolean closed;
  private volatile long lagBytes = -1;
  private volatile long lagMs;

  /**
   * @param debezium creates Debezium's connector task
   * @param debeziumConfig Debezium's options, built from ours when the task starts
   * @param partition the source partition Debezium's records carry
   */
  public LogCapture(
      Supplier<SourceTask> debezium,
      DebeziumConfig debeziumConfig,
      SourceTaskContext context,
      Map<String, Object> partition,
      LogTransactions transactions,
      LagProbe lagProbe) {
    this.debezium = debezium;
    this.debeziumConfig = debeziumConfig;
    this.context = context;
    this.partition = Map.copyOf(partition);
    this.transactions = transactions;
    this.lagProbe = lagProbe;
  }

  @Override
  public Map<String, Object> sourcePartition() {
    return partition;
  }

  @Override
  public List<? extends Captured> poll() throws CaptureException {
    SourceTask current = started();
    if (current == null) {
      return List.of();
    }
    List<SourceRecord> records;
    try {
      records = current.poll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (LinkageError e) {
      throw notOnThisWorker(e);
    } catch (RuntimeException e) {
      // Debezium's task stops at the first error (errors.max.retries=0): a new one starts at the
      // next poll, from Connect's committed offsets. An open transaction is streamed again and
      // its rows already taken are skipped; an open snapshot runs again from its start, so its
      // rows in the open Kafka transaction must go.
      task = null;
      stopQuietly(current);
      boolean snapshotLost = transactions.restart();
      CaptureException failure = failure("Reading the database log failed", e);
      throw new CaptureException(failure.getMessage(), e, failure.retriable(), snapshotLost);
    }
    if (records == null || records.isEmpty()) {
      lagMs = 0;
      return List.of();
    }
    Long committed = ChangeEvents.commitTimeMs(records.get(records.size() - 1));
    if (committed != null) {
      lagMs = Math.max(0, System.currentTimeMillis() - committed);
    }
    return transactions.add(records);
  }

  /** Debezium's task, started on first use; null once closed. */
  private SourceTask started() throws CaptureException {
    if (task != null || closed) {
      return task;
    }
    Map<String, String> options;
    try {
      options = debeziumConfig.prepare();
    } catch (CaptureException e) {
      throw e;
    } catch (Exception e) {
      throw failure("Preparing log capture failed", e);
    }
    SourceTask created = null;
    try {
      created = debezium.get();
      created.initialize(context);
      created.start(options);
    } catch (LinkageError e) {
      throw notOnThisWorker(e);
    } catch (RuntimeException e) {
      if (created != null) {
        stopQuietly(created);
      }
      throw failure("Starting log capture failed", e);
    }
    task = created;
    if (closed) {
      stopQuietly(created);
      return null;
    }
    return created;
  }

  /** Debezium 3.6.1 links against Kafka classes that some worker versions moved or removed. */
  private static CaptureException notOnThisWorker(LinkageError e) {
    return new CaptureException(
        "Debezium cannot run on this worker ("
            + e
            + "): log mode is tested on Kafka Connect 4.3 only; see the README's compatibility"
            + " table. Use capture.mode=poll on this worker.",
        e,
        false);
  }

  /** Transient database trouble is retried with backoff; anything else fails the task. */
  private static CaptureException failure(String what, Exception e) {
    boolean retriable = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLException) {
        retriable = SqlErrors.classify(e).retriable();
        break;
      }
      if (t instanceof RetriableException) {
        retriable = true;
        break;
      }
    }
    String message = what + ": " + describe(e);
    return new CaptureException(message, e, retriable);
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(": ").append(cause.getMessage());
      }
    }
    return text.toString();
  }

  /** Debezium's own poll waits for changes (up to its poll interval): nothing to wait for here. */
  @Override
  public boolean awaitChanges(long maxWaitMs) {
    return true;
  }

  @Override
  public void wakeup() {}

  /** Rows stay in the table in log mode (deleting them is the application's choice). */
  @Override
  public boolean offsetCommitted(Map<String, Object> offset) {
    return false;
  }

  @Override
  public void recordSent(Object receipt, RecordMetadata metadata) {
    SourceTask current = task;
    if (current == null) {
      return;
    }
    try {
      current.commitRecord((SourceRecord) receipt, metadata);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Debezium acts on it in its next poll (PostgreSQL: confirms the committed LSN to the slot). */
  @Override
  public void offsetsFlushed() {
    SourceTask current = task;
    if (current == null) {
      return;
    }
    try {
      current.commit();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Log mode cannot count unpublished rows cheaply: -1; see {@link #logLag()}. */
  @Override
  public Backlog backlog() {
    try {
      lagBytes = lagProbe.bytesBehind();
    } catch (Exception e) {
      log.debug("Cannot measure the replication lag: {}", e.getMessage());
      lagBytes = -1;
    }
    return new Backlog(-1, false, null);
  }

  @Override
  public LogLag logLag() {
    return new LogLag(lagBytes, lagMs);
  }

  @Override
  public CaptureStall stall() {
    return CaptureStall.NONE;
  }

  @Override
  public void close() {
    closed = true;
    SourceTask current = task;
    if (current != null) {
      stopQuietly(current);
    }
    lagProbe.close();
  }

  private static void stopQuietly(SourceTask task) {
    try {
      task.stop();
    } catch (RuntimeException e) {
      log.warn("Stopping Debezium's task failed: {}", e.getMessage());
    }
  }
}
