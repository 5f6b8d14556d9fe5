package dev.eventkit.connect.outbox.capture.poll.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MariaDbPositionTest {

  @Test
  void anOpenGapSurvivesARestartWithWhatItWaitsFor() {
    State exact =
        new State(
            41, new Gap(42, 44, Set.of("61@2026-11-26 23:35:14", "57@2026-11-26 23:35:09"), 1_000));
    State fallback = new State(41, new Gap(42, 42, null, 1_000));
    State allEnded = new State(41, new Gap(42, 42, Set.of(), 1_000));

    assertThat(MariaDbPosition.toOffset(exact))
        .containsEntry("id", 41L)
        .containsEntry("gap", "42-44")
        .containsEntry("gap.waits", "57@2026-11-26 23:35:09,61@2026-11-26 23:35:14")
        .containsEntry("gap.since", 1_000L);
    for (State state : new State[] {exact, fallback, allEnded, new State(7, null)}) {
      assertThat(MariaDbPosition.fromOffset(MariaDbPosition.toOffset(state))).isEqualTo(state);
    }
  }

  @Test
  void malformedOffsetsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> MariaDbPosition.fromOffset(Map.of("id", -1)))
        .hasMessageContaining("'id'");
    assertThatThrownBy(
            () -> MariaDbPosition.fromOffset(Map.of("id", 5, "gap", "x", "gap.since", 1)))
        .hasMessageContaining("'gap'");
    assertThatThrownBy(
            () -> MariaDbPosition.fromOffset(Map.of("id", 5, "gap", "3-4", "gap.since", 1)))
        .hasMessageContaining("must lie after 'id' 5");
    assertThatThrownBy(() -> MariaDbPosition.fromOffset(Map.of("id", 5, "gap", "6")))
        .hasMessageContaining("'gap.since'");
  }
}
