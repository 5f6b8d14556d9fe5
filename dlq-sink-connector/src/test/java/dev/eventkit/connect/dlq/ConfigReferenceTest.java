package dev.eventkit.connect.dlq;

import dev.eventkit.testkit.docs.ConfigReference;
import org.junit.jupiter.api.Test;

/** docs/dlq-sink-connector.md is generated from the ConfigDef and must match it. */
class ConfigReferenceTest {

  private static final String INTRODUCTION =
      """
      `connector.class`: `dev.eventkit.connect.dlq.DlqSinkConnector`

      Archives dead-lettered records losslessly. The connector config must set `key.converter`,
      `value.converter` and `header.converter` to
      `org.apache.kafka.connect.converters.ByteArrayConverter` (validation refuses anything else), so
      keys, values and headers are stored byte for byte.

      Error headers understood: Kafka Connect (`__connect.errors.*`), Spring Kafka (`kafka_dlt-*`, with
      the partition as a 4-byte and offsets/timestamps as 8-byte big-endian numbers) and Kafka Streams
      (`__streams.errors.*`); anything else is archived with `error_dialect` = `unknown`. Event metadata
      is picked up from `event.id`/`event.type`/`correlation.id` or their CloudEvents names
      (`ce_id`, `ce_type`, `ce_correlationid`). When a header appears twice, the last one wins.

      Table columns: `dlq_topic`, `dlq_partition`, `dlq_offset` (unique together), `dlq_timestamp`,
      `archived_at`, `origin_topic`, `origin_partition`, `origin_offset`, `origin_timestamp`,
      `error_dialect`, `connector_name`, `task_id`, `stage`, `failing_class`, `consumer_group`,
      `exception_class`, `exception_message`, `exception_stacktrace`, `event_id`, `event_type`,
      `correlation_id`, `record_key`, `record_value`, `record_headers` (JSON array of
      `{"key", "value"}` or `{"key", "base64"}`; a key with control characters, which PostgreSQL's
      `jsonb` cannot hold when it is NUL, is written as `"key_base64"` (the key's UTF-8 bytes in base64)
      instead of `"key"`), `replay_count`, `last_replayed_at`.

      Metrics: JMX MXBean `dev.eventkit.connect:type=dlq-sink-task,connector="<name>",task=<n>` with
      `RecordsArchived`, `ArchivedByDialect`, `ArchivedByExceptionClass`, `RecordsRejected`,
      `ArchiveRetries` (batches delivered again because the archive was down or busy, or a file was
      abandoned after an I/O error), `LastArchiveLagMs`.
      """;

  @Test
  void docsMatchTheConfigDef() {
    ConfigReference.assertUpToDate(
        "dlq-sink-connector.md",
        ConfigReference.markdown(
            "DLQ sink connector configuration", INTRODUCTION, DlqSinkConnectorConfig.CONFIG_DEF));
  }
}
