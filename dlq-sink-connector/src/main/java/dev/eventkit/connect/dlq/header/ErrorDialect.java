package dev.eventkit.connect.dlq.header;

import java.util.Locale;

/** Which framework dead-lettered a record, told by its headers. */
public enum ErrorDialect {
  /** Kafka Connect: {@code __connect.errors.*}, all strings. */
  CONNECT,
  /** Spring Kafka's DeadLetterPublishingRecoverer: {@code kafka_dlt-*}, binary numbers. */
  SPRING,
  /** Kafka Streams (KIP-1034): {@code __streams.errors.*}, all strings. */
  STREAMS,
  /** No known error headers: archived as it is, never rejected. */
  UNKNOWN;

  public String columnValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
