package dev.eventkit.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.quickstart.QuickstartOptions.Database;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuickstartOptionsTest {

  @Test
  void defaultsRunPostgresForThirtySecondsOnPort8083() {
    QuickstartOptions options = QuickstartOptions.parse(new String[0]);

    assertThat(options.database()).isEqualTo(Database.POSTGRESQL);
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.rate()).isEqualTo(20);
    assertThat(options.port()).isEqualTo(8083);
    assertThat(options.keepRunning()).isFalse();
    assertThat(options.help()).isFalse();
  }

  @Test
  void databaseMariadbIsParsedCaseInsensitivelyWithTheOtherOptions() {
    QuickstartOptions options =
        QuickstartOptions.parse(
            new String[] {"--database", "MariaDB", "--duration", "15", "--port", "0"});

    assertThat(options.database()).isEqualTo(Database.MARIADB);
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(options.port()).isZero();
  }

  @Test
  void databasePostgresqlCanBeNamed() {
    assertThat(QuickstartOptions.parse(new String[] {"--database", "postgresql"}).database())
        .isEqualTo(Database.POSTGRESQL);
  }

  @Test
  void anUnknownOrMissingDatabaseIsRefusedByName() {
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--database", "oracle"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--database must be postgresql or mariadb, got oracle");
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--database"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--database needs a value");
  }

  @Test
  void modeLogIsParsedAndNeedsPostgresql() {
    assertThat(QuickstartOptions.parse(new String[] {"--mode", "LOG"}).logMode()).isTrue();
    assertThat(QuickstartOptions.parse(new String[] {"--mode", "poll"}).logMode()).isFalse();
    assertThat(QuickstartOptions.parse(new String[0]).logMode()).isFalse();
    assertThatThrownBy(
            () -> QuickstartOptions.parse(new String[] {"--mode", "log", "--database", "mariadb"}))
        .hasMessage("--mode log needs --database postgresql: log mode reads PostgreSQL's WAL");
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--mode", "cdc"}))
        .hasMessage("--mode must be poll or log, got cdc");
  }

  @Test
  void badNumbersAndUnknownOptionsAreRefused() {
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--rate", "0"}))
        .hasMessage("--rate must be at least 1");
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--duration", "soon"}))
        .hasMessage("--duration needs a number, got soon");
    assertThatThrownBy(() -> QuickstartOptions.parse(new String[] {"--fast"}))
        .hasMessageStartingWith("Unknown option --fast\nUsage: quickstart [--database");
  }

  @Test
  void usageNamesEveryOption() {
    assertThat(QuickstartOptions.USAGE)
        .contains("--database NAME", "--duration", "--rate", "--keep-running", "--port");
  }
}
