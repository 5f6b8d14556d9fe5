package dev.eventkit.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the quickstart briefly, as the README's command does (on PostgreSQL, with {@code --database
 * mariadb} and with {@code --mode log}), and checks its self-checking summary.
 */
class QuickstartIT {

  @ParameterizedTest
  @CsvSource({"postgresql, poll", "mariadb, poll", "postgresql, log"})
  void theWholePipelineAddsUp(String database, String mode) throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();

    Quickstart.Summary summary =
        Quickstart.run(
            QuickstartOptions.parse(
                new String[] {
                  "--duration",
                  "6",
                  "--rate",
                  "25",
                  "--port",
                  "0",
                  "--database",
                  database,
                  "--mode",
                  mode
                }),
            new PrintStream(output, true, StandardCharsets.UTF_8));

    String printed = output.toString(StandardCharsets.UTF_8);
    assertThat(summary.consistent()).as(printed).isTrue();
    assertThat(summary.committed()).isPositive();
    assertThat(summary.rolledBack() + summary.committed()).isEqualTo(summary.written());
    assertThat(summary.sampleEvent())
        .contains("ce_id: ")
        .contains("ce_specversion: 1.0")
        .contains("ce_dataschema: ");
    assertThat(printed).contains("written ").contains("published ").contains("Everything adds up.");
  }
}
