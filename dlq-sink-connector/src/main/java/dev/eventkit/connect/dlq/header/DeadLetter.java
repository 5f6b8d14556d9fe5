package dev.eventkit.connect.dlq.header;

import java.time.Instant;
import java.util.List;

/**
 * A dead-lettered record normalised across dialects: where it sits in the DLQ, where it came from,
 * why it failed, the event it carried, and the raw key, value and headers, byte for byte.
 */
public record DeadLetter(
    String dlqTopic,
    int dlqPartition,
    long dlqOffset,
    Instant dlqTimestamp,
    String originTopic,
    Integer originPartition,
    Long originOffset,
    Instant originTimestamp,
    ErrorDialect dialect,
    String connectorName,
    Integer taskId,
    String stage,
    String failingClass,
    String consumerGroup,
    String exceptionClass,
    String exceptionMessage,
    String exceptionStacktrace,
    String eventId,
    String eventType,
    String correlationId,
    byte[] key,
    byte[] value,
    List<RawHeader> headers) {

  /** Names the record in errors and logs. */
  public String describe() {
    return "dead letter " + dlqTopic + "-" + dlqPartition + "@" + dlqOffset;
  }
}
