package dev.eventkit.testkit.audit;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * Follows the events topic as a {@code read_committed} consumer and keeps the ids of the events
 * published so far: how long after a fault began the pipeline had published every event committed
 * until it ended (the recovery time of that fault).
 */
public final class PublishedProgress implements AutoCloseable {

  private final Set<UUID> published = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread reader;

  private PublishedProgress(String bootstrapServers, String topic, int partitions) {
    reader = new Thread(() -> read(bootstrapServers, topic, partitions), "published-progress");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts following {@code topic} (which exists, with {@code partitions}) from its beginning. */
  public static PublishedProgress follow(String bootstrapServers, String topic, int partitions) {
    return new PublishedProgress(bootstrapServers, topic, partitions);
  }

  /** Distinct events published so far. */
  public long published() {
    rethrow();
    return published.size();
  }

  /**
   * Waits until every one of {@code events} is published and returns how long it took from {@code
   * sinceNanos} ({@link System#nanoTime()} when the fault began).
   */
  public Duration awaitPublished(Set<UUID> events, long sinceNanos, Duration atMost) {
    return awaitPublished(events, sinceNanos, atMost, () -> {});
  }

  /**
   * Like {@link #awaitPublished(Set, long, Duration)}, running {@code check} at every look: a check
   * that throws (a task that failed for good, say) ends the wait at once with its error.
   */
  public Duration awaitPublished(
      Set<UUID> events, long sinceNanos, Duration atMost, Runnable check) {
    Awaitility.await(events.size() + " committed events published")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              rethrow();
              check.run();
              return published.containsAll(events);
            });
    return Duration.ofNanos(System.nanoTime() - sinceNanos);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    reader.join(Duration.ofSeconds(10).toMillis());
  }

  private void rethrow() {
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("Following the events topic failed", e);
    }
  }

  private void read(String bootstrapServers, String topic, int partitionCount) {
    try (KafkaConsumer<byte[], byte[]> consumer = EventsTopic.consumer(bootstrapServers)) {
      List<TopicPartition> partitions =
          IntStream.range(0, partitionCount).mapToObj(p -> new TopicPartition(topic, p)).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          published.add(EventsTopic.eventId(record.value()));
        }
      }
    } catch (RuntimeException | Error e) {
      failure.set(e); // the next look at the progress throws it, rather than timing out
    }
  }
}
