package dev.eventkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailedTaskWatchTest {

  /** The status trace of the task Kafka's coordinator failed in CI (docs/reliability.md). */
  private static final String COORDINATOR_FAILURE =
      "org.apache.kafka.connect.errors.ConnectException: Failed to flush offsets and/or records"
          + " for task orders-outbox-2\n"
          + "\tat org.apache.kafka.connect.runtime.ExactlyOnceWorkerSourceTask"
          + ".maybeWrapProducerSendException(ExactlyOnceWorkerSourceTask.java:355)\n"
          + "\tat org.apache.kafka.connect.runtime.ExactlyOnceWorkerSourceTask"
          + ".commitTransaction(ExactlyOnceWorkerSourceTask.java:331)\n"
          + "Caused by: org.apache.kafka.common.errors.InvalidTxnStateException: The producer"
          + " attempted a transactional operation in an invalid state.\n";

  @Test
  void recognisesOnlyTheCommitThatTheCoordinatorRefused() {
    assertThat(FailedTaskWatch.isKnownKafkaFailure(COORDINATOR_FAILURE)).isTrue();
  }

  @Test
  void anyOtherFailureIsNotRestarted() {
    // Our own task failing, even with the same exception somewhere among its causes.
    assertThat(
            FailedTaskWatch.isKnownKafkaFailure(
                "org.apache.kafka.connect.errors.ConnectException: Cannot publish row 42 from"
                    + " table outbox\nCaused by: org.apache.kafka.common.errors"
                    + ".InvalidTxnStateException: wrapped\n"))
        .isFalse();
    // Connect's commit failing for another reason.
    assertThat(
            FailedTaskWatch.isKnownKafkaFailure(
                "org.apache.kafka.connect.errors.ConnectException: Failed to flush offsets and/or"
                    + " records for task orders-outbox-0\nCaused by: org.apache.kafka.common"
                    + ".errors.ProducerFencedException: fenced\n"))
        .isFalse();
    assertThat(FailedTaskWatch.isKnownKafkaFailure("")).isFalse();
  }
}
