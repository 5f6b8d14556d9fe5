package dev.eventkit.connect.outbox.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

  private static OutboxRow row(long txid, long seq, String aggregate) {
    return new OutboxRow(
        txid, seq, "e" + seq, "order", aggregate, "Created", "{}", null, Instant.EPOCH, Map.of());
  }

  private static List<Long> publishedSeqs(OutboxBatch batch) {
    return batch.transactions().stream()
        .flatMap(t -> t.rows().stream())
        .map(OutboxRow::seq)
        .collect(Collectors.toList());
  }

  @Test
  void inOrderRowsArePublishedAsTheyCameAndTheCursorMovesToTheEnd() {
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START,
            List.of(row(10, 1, "a"), row(10, 2, "b"), row(11, 3, "a")),
            Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(1L, 2L, 3L);
    assertThat(batch.transactions()).extracting(OutboxTransaction::txid).containsExactly(10L, 11L);
    assertThat(batch.positionAfter()).isEqualTo(OutboxPosition.at(11, 3));
  }

  @Test
  void
      aTransactionThatTookItsIdEarlyButCommittedLaterGoesOutAfterTheOneThatLockedTheAggregateFirst() {
    // xid 100 wrote elsewhere first; xid 102 locked aggregate x and wrote seq 10, committed; then
    // xid 100 locked x and wrote seq 11. Cursor order is (100,11),(102,10); commit order is
    // reverse.
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START, List.of(row(100, 11, "x"), row(102, 10, "x")), Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(10L, 11L);
    assertThat(batch.positionAfter()).isEqualTo(OutboxPosition.at(102, 10));
  }

  @Test
  void ordersTransactionsByHighestSeqSoEveryAggregateKeepsCommitOrder() {
    // T1 (xid 5) wrote x:1 then waited for y's lock; T2 (xid 6) wrote y:2 and committed; T1 wrote
    // y:3.
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START,
            List.of(row(5, 1, "x"), row(5, 3, "y"), row(6, 2, "y")),
            Map.of());

    assertThat(batch.transactions()).extracting(OutboxTransaction::txid).containsExactly(6L, 5L);
    assertThat(publishedSeqs(batch)).containsExactly(2L, 1L, 3L);
  }

  @Test
  void holdsBackARowWhileAnEarlierRowOfItsAggregateIsStillBehindTheHorizon() {
    // (100, x:11) is committed and below the horizon; x:10 belongs to xid 102, committed but held
    // back by an unrelated open transaction 101. Publishing x:11 now would break x's order.
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START,
            List.of(row(99, 9, "other"), row(100, 11, "x")),
            Map.of("x", 10L));

    assertThat(publishedSeqs(batch)).containsExactly(9L);
    assertThat(batch.positionAfter()).isEqualTo(OutboxPosition.at(99, 9));
  }

  @Test
  void cuttingOneTransactionAlsoCutsEarlierOnesItWouldHaveOvertaken() {
    // y:5 (xid 3) is blocked by y:4 elsewhere, so xid 3 waits; then x:6 (xid 2) must wait too,
    // because x:2 in xid 3 would now come after it.
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START,
            List.of(row(1, 1, "z"), row(2, 6, "x"), row(3, 2, "x"), row(3, 5, "y")),
            Map.of("y", 4L));

    assertThat(publishedSeqs(batch)).containsExactly(1L);
  }

  @Test
  void positionsRecordTransactionsPublishedAheadOfTheCursor() {
    OutboxBatch batch =
        BatchPlanner.plan(
            OutboxPosition.START, List.of(row(100, 11, "x"), row(102, 10, "x")), Map.of());

    OutboxTransaction first = batch.transactions().get(0);
    assertThat(first.txid()).isEqualTo(102L);
    assertThat(first.positionAfter().txid()).isZero();
    assertThat(first.positionAfter().done()).containsExactly(102L);
    assertThat(first.positionAfter().isPublished(102, 10)).isTrue();
    assertThat(first.positionAfter().isPublished(100, 11)).isFalse();
    assertThat(batch.transactions().get(1).positionAfter().done()).isEmpty();
  }

  @Test
  void aRestartedTaskKeepsDoneTransactionsBeyondItsCursor() {
    OutboxPosition restart = new OutboxPosition(0, 0, new java.util.TreeSet<>(List.of(102L)));

    OutboxBatch batch = BatchPlanner.plan(restart, List.of(row(100, 11, "x")), Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(11L);
    assertThat(batch.positionAfter().txid()).isEqualTo(100L);
    assertThat(batch.positionAfter().done()).containsExactly(102L);
  }

  @Test
  void nothingToPublishLeavesThePositionAlone() {
    OutboxPosition at = OutboxPosition.at(7, 70);

    OutboxBatch batch = BatchPlanner.plan(at, List.of(), Map.of());

    assertThat(batch.isEmpty()).isTrue();
    assertThat(batch.positionAfter()).isEqualTo(at);
  }
}
