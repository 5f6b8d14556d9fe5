package dev.eventkit.connect.enrich;

import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;

/** Small record helpers shared by the transforms. */
final class Records {

  /**
   * The header the outbox connector puts on its log-mode heartbeats (records that only carry a log
   * position, no event); the transforms pass such records through untouched. Same name as {@code
   * OutboxRecordFactory.HEADER_HEARTBEAT}.
   */
  static final String HEARTBEAT_HEADER = "eventkit.heartbeat";

  private Records() {}

  /** Whether the record is an outbox heartbeat rather than an event. */
  static boolean isHeartbeat(ConnectRecord<?> record) {
    return record.headers().lastWithName(HEARTBEAT_HEADER) != null;
  }

  /** The same record with other headers; key, value, schemas and timestamp untouched. */
  static <R extends ConnectRecord<R>> R withHeaders(R record, Headers headers) {
    return record.newRecord(
        record.topic(),
        record.kafkaPartition(),
        record.keySchema(),
        record.key(),
        record.valueSchema(),
        record.value(),
        record.timestamp(),
        headers);
  }

  /**
   * Names a record in error messages: its topic, then the Kafka partition and offset of a sink
   * record, or the source partition and offset of a source record (what finds the row or event
   * upstream, before Kafka assigned an offset).
   */
  static String describe(ConnectRecord<?> record) {
    StringBuilder where = new StringBuilder("topic ").append(record.topic());
    if (record.kafkaPartition() != null) {
      where.append(" partition ").append(record.kafkaPartition());
    }
    if (record instanceof SinkRecord sink) {
      where.append(" offset ").append(sink.kafkaOffset());
    } else if (record instanceof SourceRecord source) {
      where
          .append(" source partition ")
          .append(source.sourcePartition())
          .append(" source offset ")
          .append(source.sourceOffset());
    }
    return where.toString();
  }
}
