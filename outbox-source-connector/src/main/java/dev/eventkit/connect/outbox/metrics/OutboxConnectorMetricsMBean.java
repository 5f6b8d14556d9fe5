package dev.eventkit.connect.outbox.metrics;

/**
 * What the connector itself sees, registered as {@code
 * dev.eventkit.connect:type=outbox-source-connector,connector=NAME} on the worker running the
 * connector. The connector reads its committed source offsets every few seconds the way a starting
 * task does: a read that does not finish is what holds a starting task back (with exactly-once
 * support, a transaction left open on the offsets topic), while Connect reports it RUNNING.
 */
public interface OutboxConnectorMetricsMBean {

  /**
   * How long the connector's current read of its committed offsets has been waiting, 0 when no read
   * is waiting. It rises without bound while the offsets topic cannot be read to its end; a task
   * starting meanwhile cannot start either.
   */
  long getOffsetsReadWaitMs();

  /**
   * How long the last read of the committed offsets took until it returned or failed, -1 before the
   * first one.
   */
  long getOffsetsLastReadMs();

  /**
   * Reads of the committed offsets that failed since the connector started (the first of a run of
   * failures is logged at WARN; the probe then reads less and less often until a read succeeds).
   */
  long getOffsetsReadFailures();
}
