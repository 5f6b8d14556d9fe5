package dev.eventkit.testkit.connect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;

/**
 * Creates topics on the test cluster and reads them from the beginning, as raw bytes with headers.
 */
public final class Topics {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;

  Topics(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /** The topics of the Kafka cluster at {@code bootstrapServers}. */
  public static Topics at(String bootstrapServers) {
    return new Topics(bootstrapServers);
  }

  /**
   * Reads {@code topic} from the start until at least {@code expected} records arrived, or fails
   * after {@code timeout} saying how many did.
   */
  public List<ConsumerRecord<byte[], byte[]>> consume(
      String topic, int expected, Duration timeout, IsolationLevel isolation) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
      List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    if (records.size() < expected) {
      throw new AssertionError(
          "Expected at least "
              + expected
              + " records on "
              + topic
              + " within "
              + timeout
              + " but read "
              + records.size());
    }
    return records;
  }

  /** As {@link #consume(String, int, Duration, IsolationLevel)} with {@code read_uncommitted}. */
  public List<ConsumerRecord<byte[], byte[]>> consume(
      String topic, int expected, Duration timeout) {
    return consume(topic, expected, timeout, IsolationLevel.READ_UNCOMMITTED);
  }

  /**
   * Reads everything {@code topic} holds right now (up to the end offsets taken at the start), so a
   * test can assert nothing more arrived.
   */
  public List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, IsolationLevel isolation) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
      List<TopicPartition> partitions =
          awaitPartitions(consumer, topic, System.nanoTime() + Duration.ofSeconds(30).toNanos());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + topic + " up to its end offsets " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** The end offset (high watermark) of each partition of {@code topic} now. */
  public Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(IsolationLevel.READ_UNCOMMITTED)) {
      return consumer.endOffsets(
          awaitPartitions(consumer, topic, System.nanoTime() + Duration.ofSeconds(30).toNanos()));
    }
  }

  /** Whether the topic exists on the cluster. */
  public boolean exists(String topic) {
    try (Admin admin = admin()) {
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw new IllegalStateException("Could not describe topic " + topic, e);
    } catch (InterruptedException | TimeoutException e) {
      throw interruptedOrTimedOut("describe topic " + topic, e);
    }
  }

  /** Creates a topic with one replica per partition. */
  public void create(String topic, int partitions) {
    create(topic, partitions, 1);
  }

  /** Creates a topic whose partitions have {@code replicas} replicas each. */
  public void create(String topic, int partitions, int replicas) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) replicas)))
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Could not create topic " + topic, e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw interruptedOrTimedOut("create topic " + topic, e);
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  private static IllegalStateException interruptedOrTimedOut(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new IllegalStateException("Could not " + what + " within " + ADMIN_TIMEOUT, e);
  }

  private KafkaConsumer<byte[], byte[]> consumer(IsolationLevel isolation) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> awaitPartitions(
      KafkaConsumer<byte[], byte[]> consumer, String topic, long deadline) {
    List<PartitionInfo> infos =
        Awaitility.await("partitions of topic " + topic)
            .atMost(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(5)), p -> !p.isEmpty());
    return infos.stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .collect(Collectors.toList());
  }
}
