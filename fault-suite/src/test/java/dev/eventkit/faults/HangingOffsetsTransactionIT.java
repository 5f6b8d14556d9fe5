package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.eventkit.testkit.audit.DeliveryAudit;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * never read the offsets), but a task or connector that (re)starts waits inside Connect's own
 * start, reading its offsets {@code read_committed} behind the open transaction, while the REST API
 * reports the task RUNNING and the connector UNASSIGNED. What the README's operating notes promise
 * is checked here: the running connector's {@code OffsetsReadWaitMs} rises; a waiting task, and a
 * waiting connector, have no Eventkit MBean; and aborting the transaction by its partition and
 * start offset ({@code kafka-transactions.sh abort}) releases them with every committed event
 * published once, in order.
 */
class HangingOffsetsTransactionIT {

  /** How long each waiting start is watched before the next step. */
  private static final Duration HELD = Duration.ofSeconds(10);

  private static final int RESTARTED_TASK = 1;

  private static final String OUTBOX = "connectors/" + FaultPipeline.OUTBOX;

  @Test
  void startsBehindAnOpenOffsetsTransactionAreSeenWaitingAndReleasedByTheAbort() throws Exception {
    try (FaultPipeline pipeline = FaultPipeline.start()) {
      ConnectCluster cluster = pipeline.cluster();
      String offsetsTopic = cluster.groupConfig().get("offset.storage.topic");
      Duration slice = FaultPipeline.duration().dividedBy(2);
      pipeline.startWriting();
      OperatorView.Connector before = OperatorView.connector(FaultPipeline.OUTBOX);
      assertThat(before.offsetsLastReadMs())
          .as("the connector's last read of its offsets before the fault, ms (%s)", before)
          .isBetween(0L, 5_000L);
      assertThat(before.offsetsReadFailures()).isZero();

      pipeline.keepWriting(slice);
      try (KafkaProducer<byte[], byte[]> holder = transactionHolder(cluster)) {
        pipeline.inject(
            "task and connector restarted behind a transaction open on the offsets topic",
            () -> {
              TopicPartition held = new TopicPartition(offsetsTopic, 0);
              long startOffset = openTransaction(holder, held);

              cluster
                  .post(OUTBOX + "/tasks/" + RESTARTED_TASK + "/restart", "")
                  .expectSuccess("restart task " + RESTARTED_TASK);
              await("the restarted task waiting, as the operating notes describe it")
                  .during(HELD)
                  .atMost(HELD.plusSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(() -> restartedTaskSeenWaiting(cluster));
              // Past the probe's 5 s interval: one read waiting, not a probe reading again.
              await("the running connector's OffsetsReadWaitMs rising past 6 s")
                  .atMost(Duration.ofSeconds(20))
                  .pollInterval(Duration.ofMillis(250))
                  .until(
                      () ->
                          OperatorView.connector(FaultPipeline.OUTBOX).offsetsReadWaitMs() > 6_000);

              // Connect answers a connector restart once the new instance has started: not now.
              CompletableFuture<ConnectCluster.RestResponse> restart =
                  CompletableFuture.supplyAsync(() -> cluster.post(OUTBOX + "/restart", ""));
              await("the restarted connector waiting, as the operating notes describe it")
                  .during(HELD)
                  .atMost(HELD.plusSeconds(30))
                  .pollInterval(Duration.ofMillis(500))
                  .until(() -> restartedConnectorSeenWaiting(cluster));
              assertThat(restart)
                  .as("the connector restart's REST answer, before the connector could start")
                  .satisfiesAnyOf(
                      r -> assertThat(r).isNotDone(),
                      // forwarded to the worker running the connector, the call gives up after 30 s
                      r -> assertThat(r.get().body()).contains("Idle timeout expired"));

              abortAsTheNotesDescribe(cluster, held, startOffset);
              ConnectCluster.RestResponse answer = restart.get(2, TimeUnit.MINUTES);
              System.out.println("the connector restart's REST answer: " + answer);
              if (!answer.body().contains("Idle timeout expired")) {
                assertThat(answer.status())
                    .as("the connector restart's REST answer")
                    .isEqualTo(204);
              }
            });
      }
      await("the connector started again, its offsets readable")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                OperatorView.Connector after = OperatorView.connector(FaultPipeline.OUTBOX);
                return after.eventkitMetricsRegistered()
                    && after.offsetsLastReadMs() >= 0
                    && after.offsetsReadWaitMs() < 5_000;
              });
      assertThat(OperatorView.connector(FaultPipeline.OUTBOX).offsetsReadFailures()).isZero();
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
   * What operators see while the restarted task waits: REST says RUNNING, and Eventkit's metrics
   * for the task are missing, because Connect has not called its {@code start}. (The stopped
   * instance writes UNASSIGNED, but Connect's status store keeps a RUNNING of the same or a later
   * generation over it, {@code KafkaStatusBackingStore.readTaskStatus}; a restart in place keeps
   * the generation.)
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
   * What operators see while the restarted connector waits: REST says UNASSIGNED (the stopped
   * instance's last word; the new one reports only once started), and the connector's Eventkit
   * MBean is missing, because Connect reads the offsets before it calls the connector's {@code
   * start}.
   */
  private static boolean restartedConnectorSeenWaiting(ConnectCluster cluster) {
    String rest = cluster.status(FaultPipeline.OUTBOX).path("connector").path("state").asText();
    return "UNASSIGNED".equals(rest)
        && !OperatorView.connector(FaultPipeline.OUTBOX).eventkitMetricsRegistered();
  }

  /**
   * {@code kafka-transactions.sh abort --topic T --partition P --start-offset O}: finds the
   * producer whose transaction starts at that offset and writes the abort marker for it.
   */
  private static void abortAsTheNotesDescribe(
      ConnectCluster cluster, TopicPartition partition, long startOffset) throws Exception {
    try (Admin admin = cluster.admin()) {
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
