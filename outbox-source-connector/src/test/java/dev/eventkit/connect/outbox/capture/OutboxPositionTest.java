package dev.eventkit.connect.outbox.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OutboxPositionTest {

  @Test
  void roundTripsThroughAnOffsetMap() {
    OutboxPosition position = new OutboxPosition(42, 7, new TreeSet<>(List.of(45L, 44L)));

    Map<String, Object> offset = position.toOffset();

    assertThat(offset)
        .containsEntry("txid", 42L)
        .containsEntry("seq", 7L)
        .containsEntry("done", "44,45");
    assertThat(OutboxPosition.fromOffset(offset)).isEqualTo(position);
  }

  @Test
  void acceptsIntegersAsTheOffsetsApiDeliversThem() {
    assertThat(OutboxPosition.fromOffset(Map.of("txid", 5, "seq", 3)))
        .isEqualTo(OutboxPosition.at(5, 3));
  }

  @Test
  void rejectsMalformedOffsetsNamingTheKey() {
    assertThatThrownBy(() -> OutboxPosition.fromOffset(Map.of("seq", 3)))
        .hasMessageContaining("'txid'");
    assertThatThrownBy(() -> OutboxPosition.fromOffset(Map.of("txid", -1, "seq", 3)))
        .hasMessageContaining("'txid' must be a non-negative integer");
    assertThatThrownBy(() -> OutboxPosition.fromOffset(Map.of("txid", 1, "seq", "x")))
        .hasMessageContaining("'seq'");
    assertThatThrownBy(() -> OutboxPosition.fromOffset(Map.of("txid", 1, "seq", 1, "done", "1,a")))
        .hasMessageContaining("'done' holds 'a'");
  }
}
