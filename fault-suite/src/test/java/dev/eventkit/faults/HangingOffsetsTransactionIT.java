package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventkit.testkit.audit.DeliveryAudit;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The stall Kafka can leave after its brokers restart, made on purpose: a transaction held open on
 * a partition of the workers' offsets topic. Running exactly-once tasks go on publishing (they
 * never read the offsets), but a task that (re)starts waits inside Connect's own start, reading its
 * offsets {@code read_committed} behind the open transaction, while the REST API reports it
 * RUNNING. What the README's operating notes promise is checked here: the connector's {@code
 * OffsetsReadWaitMs} rises, the waiting task has no Eventkit metrics, and aborting the transaction
 * as the notes describe ({@code kafka-transactions.sh abort} from its partition and start offset)
 * releases the task with every committed event published once, in order.
 */
class HangingOffsetsTransactionIT {

  /** How long the stall is held and watched before the release. */
  private static final Duration HELD = Duration.ofSeconds(15);

  private static final int RESTARTED_TASK = 1;

  @Test
  void aTaskStartingBehindAnOpenOffsetsTransactionIsSeenWaitingAndReleasedByTheAbort()
      throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      ConnectCluster cluster = pipeline.cluster();
      String offsetsTopic = cluster.groupConfig().get("offset.storage.topic");
      Duration slice = FaultPipeline.duration().dividedBy(2);
      pipeline.startWriting();
      assertThat(OperatorView.offsetsReadWaitMs(FaultPipeline.OUTBOX))
          .as("the connector's OffsetsReadWaitMs before the fault")
          .isNotNull()
          .isLessThan(HELD.toMillis());

      pipeline.keepWriting(slice);
      try (KafkaProducer<byte[], byte[]> holder = transactionHolder(cluster)) {
        pipeline.inject(
            "task " + RESTARTED_TASK + " restarted behind a transaction open on the offsets topic",
            () -> {
              TopicPartition held = new TopicPartition(offsetsTopic, 0);
              long startOffset = openTransaction(holder, held);

              cluster
                  .post(
                      "connectors/"
                          + FaultPipeline.OUTBOX
                          + "/tasks/"
                          + RESTARTED_TASK
                          + "/restart",
                      "")
                  .expectSuccess("restart task " + RESTARTED_TASK);
              await("the restarted task waiting, seen as the operating notes describe")
                  .during(HELD)
                  .atMost(HELD.plusSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(() -> restartedTaskSeenWaiting(cluster));
              assertThat(OperatorView.offsetsReadWaitMs(FaultPipeline.OUTBOX))
                  .as("the connector's OffsetsReadWaitMs while the transaction is open")
                  .isGreaterThan(HELD.toMillis() / 2);

              abortAsTheNotesDescribe(cluster, held, startOffset);
            });
      }
      await("the connector's offsets readable again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> OperatorView.offsetsReadWaitMs(FaultPipeline.OUTBOX) < HELD.toMillis() / 2);
      assertThat(OperatorView.tasks(FaultPipeline.OUTBOX, FaultPipeline.TASKS))
          .as("every task started, its Eventkit metrics registered")
          .allMatch(OperatorView.Task::eventkitMetricsRegistered);
      pipeline.keepWriting(slice);

      DeliveryAudit.Verdict verdict = pipeline.finish();

      assertThat(verdict.clean()).as(verdict.line()).isTrue();
      assertThat(verdict.faults()).isEqualTo(1);
    }
  }

  /**
   * A transactional producer whose transaction may stay open for the whole test (the broker's
   * default {@code transaction.max.timeout.ms} is 15 minutes).
   */
  private static KafkaProducer<byte[], byte[]> transactionHolder(ConnectCluster cluster) {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "eventkit-faults-offsets-holder",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                (int) Duration.ofMinutes(10).toMillis()),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  /**
   * Opens a transaction with one record on {@code partition} and leaves it open; returns the
   * record's offset, where the transaction starts. The record names no connector Connect knows, and
   * it is aborted in the end.
   */
  private static long openTransaction(
      KafkaProducer<byte[], byte[]> producer, TopicPartition partition) throws Exception {
    producer.beginTransaction();
    RecordMetadata written =
        producer
            .send(
                new ProducerRecord<>(
                    partition.topic(),
                    partition.partition(),
                    "[\"eventkit-faults-holder\",{\"held\":true}]".getBytes(StandardCharsets.UTF_8),
                    null))
            .get(30, TimeUnit.SECONDS);
    return written.offset();
  }

  /**
   * What operators see while the restarted task waits: REST says RUNNING (Connect keeps the stopped
   * instance's status until the new one has started), and Eventkit's metrics for the task are
   * missing, because Connect has not called its {@code start}.
   */
  private static boolean restartedTaskSeenWaiting(ConnectCluster cluster) {
    String rest =
        cluster
            .status(FaultPipeline.OUTBOX)
            .path("tasks")
            .path(RESTARTED_TASK)
            .path("state")
            .asText();
    OperatorView.Task task =
        OperatorView.tasks(FaultPipeline.OUTBOX, FaultPipeline.TASKS).get(RESTARTED_TASK);
    return "RUNNING".equals(rest) && !task.eventkitMetricsRegistered();
  }

  /**
   * {@code kafka-transactions.sh abort --topic T --partition P --start-offset O}: finds the
   * producer whose transaction starts at that offset and writes the abort marker for it.
   */
  private static void abortAsTheNotesDescribe(
      ConnectCluster cluster, TopicPartition partition, long startOffset) throws Exception {
    try (Admin admin = cluster.kafka().createAdminClient()) {
      List<ProducerState> open =
          admin
              .describeProducers(List.of(partition))
              .partitionResult(partition)
              .get(30, TimeUnit.SECONDS)
              .activeProducers()
              .stream()
              .filter(p -> p.currentTransactionStartOffset().orElse(-1) == startOffset)
              .toList();
      assertThat(open).as("the transaction open on %s from %d", partition, startOffset).hasSize(1);
      ProducerState producer = open.get(0);
      admin
          .abortTransaction(
              new AbortTransactionSpec(
                  partition,
                  producer.producerId(),
                  (short) producer.producerEpoch(),
                  producer.coordinatorEpoch().orElse(0)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
