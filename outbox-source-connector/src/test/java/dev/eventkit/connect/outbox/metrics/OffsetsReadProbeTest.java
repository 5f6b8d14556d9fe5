package dev.eventkit.connect.outbox.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

class OffsetsReadProbeTest {

  private static final Duration INTERVAL = Duration.ofMillis(10);

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
            OffsetsReadProbe.start("probe-stall", reader, metrics, onlyOneRead)) {
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
  void aFailedReadIsCountedAndTheNextOneStillRuns() {
    AtomicInteger reads = new AtomicInteger();
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() {
            if (reads.incrementAndGet() == 1) {
              throw new ConnectException("Failed to fetch offsets.");
            }
          }
        };
    try (OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-fails");
        OffsetsReadProbe probe = OffsetsReadProbe.start("probe-fails", reader, metrics, INTERVAL)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 3);

      assertThat(metrics.getOffsetsReadFailures()).isEqualTo(1);
      assertThat(metrics.getOffsetsLastReadMs()).isNotNegative();
    }
  }

  @Test
  void closingStopsAWaitingReadAndUnregistersNothingButItsOwn() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    OffsetStorageReader reader =
        new Reader() {
          @Override
          void read() {
            try {
              new CountDownLatch(1).await();
            } catch (InterruptedException e) {
              interrupted.countDown();
              // What Connect's reader does when its wait is cut short.
              throw new ConnectException("Failed to fetch offsets.", e);
            }
          }
        };
    OutboxConnectorMetrics metrics = new OutboxConnectorMetrics().register("probe-close");
    OffsetsReadProbe probe = OffsetsReadProbe.start("probe-close", reader, metrics, INTERVAL);
    var name = metrics.objectName();
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.getOffsetsReadWaitMs() > 0);

    probe.close();
    metrics.close();

    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(metrics.getOffsetsReadFailures()).isZero();
    assertThat(server.isRegistered(name)).isFalse();
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
