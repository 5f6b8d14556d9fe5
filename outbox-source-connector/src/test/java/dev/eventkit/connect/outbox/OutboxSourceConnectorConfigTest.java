package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.record.PayloadFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OutboxSourceConnectorConfigTest {

  private static final Map<String, String> MINIMAL =
      Map.of("connection.url", "jdbc:postgresql://db/orders");

  @Test
  void defaultsFollowDebeziumsOutboxColumns() {
    OutboxSourceConnectorConfig config = new OutboxSourceConnectorConfig(MINIMAL);

    assertThat(config.tableName()).isEqualTo("outbox");
    assertThat(config.columns())
        .isEqualTo(
            new OutboxColumns(
                "id",
                "aggregatetype",
                "aggregateid",
                "type",
                "payload",
                "timestamp",
                "txid",
                "seq",
                Map.of()));
    assertThat(config.topicTemplate()).isEqualTo("${aggregate_type}.events");
    assertThat(config.payloadFormat()).isEqualTo(PayloadFormat.STRING);
    assertThat(config.captureMode()).isEqualTo("poll");
    assertThat(config.deleteAfterPublish()).isFalse();
    assertThat(config.invalidRowsTopic()).isEmpty();
    assertThat(config.notifyChannel()).isEmpty();
  }

  @Test
  void headerColumnsMapColumnsToHeaderNames() {
    assertThat(
            OutboxSourceConnectorConfig.parseHeaderColumns(
                List.of("correlation_id:correlation.id", " traceparent ")))
        .containsExactly(
            Map.entry("correlation_id", "correlation.id"), Map.entry("traceparent", "traceparent"));
    assertThatThrownBy(() -> OutboxSourceConnectorConfig.parseHeaderColumns(List.of("a:b:c")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("header.columns");
    assertThatThrownBy(() -> OutboxSourceConnectorConfig.parseHeaderColumns(List.of("a", "a:x")))
        .hasMessageContaining("listed twice");
  }

  @Test
  void rejectsUnknownEnumValuesNamingTheOption() {
    assertThatThrownBy(
            () ->
                new OutboxSourceConnectorConfig(
                    Map.of("connection.url", "jdbc:x", "payload.format", "avro")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("payload.format");
  }

  @Test
  void everyPublicKeyIsDocumentedAndGrouped() {
    for (ConfigDef.ConfigKey key : OutboxSourceConnectorConfig.CONFIG_DEF.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      assertThat(key.documentation).as(key.name).isNotBlank();
      assertThat(key.group).as(key.name).isNotBlank();
    }
    assertThat(OutboxSourceConnectorConfig.publicKeys())
        .contains(
            "connection.url",
            "connection.user",
            "connection.password",
            "capture.mode",
            "table.name",
            "column.event.id",
            "column.aggregate.type",
            "column.aggregate.id",
            "column.event.type",
            "column.payload",
            "column.timestamp",
            "column.txid",
            "column.position",
            "header.columns",
            "topic.template",
            "payload.format",
            "poll.interval.ms",
            "poll.max.rows",
            "poll.notify.channel",
            "cleanup.policy",
            "errors.invalid.topic");
  }
}
