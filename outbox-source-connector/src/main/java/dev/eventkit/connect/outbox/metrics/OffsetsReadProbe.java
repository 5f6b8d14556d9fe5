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
 * task's {@code start}. With exactly-once support that read is {@code read_committed}, so a
 * transaction left open on the offsets topic (Kafka can leave one after its brokers restart) holds
 * every starting task back for good while the REST API reports it RUNNING, and none of the task's
 * own code runs to report anything. The connector's read waits behind the same transaction, so its
 * wait rises instead; it is logged once a minute while it lasts.
 */
public final class OffsetsReadProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OffsetsReadProbe.class);

  /** Between the end of one read and the start of the next. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  /** A read waiting longer than this is logged, and again after each further period. */
  static final Duration WARN_AFTER = Duration.ofMinutes(1);

  private final String connector;
  private final OffsetStorageReader reader;
  private final OutboxConnectorMetrics metrics;
  private final ScheduledExecutorService executor;
  private volatile boolean closed;
  private long warnedAtMs;

  private OffsetsReadProbe(
      String connector, OffsetStorageReader reader, OutboxConnectorMetrics metrics) {
    this.connector = connector;
    this.reader = reader;
    this.metrics = metrics;
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

  /** Starts reading at {@code interval}; {@link #close} stops it. */
  public static OffsetsReadProbe start(
      String connector,
      OffsetStorageReader reader,
      OutboxConnectorMetrics metrics,
      Duration interval) {
    OffsetsReadProbe probe = new OffsetsReadProbe(connector, reader, metrics);
    probe.executor.scheduleWithFixedDelay(
        probe::readOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    probe.executor.scheduleWithFixedDelay(
        probe::warnIfWaiting, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return probe;
  }

  private void readOnce() {
    metrics.recordReadStarted(System.nanoTime());
    try {
      // No partition is needed: the reader reads to the end of the offsets topic whatever it is
      // asked for, which is the read that can hang.
      reader.offsets(List.<Map<String, Object>>of());
      metrics.recordReadFinished(System.nanoTime());
    } catch (RuntimeException e) {
      if (closed) {
        // Connect closes the reader when it stops the connector, which cancels a waiting read.
        return;
      }
      metrics.recordReadFailed(System.nanoTime());
      log.warn("Connector {} could not read its committed source offsets", connector, e);
    }
  }

  private void warnIfWaiting() {
    long waitMs = metrics.getOffsetsReadWaitMs();
    if (waitMs < WARN_AFTER.toMillis()) {
      warnedAtMs = 0;
      return;
    }
    if (warnedAtMs == 0 || waitMs - warnedAtMs >= WARN_AFTER.toMillis()) {
      warnedAtMs = waitMs;
      log.warn(
          "Connector {} has waited {} s to read its committed source offsets to the end of the"
              + " offsets topic. A task (re)starting now waits as well, while Connect reports it"
              + " RUNNING. With exactly-once support this usually means a transaction left open on"
              + " the offsets topic: see the README's operating notes on a hanging transaction.",
          connector,
          waitMs / 1000);
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }
}
