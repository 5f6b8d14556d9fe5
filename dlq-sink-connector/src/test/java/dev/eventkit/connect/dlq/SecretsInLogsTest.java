package dev.eventkit.connect.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.logging.LogCapture;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connect resolves config providers before a connector sees its config: the log gets the secret.
 */
class SecretsInLogsTest {

  @Test
  void parsingAndValidatingTheConfigNeverLogsTheUrlsPasswordOrTheConnectionPassword() {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", DlqSinkConnector.class.getName());
    config.put("topics", "orders.dlq");
    for (String key : DlqSinkConnectorConfig.LOSSLESS_CONVERTER_KEYS) {
      config.put(key, DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER);
    }
    config.put("archive.type", "jdbc");
    config.put(
        DlqSinkConnectorConfig.CONNECTION_URL_CONFIG,
        "jdbc:postgresql://db.invalid/app?user=relay&password=url-s3cret");
    config.put("connection.password", "plain-s3cret");
    try (LogCapture log = new LogCapture()) {
      new DlqSinkConnectorConfig(config);
      new DlqSinkConnector().validate(config);

      org.slf4j.LoggerFactory.getLogger(SecretsInLogsTest.class).info("canary");
      assertThat(log.lines()).contains("canary"); // the capture sees what is logged
      assertThat(log.text()).doesNotContain("url-s3cret").doesNotContain("plain-s3cret");
    }
  }
}
