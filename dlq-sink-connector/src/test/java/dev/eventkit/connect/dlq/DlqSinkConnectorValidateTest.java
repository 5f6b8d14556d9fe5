package dev.eventkit.connect.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What validate says about an archive URL it cannot use: never the password inside the URL. */
class DlqSinkConnectorValidateTest {

  private static List<String> urlErrors(String url) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", DlqSinkConnector.class.getName());
    config.put("topics", "orders.dlq");
    for (String key : DlqSinkConnectorConfig.LOSSLESS_CONVERTER_KEYS) {
      config.put(key, DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER);
    }
    config.put(DlqSinkConnectorConfig.CONNECTION_URL_CONFIG, url);
    return new DlqSinkConnector()
        .validate(config).configValues().stream()
            .filter(v -> v.name().equals(DlqSinkConnectorConfig.CONNECTION_URL_CONFIG))
            .map(ConfigValue::errorMessages)
            .findFirst()
            .orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:oracle:thin:scott/secret@db:1521/orcl",
        "jdbc:postgres://db/orders?password=secret"
      })
  void unsupportedUrlsAreNamedByTheirPrefixesOnly(String url) {
    assertThat(urlErrors(url))
        .singleElement()
        .asString()
        .contains("jdbc:postgresql:")
        .doesNotContain("secret");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // Refused before any connection attempt: no network needed.
        "jdbc:postgresql://db/orders/extra?user=u&password=secret",
        "jdbc:postgresql://db?password=secret&ssl=true",
        "jdbc:mariadb:u:secret@db/orders"
      })
  void unusableUrlsAreShownRedacted(String url) {
    assertThat(urlErrors(url))
        .singleElement()
        .asString()
        .startsWith("Cannot connect to ")
        .contains("MISCONFIGURATION")
        .doesNotContain("secret");
  }

  @Test
  void aUrlWithoutPasswordIsShownAsGiven() {
    assertThat(urlErrors("jdbc:postgresql://db/orders/extra"))
        .singleElement()
        .asString()
        .startsWith("Cannot connect to jdbc:postgresql://db/orders/extra: MISCONFIGURATION");
  }
}
