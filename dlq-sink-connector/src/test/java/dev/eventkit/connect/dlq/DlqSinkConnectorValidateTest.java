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

  private static Map<String, String> config(String url, String... keyValues) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", DlqSinkConnector.class.getName());
    config.put("topics", "orders.dlq");
    for (String key : DlqSinkConnectorConfig.LOSSLESS_CONVERTER_KEYS) {
      config.put(key, DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER);
    }
    config.put(DlqSinkConnectorConfig.CONNECTION_URL_CONFIG, url);
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return config;
  }

  private static ConfigValue value(List<ConfigValue> values, String name) {
    return values.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<String> urlErrors(String url) {
    return value(
            new DlqSinkConnector().validate(config(url)).configValues(),
            DlqSinkConnectorConfig.CONNECTION_URL_CONFIG)
        .errorMessages();
  }

  /** Connect returns every value validate saw; the URL's query string and user info are hidden. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:postgresql://localhost:1/orders?user=u&password=secret",
        "jdbc:mariadb://u:secret@localhost:1/orders",
        "jdbc:mysql://localhost:1/orders?password=secret",
        "jdbc:postgresql://localhost:1/orders?sslpassword=secret"
      })
  void theValidatedConfigNeverEchoesAUrlSecret(String url) {
    List<ConfigValue> values = new DlqSinkConnector().validate(config(url)).configValues();

    for (ConfigValue value : values) {
      assertThat(String.valueOf(value.value())).as(value.name()).doesNotContain("secret");
      assertThat(value.errorMessages()).as(value.name()).noneMatch(m -> m.contains("secret"));
    }
    assertThat((String) value(values, DlqSinkConnectorConfig.CONNECTION_URL_CONFIG).value())
        .startsWith("jdbc:");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a.b.c",
        "dlq\tarchive",
        "a_name_far_longer_than_the_sixty_three_bytes_postgresql_keeps_for_a_name"
      })
  void anArchiveTableNoDatabaseCanHoldIsRefusedByName(String table) {
    List<ConfigValue> values =
        new DlqSinkConnector()
            .validate(
                config(
                    "jdbc:postgresql://localhost:1/orders",
                    DlqSinkConnectorConfig.TABLE_NAME_CONFIG,
                    table))
            .configValues();

    assertThat(value(values, DlqSinkConnectorConfig.TABLE_NAME_CONFIG).errorMessages())
        .singleElement()
        .asString()
        .isNotBlank();
    // Refused before any connection attempt.
    assertThat(value(values, DlqSinkConnectorConfig.CONNECTION_URL_CONFIG).errorMessages())
        .isEmpty();
  }

  /**
   * Quotes, semicolons and comments are part of a quoted name, never SQL: validate accepts them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dlq\"; DROP TABLE x; --", "ops.dlq`archive /* c */", "it's"})
  void namesWithQuotesSemicolonsAndCommentsAreNotRefused(String table) {
    List<ConfigValue> values =
        new DlqSinkConnector()
            .validate(
                config(
                    "jdbc:mariadb://localhost:1/orders",
                    DlqSinkConnectorConfig.TABLE_NAME_CONFIG,
                    table))
            .configValues();

    assertThat(value(values, DlqSinkConnectorConfig.TABLE_NAME_CONFIG).errorMessages()).isEmpty();
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
