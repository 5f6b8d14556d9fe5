package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.logging.LogCapture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Connect resolves config providers before a connector sees its config: the log gets the secret.
 */
class SecretsInLogsTest {

  @Test
  void parsingAndValidatingTheConfigNeverLogsTheUrlsPasswordOrTheConnectionPassword() {
    Map<String, String> config =
        Map.of(
            "connection.url",
            "jdbc:postgresql://db.invalid/app?user=relay&password=url-s3cret",
            "connection.password",
            "plain-s3cret");
    try (LogCapture log = new LogCapture()) {
      new OutboxSourceConnectorConfig(config);
      new OutboxSourceConnector().validate(config);

      org.slf4j.LoggerFactory.getLogger(SecretsInLogsTest.class).info("canary");
      assertThat(log.lines()).contains("canary"); // the capture sees what is logged
      assertThat(log.text()).doesNotContain("url-s3cret").doesNotContain("plain-s3cret");
    }
  }
}
