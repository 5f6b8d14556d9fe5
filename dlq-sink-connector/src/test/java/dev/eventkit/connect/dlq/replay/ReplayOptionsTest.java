package dev.eventkit.connect.dlq.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayOptionsTest {

  @Test
  void parsesSelectionAndReplayOptions() {
    ReplayOptions o =
        ReplayOptions.parse(
            new String[] {
              "--jdbc-url",
              "jdbc:postgresql://db/archive",
              "--bootstrap-servers",
              "k:9092",
              "--origin-topic",
              "orders",
              "--exception-class",
              "x.Y",
              "--from",
              "2026-11-01T00:00:00Z",
              "--event-id",
              "a,b",
              "--event-id",
              "c",
              "--max-replays",
              "3",
              "--to-topic",
              "orders.retry",
              "--producer-property",
              "linger.ms=5"
            });

    assertThat(o.originTopic()).isEqualTo("orders");
    assertThat(o.from()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(o.eventIds()).containsExactly("a", "b", "c");
    assertThat(o.maxReplays()).isEqualTo(3);
    assertThat(o.producerProperties()).containsEntry("linger.ms", "5");
    assertThat(o.table()).isEqualTo("dead_letter_archive");
  }

  @Test
  void badUsageIsExplained() {
    assertThatThrownBy(() -> ReplayOptions.parse(new String[] {"--bootstrap-servers", "k:9092"}))
        .hasMessageContaining("--jdbc-url is required");
    assertThatThrownBy(
            () -> ReplayOptions.parse(new String[] {"--jdbc-url", "jdbc:postgresql://db/a"}))
        .hasMessageContaining("--bootstrap-servers is required unless --dry-run");
    assertThatThrownBy(
            () ->
                ReplayOptions.parse(
                    new String[] {"--jdbc-url", "u", "--dry-run", "--from", "yesterday"}))
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(
            () -> ReplayOptions.parse(new String[] {"--jdbc-url", "u", "--dry-run", "--bogus"}))
        .hasMessageContaining("Unknown option --bogus");
  }

  @Test
  void helpPrintsUsageAndBadUsageExitsWithTwo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    assertThat(
            ReplayCommand.run(new String[] {"--help"}, new PrintStream(out), new PrintStream(err)))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--max-replays N")
        .contains("--dry-run");
    assertThat(
            ReplayCommand.run(
                new String[] {"--dry-run"}, new PrintStream(out), new PrintStream(err)))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--jdbc-url is required");
  }

  @Test
  void toStringHidesThePasswordAndSecretsInTheUrlAndProducerProperties() {
    ReplayOptions o =
        ReplayOptions.parse(
            new String[] {
              "--jdbc-url",
              "jdbc:postgresql://db/archive?password=url-s3cret",
              "--user",
              "replayer",
              "--password-env",
              "ARCHIVE_PASSWORD",
              "--bootstrap-servers",
              "k:9092",
              "--producer-property",
              "sasl.jaas.config=org.Foo required password=\"jaas-s3cret\";",
              "--producer-property",
              "ssl.key.password=key-s3cret"
            },
            java.util.Map.of("ARCHIVE_PASSWORD", "env-s3cret"));

    assertThat(o.password()).isEqualTo("env-s3cret");
    assertThat(o.toString())
        .contains("replayer")
        .contains("k:9092")
        .doesNotContain("env-s3cret")
        .doesNotContain("url-s3cret")
        .doesNotContain("jaas-s3cret")
        .doesNotContain("key-s3cret");
  }
}
