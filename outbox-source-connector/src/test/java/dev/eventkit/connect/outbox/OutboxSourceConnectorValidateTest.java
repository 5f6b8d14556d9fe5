package dev.eventkit.connect.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** The parts of validate that need no database. */
class OutboxSourceConnectorValidateTest {

  private static ConfigValue value(Config config, String name) {
    return config.configValues().stream()
        .filter(v -> v.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theEchoedUrlHidesItsQueryString() {
    Config result =
        new OutboxSourceConnector()
            .validate(Map.of("connection.url", "jdbc:mysql://db/app?password=s3cret"));

    ConfigValue url = value(result, "connection.url");
    assertThat(url.value()).isEqualTo("jdbc:mysql://db/app?[hidden]");
    assertThat(url.errorMessages())
        .containsExactly("Poll mode supports PostgreSQL (jdbc:postgresql://...) in this release.");
    assertThat(value(result, "validation.warnings").value()).isEqualTo("");
  }

  @Test
  void theUrlIsHiddenEvenWhenAnotherOptionIsInvalid() {
    Config result =
        new OutboxSourceConnector()
            .validate(
                Map.of(
                    "connection.url",
                    "jdbc:postgresql://db/app?password=s3cret",
                    "poll.max.rows",
                    "0"));

    assertThat(value(result, "connection.url").value())
        .isEqualTo("jdbc:postgresql://db/app?[hidden]");
    assertThat(value(result, "poll.max.rows").errorMessages()).isNotEmpty();
  }
}
