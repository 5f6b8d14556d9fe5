package dev.eventkit.connect.outbox.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the connector's committed source offsets at a fixed delay, the read every starting task
 * makes, and reports in {@link OutboxConnectorMetrics} how long the current read has waited.
 *
 * <p>Connect reads a source task's offsets to the end of the offsets topic before it calls the
 * task's {@code start}. With exactly-once support (or a connector-specific offsets topic) that read
 * is {@code read_committed}, so a transaction left open on the offsets topic (Kafka can leave one
 * after its brokers restart) holds every starting task back for good while the REST API reports it
 * RUNNING, and none of the task's own code runs to report anything. The connector's read waits
 * behind the same transaction, so its wait rises instead, and is logged every {@link
 * #DEFAULT_WARN_AFTER} while it lasts. Without exactly-once (and without a connector-specific
 * offsets topic) the offsets are read {@code read_uncommitted}: an open transaction does not hold
 * the read, though an offsets partition without a leader still does.
 *
 * <p>Connect logs an ERROR of its own for every read that fails, so after a failure the probe waits
 * twice as long before each further read, up to {@link #MAX_FAILURE_BACKOFF}, until one succeeds.
 */
public final class OffsetsReadProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OffsetsReadProbe.class);

  /**
   * A read waiting longer than this is logged, and again after each further period: longer than a
   * transaction of a crashed producer stays open by default ({@code transaction.timeout.ms}, 60 s)
   * before its coordinator aborts it.
   */
  public static final Duration DEFAULT_WARN_AFTER = Duration.ofMinutes(2);

  /** The longest wait between reads while they keep failing. */
  static final Duration MAX_FAILURE_BACKOFF = Duration.ofMinutes(5);

  private final String connector;
  private final OffsetStorageReader reader;
  private final OutboxConnectorMetrics metrics;
  private final long warnAfterMs;
  private final long intervalNanos;
  private final ScheduledExecutorService executor;
  private volatile boolean closed;
  private long warnedAtWaitMs;
  private int consecutiveFailures;
  private long nextReadNanos;

  private OffsetsReadProbe(
      String connector,
      OffsetStorageReader reader,
      OutboxConnectorMetrics metrics,
      Duration interval,
      Duration warnAfter) {
    this.connector = connector;
    this.intervalNanos = interval.toNanos();
    this.reader = reader;
    this.metrics = metrics;
    this.warnAfterMs = warnAfter.toMillis();
    // Two threads: a read may block for as long as the offsets topic cannot be read, and the
    // warning must still be written meanwhile.
    this.executor =
        Executors.newScheduledThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "eventkit-offsets-probe-" + connector);
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts reading every {@code interval}, warning after {@code warnAfter} of waiting; {@link
   * #close} stops it.
   */
  public static OffsetsReadProbe start(
      String connector,
      OffsetStorageReader reader,
      OutboxConnectorMetrics metrics,
      Duration interval,
      Duration warnAfter) {
    OffsetsReadProbe probe = new OffsetsReadProbe(connector, reader, metrics, interval, warnAfter);
    long every = interval.toMillis();
    probe.executor.scheduleWithFixedDelay(probe::readOnce, 0, every, TimeUnit.MILLISECONDS);
    long check = Math.min(every, Math.max(1, warnAfter.toMillis() / 4));
    probe.executor.scheduleWithFixedDelay(
        probe::warnIfWaiting, check, check, TimeUnit.MILLISECONDS);
    return probe;
  }

  private void readOnce() {
    long now = System.nanoTime();
    if (closed || now - nextReadNanos < 0) {
      return;
    }
    metrics.recordReadStarted(now);
    boolean finished = false;
    try {
      // No partition is needed: the reader reads to the end of the offsets topic whatever it is
      // asked for, which is the read that can hang.
      reader.offsets(List.<Map<String, Object>>of());
      finished = true;
      consecutiveFailures = 0;
    } catch (Throwable e) { // an Error too: the next read must still run, and be seen
      if (closed) {
        // Stopping: Connect closes the reader after stopping the connector, which ends a waiting
        // read with an exception.
        return;
      }
      long failedAt = System.nanoTime();
      metrics.recordReadFailed(failedAt);
      finished = true;
      consecutiveFailures++;
      long backoff =
          Math.min(
              MAX_FAILURE_BACKOFF.toNanos(),
              intervalNanos << Math.min(consecutiveFailures, 20)); // 2, 4, 8... intervals
      nextReadNanos = failedAt + backoff;
      if (consecutiveFailures == 1) {
        log.warn(
            "Connector {} could not read its committed source offsets; it tries again less and"
                + " less often while reads fail, further failures are counted in"
                + " OffsetsReadFailures and logged at DEBUG until a read succeeds",
            connector,
            e);
      } else {
        log.debug("Connector {} could not read its committed source offsets", connector, e);
      }
    } finally {
      if (finished) {
        metrics.recordReadFinished(System.nanoTime());
      }
    }
  }

  private void warnIfWaiting() {
    long waitMs = metrics.getOffsetsReadWaitMs();
    if (waitMs < warnAfterMs) {
      warnedAtWaitMs = 0;
      return;
    }
    if (warnedAtWaitMs == 0 || waitMs - warnedAtWaitMs >= warnAfterMs) {
      warnedAtWaitMs = waitMs;
      log.warn(
          "Connector {} has waited {} s to read its committed source offsets to the end of the"
              + " offsets topic. A task (re)starting now waits as well, while Connect reports it"
              + " RUNNING. With exactly-once support this usually means a transaction left open on"
              + " the offsets topic: see the README's operating notes on a hanging transaction.",
          connector,
          waitMs / 1000);
    }
  }

  /**
   * Stops reading. A read waiting now is not interrupted (Connect would log an ERROR for it): when
   * Connect stops the connector for good it closes the connector's offset reader right after, which
   * ends the read; when it pauses the connector the reader stays open and the read ends when the
   * offsets topic can be read again.
   */
  @Override
  public void close() {
    closed = true;
    executor.shutdown();
  }
}
