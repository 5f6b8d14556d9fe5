package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPollingCapture;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;

/** Chooses the capture for a task's config: the only place that knows every capture. */
public final class OutboxCaptures {

  private OutboxCaptures() {}

  /**
   * Builds the capture of one task, positioned where Connect's committed offsets say.
   *
   * @param offsets reads committed offsets for a collection of source partitions
   */
  public static OutboxCapture create(
      OutboxSourceConnectorConfig config,
      PostgresPollingCapture.ConnectionFactory connections,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    if (!OutboxSourceConnectorConfig.CAPTURE_MODE_POLL.equals(config.captureMode())) {
      throw new IllegalArgumentException(
          OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG
              + "="
              + config.captureMode()
              + " is not available in this release; use poll");
    }
    return PostgresPollingCapture.resume(
        connections,
        new PostgresPollingCapture.Settings(
            config.tableName(),
            config.columns(),
            config.taskBucket(),
            config.taskBucketCount(),
            config.pollMaxRows(),
            config.notifyChannel().orElse(null),
            config.deleteAfterPublish(),
            config.cleanupBatchSize()),
        offsets);
  }

  /**
   * Checks a partition and offset given to the KIP-875 offsets API.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validateOffset(
      OutboxSourceConnectorConfig config, Map<String, ?> partition, Map<String, ?> offset) {
    PostgresPollingCapture.validateOffset(partition, offset);
  }
}
