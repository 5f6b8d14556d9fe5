package dev.eventkit.connect.outbox.capture.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import java.io.InputStream;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/**
 * Log-mode offsets are Debezium's, stored by Connect: the ones 0.1.0 wrote (a fixture taken from a
 * real run, after a transaction's END) must still be accepted by the offsets API and read by the
 * embedded Debezium at the position they name, so that a Debezium upgrade that changes its offset
 * format fails here rather than in a user's restart.
 */
class LogOffsetsFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Read the way Connect's offset store reads it back: JsonConverter, schemas disabled. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> fixture(String key) throws Exception {
    try (InputStream in =
        LogOffsetsFormatTest.class.getResourceAsStream("/log-offsets/postgres-0.1.0.json")) {
      byte[] part = JSON.writeValueAsBytes(JSON.readTree(in).get(key));
      JsonConverter converter = new JsonConverter();
      converter.configure(Map.of("schemas.enable", "false"), false);
      return (Map<String, Object>) converter.toConnectData("offsets", part).value();
    }
  }

  @Test
  void theOffsetsApiAcceptsTheOffsetsOf010() throws Exception {
    LogOffsets.validate(fixture("partition"), fixture("offset"));
    LogOffsets.validate(fixture("partition"), null);
    assertThatThrownBy(() -> LogOffsets.validate(Map.of("table", "outbox"), fixture("offset")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server");
  }

  @Test
  void debeziumResumesFromTheOffsetsOf010AfterTheTransactionTheyEnd() throws Exception {
    Map<String, Object> offset = fixture("offset");
    PostgresConnectorConfig config =
        new PostgresConnectorConfig(
            Configuration.from(
                Map.of(
                    "topic.prefix", "orders-outbox",
                    "database.hostname", "localhost",
                    "database.dbname", "orders",
                    "plugin.name", "pgoutput")));

    PostgresOffsetContext context = new PostgresOffsetContext.Loader(config).load(offset);

    long commit = ((Number) offset.get("lsn_commit")).longValue();
    assertThat(context.lastCommitLsn().asLong()).isEqualTo(commit);
    assertThat(context.lastCompletelyProcessedLsn().asLong())
        .isEqualTo(((Number) offset.get("lsn_proc")).longValue());
    assertThat(context.isInitialSnapshotRunning()).isFalse();
    // What Debezium writes back from it (and Connect stores) names the same position.
    @SuppressWarnings("unchecked")
    Map<String, Object> written = (Map<String, Object>) context.getOffset();
    assertThat(written).containsEntry("lsn_commit", commit);
  }
}
