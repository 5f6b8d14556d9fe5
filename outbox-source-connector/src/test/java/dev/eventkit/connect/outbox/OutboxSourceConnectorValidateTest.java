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
            .validate(Map.of("connection.url", "jdbc:mysql://db.invalid/app?password=s3cret"));

    ConfigValue url = value(result, "connection.url");
    assertThat(url.value()).isEqualTo("jdbc:mysql://db.invalid/app?[hidden]");
    assertThat(url.errorMessages())
        .singleElement()
        .asString()
        .startsWith("Cannot connect to the database: ")
        .doesNotContain("s3cret");
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

  @Test
  void anUnknownDatabaseIsNamedWithoutEchoingTheUrl() {
    Config result =
        new OutboxSourceConnector()
            .validate(Map.of("connection.url", "jdbc:oracle:thin:scott/s3cret@db:1521/app"));

    assertThat(value(result, "connection.url").errorMessages())
        .singleElement()
        .asString()
        .contains("jdbc:postgresql:")
        .doesNotContain("s3cret");
  }

  @Test
  void identifiersTheDatabaseCannotHoldAreRefusedByOptionBeforeConnecting() {
    Config result =
        new OutboxSourceConnector()
            .validate(
                Map.of(
                    "connection.url", "jdbc:postgresql://127.0.0.1:1/app",
                    "table.name", "a.b.c",
                    "column.aggregate.id", "agg\u0000id",
                    "header.columns", "x".repeat(70) + ":trace"));

    assertThat(value(result, "table.name").errorMessages()).isNotEmpty();
    assertThat(value(result, "column.aggregate.id").errorMessages()).isNotEmpty();
    assertThat(value(result, "header.columns").errorMessages()).isNotEmpty();
    assertThat(value(result, "connection.url").errorMessages())
        .as("no connection attempted")
        .isEmpty();
  }

  @Test
  void quotesSemicolonsAndCommentsAreJustPartsOfANameNeverSql() {
    Config result =
        new OutboxSourceConnector()
            .validate(
                Map.of(
                    "connection.url", "jdbc:postgresql://127.0.0.1:1/app",
                    "table.name", "outbox\"; DROP TABLE x; --",
                    "column.payload", "p/* c */"));

    assertThat(value(result, "table.name").errorMessages()).isEmpty();
    assertThat(value(result, "column.payload").errorMessages()).isEmpty();
    // They pass the identifier check and fail only at the connection, which is refused here.
    assertThat(value(result, "connection.url").errorMessages())
        .singleElement()
        .asString()
        .startsWith("Cannot connect to the database");
  }

  @Test
  void exactlyOnceIsSupportedOnlyWithConnectorDefinedTransactionBoundaries() {
    OutboxSourceConnector connector = new OutboxSourceConnector();

    assertThat(connector.exactlyOnceSupport(Map.of("transaction.boundary", "connector")))
        .isEqualTo(org.apache.kafka.connect.source.ExactlyOnceSupport.SUPPORTED);
    assertThat(connector.exactlyOnceSupport(Map.of("transaction.boundary", "poll")))
        .isEqualTo(org.apache.kafka.connect.source.ExactlyOnceSupport.UNSUPPORTED);
    assertThat(connector.exactlyOnceSupport(Map.of()))
        .isEqualTo(org.apache.kafka.connect.source.ExactlyOnceSupport.UNSUPPORTED);
  }

  @Test
  void errorsToleranceAllIsRefusedWhateverItsCaseAndSpacesByValidateAndByStart() {
    for (String all : java.util.List.of("all", "ALL", " All ")) {
      Map<String, String> config =
          Map.of("connection.url", "jdbc:postgresql://db.invalid/app", "errors.tolerance", all);

      assertThat(
              value(new OutboxSourceConnector().validate(config), "errors.tolerance")
                  .errorMessages())
          .singleElement()
          .asString()
          .startsWith("errors.tolerance=all would make Connect skip an event");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new OutboxSourceConnector().start(config))
          .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
          .hasMessageContaining("errors.tolerance=none");
      // Tasks stored before the refusal start on their own configs: refused too.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OutboxSourceTask().start(config))
          .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
          .hasMessageContaining("errors.tolerance=none");
    }
    assertThat(
            new OutboxSourceConnector()
                .validate(
                    Map.of(
                        "connection.url",
                        "jdbc:postgresql://db.invalid/app",
                        "errors.tolerance",
                        "none"))
                .configValues())
        .noneMatch(v -> v.name().equals("errors.tolerance"));
  }
}
