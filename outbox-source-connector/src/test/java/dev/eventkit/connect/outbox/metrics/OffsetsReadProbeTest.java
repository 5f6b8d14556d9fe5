package dev.eventkit.connect.outbox.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventkit.testkit.logging.LogCapture;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

class OffsetsReadProbeTest {

  private static final Duration INTERVAL = Duration.ofMillis(10);
  private static final Duration NO_WARNING = Duration.ofHours(1);

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  @Test
  void aReadThatDoesNotFinishShowsAsARisingWaitUntilItFinishes() throws Exception {
    CountDownLatch offsetsTopicReadable = new CountDownLatch(1);
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() throws InterruptedException {
            offsetsTopicReadable.await();
          }
        };
    Duration onlyOneRead = Duration.ofHours(1);
    try (OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-stall");
        OffsetsReadProbe probe =
            OffsetsReadProbe.start("probe-stall", reader, metrics, onlyOneRead, NO_WARNING)) {
      var name = metrics.objectName();
      assertThat(metrics.getOffsetsLastReadMs()).isEqualTo(-1);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> (Long) server.getAttribute(name, "OffsetsReadWaitMs") > 300);
      long waited = metrics.getOffsetsReadWaitMs();
      await().atMost(Duration.ofSeconds(10)).until(() -> metrics.getOffsetsReadWaitMs() > waited);

      offsetsTopicReadable.countDown();

      await().atMost(Duration.ofSeconds(10)).until(() -> metrics.getOffsetsReadWaitMs() == 0);
      assertThat(metrics.getOffsetsLastReadMs()).isGreaterThan(waited);
      assertThat(metrics.getOffsetsReadFailures()).isZero();
    }
  }

  @Test
  void aFailedReadIsCountedAndTheNextOneStillRunsEvenAfterAnError() {
    AtomicInteger reads = new AtomicInteger();
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() {
            if (reads.incrementAndGet() == 1) {
              throw new NoClassDefFoundError("org/example/Missing");
            }
          }
        };
    try (OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-fails");
        OffsetsReadProbe probe =
            OffsetsReadProbe.start("probe-fails", reader, metrics, INTERVAL, NO_WARNING)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 3);

      assertThat(metrics.getOffsetsReadFailures()).isEqualTo(1);
      assertThat(metrics.getOffsetsLastReadMs()).isNotNegative();
      assertThat(metrics.getOffsetsReadWaitMs()).isLessThan(1_000);
    }
  }

  @Test
  void readsThatKeepFailingAreTriedLessAndLessOften() {
    AtomicInteger reads = new AtomicInteger();
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() {
            reads.incrementAndGet();
            throw new ConnectException("Failed to fetch offsets.");
          }
        };
    long started = System.nanoTime();
    try (OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-backoff");
        OffsetsReadProbe probe =
            OffsetsReadProbe.start("probe-backoff", reader, metrics, INTERVAL, NO_WARNING)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 6);

      // After failures 1 to 5 the probe waited 2, 4, 8, 16 and 32 intervals of 10 ms: at a fixed
      // 10 ms the six reads would take 50 ms.
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThan(Duration.ofMillis(620));
      assertThat(metrics.getOffsetsReadFailures()).isEqualTo(reads.get());
    }
  }

  @Test
  void closingLeavesAWaitingReadToConnectWhichEndsItByClosingTheReader() throws Exception {
    CountDownLatch readerClosed = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    CountDownLatch interrupted = new CountDownLatch(1);
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() throws InterruptedException {
            reads.incrementAndGet();
            try {
              readerClosed.await();
            } catch (InterruptedException e) {
              interrupted.countDown(); // Connect would log an ERROR for an interrupted read
              throw e;
            }
            // What Connect's reader throws when it is closed under a waiting read.
            throw new ConnectException("Offset reader closed while attempting to read offsets.");
          }
        };
    OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-close");
    OffsetsReadProbe probe =
        OffsetsReadProbe.start("probe-close", reader, metrics, INTERVAL, NO_WARNING);
    var name = metrics.objectName();
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.getOffsetsReadWaitMs() > 0);

    probe.close();
    metrics.close();
    readerClosed.countDown();

    assertThat(server.isRegistered(name)).isFalse();
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(10))
        .until(() -> reads.get() == 1 && metrics.getOffsetsReadFailures() == 0);
    assertThat(interrupted.getCount()).as("the waiting read interrupted").isEqualTo(1);
  }

  @Test
  void aLongWaitIsLoggedOnceAPeriodAndFailuresOnceUntilAReadSucceeds() throws Exception {
    CountDownLatch offsetsTopicReadable = new CountDownLatch(1);
    AtomicInteger reads = new AtomicInteger();
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() throws InterruptedException {
            int read = reads.incrementAndGet();
            if (read <= 3) {
              throw new ConnectException("Failed to fetch offsets.");
            }
            if (read == 4) {
              offsetsTopicReadable.await();
            }
          }
        };
    try (LogCapture logs = new LogCapture();
        OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-warn");
        OffsetsReadProbe probe =
            OffsetsReadProbe.start(
                "probe-warn", reader, metrics, INTERVAL, Duration.ofMillis(300))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(logs, "Connector probe-warn has waited") >= 2);
      long waitedMs = metrics.getOffsetsReadWaitMs();
      offsetsTopicReadable.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() > 5);

      assertThat(metrics.getOffsetsReadFailures()).isEqualTo(3);
      assertThat(count(logs, "could not read its committed source offsets; it tries again"))
          .as("failures logged at WARN")
          .isEqualTo(1);
      assertThat(count(logs, "Connector probe-warn has waited"))
          .as("one warning per 300 ms of waiting")
          .isBetween(2L, waitedMs / 300 + 2);
    }
  }

  private static long count(LogCapture logs, String text) {
    return logs.lines().stream().filter(line -> line.contains(text)).count();
  }

  /** A reader whose every call runs {@link #read}, answering nothing. */
  private abstract static class Reader implements OffsetStorageReader {

    abstract void read() throws InterruptedException;

    @Override
    public <T> Map<String, Object> offset(Map<String, T> partition) {
      throw new UnsupportedOperationException("the probe reads through offsets()");
    }

    @Override
    public <T> Map<Map<String, T>, Map<String, Object>> offsets(
        Collection<Map<String, T>> partitions) {
      try {
        read();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectException(e);
      }
      return Map.of();
    }
  }
}
