package dev.eventkit.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * What a scenario prints when the pipeline did not recover in time, so that a stall can be told
 * apart and reported upstream from the output alone: where each task thread of this JVM is, every
 * transaction the coordinator lists, and every transaction open on a partition of the pipeline's
 * topics. A partition's open transaction that its coordinator does not know (see {@link #find}) is
 * a hanging one: a {@code read_committed} reader (Connect's own offset reader included) cannot pass
 * it. {@link #abortHanging} ends those as {@code kafka-transactions.sh abort} would.
 */
final class StallEvidence {

  private static final int FRAMES = 40;

  /** An open transaction on a partition that its coordinator does not know. */
  record Hanging(TopicPartition partition, ProducerState producer, String coordinatorSays) {
    AbortTransactionSpec abort() {
      return new AbortTransactionSpec(
          partition,
          producer.producerId(),
          (short) producer.producerEpoch(),
          producer.coordinatorEpoch().orElse(0));
    }

    @Override
    public String toString() {
      return String.format(
          "hanging transaction on %s: producer %d epoch %d from offset %d; the coordinator: %s",
          partition,
          producer.producerId(),
          producer.producerEpoch(),
          producer.currentTransactionStartOffset().orElse(-1),
          coordinatorSays);
    }
  }

  private StallEvidence() {}

  /** Prints the evidence, the hanging transactions on {@code topics} included. */
  static void print(
      ConnectCluster cluster, String connector, List<OperatorView.Task> seen, List<String> topics) {
    System.out.println("== The pipeline did not recover: evidence ==");
    printWhatOperatorsSee(cluster, connector, seen);
    printTaskThreads();
    try {
      find(cluster, topics, true).forEach(System.out::println);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      System.out.println("Could not describe the transactions: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.out.println("== end of evidence ==");
  }

  /**
   * Aborts the hanging transactions on {@code topics} (Admin {@code abortTransaction}, what {@code
   * kafka-transactions.sh abort} sends) that the operating notes allow to abort, and returns them:
   * those whose producer id and epoch also hang on {@code offsetsTopic}, since aborting them drops
   * the events and their offsets together and the task publishes those rows again. A transaction
   * hanging on the events only is left alone and printed: its offsets may be committed, so aborting
   * it could lose its events.
   */
  static List<Hanging> abortHanging(
      ConnectCluster cluster, List<String> topics, String offsetsTopic)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<Hanging> hanging = find(cluster, topics, false);
    List<Hanging> abortable =
        hanging.stream()
            .filter(
                h ->
                    hanging.stream()
                        .anyMatch(
                            o ->
                                o.partition().topic().equals(offsetsTopic)
                                    && o.producer().producerId() == h.producer().producerId()
                                    && o.producer().producerEpoch()
                                        == h.producer().producerEpoch()))
            .toList();
    hanging.stream()
        .filter(h -> !abortable.contains(h))
        .forEach(
            h ->
                System.out.println(
                    "not aborting the "
                        + h
                        + ": its producer has no transaction hanging on "
                        + offsetsTopic
                        + ", so the notes say to look further"));
    try (Admin admin = cluster.admin()) {
      for (Hanging h : abortable) {
        System.out.println("aborting the " + h);
        admin.abortTransaction(h.abort()).all().get(30, TimeUnit.SECONDS);
      }
    }
    return abortable;
  }

  /**
   * What an operator's monitoring shows for {@code connector}: each task's state over REST, and the
   * task metrics of this JVM's workers ({@code seen}), Eventkit's and Connect's.
   */
  private static void printWhatOperatorsSee(
      ConnectCluster cluster, String connector, List<OperatorView.Task> seen) {
    try {
      JsonNode status = cluster.status(connector);
      System.out.printf(
          "REST: connector %s on %s%n",
          status.path("connector").path("state").asText(),
          status.path("connector").path("worker_id").asText());
      for (JsonNode task : status.path("tasks")) {
        System.out.printf(
            "REST: task %s %s on %s%n",
            task.path("id").asText(), task.path("state").asText(), task.path("worker_id").asText());
      }
    } catch (RuntimeException e) {
      System.out.println("REST: no status: " + e);
    }
    for (OperatorView.Task task : seen) {
      System.out.println("JMX: " + task);
    }
    System.out.println("JMX: " + OperatorView.connector(connector));
  }

  private static void printTaskThreads() {
    for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
      if (!thread.getKey().getName().startsWith("task-thread-")) {
        continue;
      }
      System.out.printf("%s (%s)%n", thread.getKey().getName(), thread.getKey().getState());
      StackTraceElement[] frames = thread.getValue();
      for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
        System.out.println("    at " + frames[i]);
      }
    }
  }

  /**
   * The open transactions on {@code topics} that the coordinator does not know: open in a first
   * look at the partitions, not ongoing (nor being completed) for that producer, epoch and
   * partition in the coordinator's description taken after it, and still open from the same offset
   * in a second look after that. A live transaction is known to its coordinator before its first
   * record reaches a partition, and one being completed has lost its open state by the second look,
   * so neither is taken for hanging.
   */
  private static List<Hanging> find(ConnectCluster cluster, List<String> topics, boolean print)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<Hanging> hanging = new ArrayList<>();
    try (Admin admin = cluster.admin()) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicDescription topic :
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        topic
            .partitions()
            .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
      }
      Map<TopicPartition, List<ProducerState>> first = openTransactions(admin, partitions);

      List<String> ids = new ArrayList<>();
      for (TransactionListing listing : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
        ids.add(listing.transactionalId());
      }
      Map<Long, TransactionDescription> coordinator = new HashMap<>();
      for (Map.Entry<String, TransactionDescription> description :
          admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS).entrySet()) {
        TransactionDescription d = description.getValue();
        coordinator.put(d.producerId(), d);
        if (print) {
          System.out.printf(
              "transaction %s: producer %d epoch %d, %s, partitions %s%n",
              description.getKey(),
              d.producerId(),
              d.producerEpoch(),
              d.state(),
              d.topicPartitions());
        }
      }

      Map<TopicPartition, List<ProducerState>> second =
          openTransactions(admin, new ArrayList<>(first.keySet()));
      for (Map.Entry<TopicPartition, List<ProducerState>> partition : first.entrySet()) {
        for (ProducerState producer : partition.getValue()) {
          TransactionDescription known = coordinator.get(producer.producerId());
          boolean live =
              known != null
                  && known.producerEpoch() == producer.producerEpoch()
                  && (known.state() == TransactionState.PREPARE_COMMIT
                      || known.state() == TransactionState.PREPARE_ABORT
                      || (known.state() == TransactionState.ONGOING
                          && known.topicPartitions().contains(partition.getKey())));
          boolean stillOpen =
              second.getOrDefault(partition.getKey(), List.of()).stream()
                  .anyMatch(
                      p ->
                          p.producerId() == producer.producerId()
                              && p.producerEpoch() == producer.producerEpoch()
                              && p.currentTransactionStartOffset()
                                  .equals(producer.currentTransactionStartOffset()));
          if (!live && stillOpen) {
            hanging.add(
                new Hanging(
                    partition.getKey(),
                    producer,
                    known == null
                        ? "no transaction of this producer"
                        : "epoch " + known.producerEpoch() + ", " + known.state()));
          } else if (print) {
            System.out.printf(
                "open transaction on %s: producer %d epoch %d from offset %d (%s)%n",
                partition.getKey(),
                producer.producerId(),
                producer.producerEpoch(),
                producer.currentTransactionStartOffset().getAsLong(),
                live ? "live" : "ended since");
          }
        }
      }
    }
    return hanging;
  }

  /** Per partition, the producers with a transaction open on it. */
  private static Map<TopicPartition, List<ProducerState>> openTransactions(
      Admin admin, List<TopicPartition> partitions)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionProducerState> partition :
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).entrySet()) {
      for (ProducerState producer : partition.getValue().activeProducers()) {
        if (producer.currentTransactionStartOffset().isPresent()) {
          open.computeIfAbsent(partition.getKey(), p -> new ArrayList<>()).add(producer);
        }
      }
    }
    return open;
  }
}
