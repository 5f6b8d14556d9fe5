package dev.eventkit.faults;

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
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * What a scenario prints when the pipeline did not recover in time, so that a stall can be told
 * apart and reported upstream from the output alone: where each task thread of this JVM is, every
 * transaction the coordinator lists, and every transaction open on a partition of the pipeline's
 * topics. A partition's transaction open for over two minutes whose producer the coordinator does
 * not list as ongoing is a hanging one: a {@code read_committed} reader (Connect's own offset
 * reader included) cannot pass it. {@link #abortHanging} ends those as {@code kafka-transactions.sh
 * abort} would.
 */
final class StallEvidence {

  private static final int FRAMES = 40;

  /**
   * How long a transaction must have been open, its producer silent, to count as hanging: twice the
   * producers' transaction.timeout.ms (60 s), after which the coordinator aborts any transaction it
   * knows of. Younger ones may be live, and aborting a live one would lose its records.
   */
  private static final long HANGING_AFTER_MS = 120_000;

  /** An open transaction on a partition that its coordinator does not list as ongoing. */
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
  static void print(ConnectCluster cluster, List<String> topics) {
    System.out.println("== The pipeline did not recover: evidence ==");
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
   * Aborts every hanging transaction on {@code topics} (Admin {@code abortTransaction}, what {@code
   * kafka-transactions.sh abort} sends) and returns them.
   */
  static List<Hanging> abortHanging(ConnectCluster cluster, List<String> topics)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<Hanging> hanging = find(cluster, topics, false);
    try (Admin admin = cluster.kafka().createAdminClient()) {
      for (Hanging h : hanging) {
        System.out.println("aborting the " + h);
        admin.abortTransaction(h.abort()).all().get(30, TimeUnit.SECONDS);
      }
    }
    return hanging;
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

  private static List<Hanging> find(ConnectCluster cluster, List<String> topics, boolean print)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<Hanging> hanging = new ArrayList<>();
    try (Admin admin = cluster.kafka().createAdminClient()) {
      Map<Long, TransactionListing> byProducer = new HashMap<>();
      for (TransactionListing listing : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
        byProducer.put(listing.producerId(), listing);
        if (print) {
          System.out.printf(
              "transaction %s: producer %d, %s%n",
              listing.transactionalId(), listing.producerId(), listing.state());
        }
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicDescription topic :
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        topic
            .partitions()
            .forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
      }
      Map<TopicPartition, PartitionProducerState> producers =
          admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, PartitionProducerState> partition : producers.entrySet()) {
        for (ProducerState producer : partition.getValue().activeProducers()) {
          if (producer.currentTransactionStartOffset().isEmpty()) {
            continue;
          }
          TransactionListing listing = byProducer.get(producer.producerId());
          boolean silent = System.currentTimeMillis() - producer.lastTimestamp() > HANGING_AFTER_MS;
          if (silent && (listing == null || listing.state() != TransactionState.ONGOING)) {
            hanging.add(
                new Hanging(
                    partition.getKey(),
                    producer,
                    listing == null
                        ? "no transaction of this producer"
                        : listing.transactionalId() + " is " + listing.state()));
          } else if (print) {
            System.out.printf(
                "open transaction on %s: producer %d epoch %d from offset %d, last written %d ms"
                    + " ago%n",
                partition.getKey(),
                producer.producerId(),
                producer.producerEpoch(),
                producer.currentTransactionStartOffset().getAsLong(),
                System.currentTimeMillis() - producer.lastTimestamp());
          }
        }
      }
    }
    return hanging;
  }
}
