package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPosition.TxidRange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresPositionTest {

  @Test
  void roundTripsThroughAnOffsetMapWithDoneRanges() {
    PostgresPosition position =
        new PostgresPosition(42, 7, List.of(new TxidRange(50, 60), new TxidRange(44, 45)));

    Map<String, Object> offset = position.toOffset();

    assertThat(offset)
        .containsEntry("txid", 42L)
        .containsEntry("seq", 7L)
        .containsEntry("done", "44-45,50-60");
    assertThat(PostgresPosition.fromOffset(offset)).isEqualTo(position);
  }

  @Test
  void readsOffsetsThatListSingleTxids() {
    PostgresPosition position =
        PostgresPosition.fromOffset(Map.of("txid", 42L, "seq", 7L, "done", "44,45,47"));

    assertThat(position.done()).containsExactly(new TxidRange(44, 45), new TxidRange(47, 47));
    assertThat(position.isPublished(46, 1)).isFalse();
    assertThat(position.isPublished(47, 1)).isTrue();
  }

  @Test
  void rangesAtOrBeforeTheCursorAreDroppedAndAdjacentOnesMerged() {
    PostgresPosition position =
        new PostgresPosition(
            50, 1, List.of(new TxidRange(40, 45), new TxidRange(48, 52), new TxidRange(53, 53)));

    assertThat(position.done()).containsExactly(new TxidRange(51, 53));
  }

  @Test
  void aRangeOfThousandsOfTransactionsStaysAShortOffset() {
    PostgresPosition position = new PostgresPosition(10, 1, List.of(new TxidRange(12, 90_000)));

    assertThat(position.toOffset().get("done")).isEqualTo("12-90000");
  }

  @Test
  void acceptsIntegersAsTheOffsetsApiDeliversThem() {
    assertThat(PostgresPosition.fromOffset(Map.of("txid", 5, "seq", 3)))
        .isEqualTo(PostgresPosition.at(5, 3));
  }

  @Test
  void rejectsMalformedOffsetsNamingTheKey() {
    assertThatThrownBy(() -> PostgresPosition.fromOffset(Map.of("seq", 3)))
        .hasMessageContaining("'txid'");
    assertThatThrownBy(() -> PostgresPosition.fromOffset(Map.of("txid", -1, "seq", 3)))
        .hasMessageContaining("'txid' must be a non-negative integer");
    assertThatThrownBy(() -> PostgresPosition.fromOffset(Map.of("txid", 1, "seq", "x")))
        .hasMessageContaining("'seq'");
    assertThatThrownBy(
            () -> PostgresPosition.fromOffset(Map.of("txid", 1, "seq", 1, "done", "2,a")))
        .hasMessageContaining("'done' holds 'a'");
    assertThatThrownBy(
            () -> PostgresPosition.fromOffset(Map.of("txid", 1, "seq", 1, "done", "9-3")))
        .hasMessageContaining("'done' holds '9-3'");
  }
}
