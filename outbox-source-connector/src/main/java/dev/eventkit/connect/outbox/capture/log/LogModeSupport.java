package dev.eventkit.connect.outbox.capture.log;

/**
 * Whether the embedded Debezium can run on this worker: Debezium 3.6.1 calls Kafka classes that
 * newer Kafka versions moved (Kafka 4.4 moved {@code org.apache.kafka.common.utils.Sanitizer},
 * which Debezium's metrics use when its task starts).
 */
public final class LogModeSupport {

  /** Names the Kafka class Debezium 3.6.1 needs. */
  static final String REQUIRED_KAFKA_CLASS = "org.apache.kafka.common.utils.Sanitizer";

  public static final String WHY_NOT =
      "capture.mode=log cannot run on this worker: the embedded Debezium 3.6.1 needs "
          + REQUIRED_KAFKA_CLASS
          + ", which this worker's Kafka no longer has (Kafka 4.4 moved it). Log mode is tested on"
          + " Kafka Connect 4.3; use capture.mode=poll on this worker.";

  private LogModeSupport() {}

  /** Whether the worker's Kafka has what Debezium links against. */
  public static boolean workerSupportsDebezium() {
    try {
      Class.forName(REQUIRED_KAFKA_CLASS, false, LogModeSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
