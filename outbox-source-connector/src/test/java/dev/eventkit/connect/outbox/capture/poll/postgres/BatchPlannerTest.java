package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.postgres.BatchPlanner.PlannedTransaction;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPosition.TxidRange;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

  static PositionedRow row(long txid, long seq, String aggregate) {
    return PositionedRow.of(
        txid,
        seq,
        new OutboxRow(
            "e" + seq,
            "order",
            aggregate,
            "Created",
            "{}",
            null,
            Instant.EPOCH,
            Map.of(),
            txid + ":" + seq));
  }

  private static List<Long> publishedSeqs(List<PlannedTransaction> batch) {
    return batch.stream()
        .flatMap(t -> t.rows().stream())
        .map(PositionedRow::seq)
        .collect(Collectors.toList());
  }

  private static PostgresPosition after(List<PlannedTransaction> batch, PostgresPosition start) {
    return batch.isEmpty() ? start : batch.get(batch.size() - 1).after();
  }

  @Test
  void inOrderRowsArePublishedAsTheyCameAndTheCursorMovesToTheEnd() {
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START,
            List.of(row(10, 1, "a"), row(10, 2, "b"), row(11, 3, "a")),
            Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(1L, 2L, 3L);
    assertThat(batch).extracting(PlannedTransaction::txid).containsExactly(10L, 11L);
    assertThat(after(batch, PostgresPosition.START)).isEqualTo(PostgresPosition.at(11, 3));
    assertThat(batch.get(1).before()).isEqualTo(batch.get(0).after());
  }

  @Test
  void
      aTransactionThatTookItsIdEarlyButCommittedLaterGoesOutAfterTheOneThatLockedTheAggregateFirst() {
    // xid 100 wrote elsewhere first; xid 102 locked aggregate x and wrote seq 10, committed; then
    // xid 100 locked x and wrote seq 11. Cursor order is (100,11),(102,10); commit order is
    // reverse.
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START, List.of(row(100, 11, "x"), row(102, 10, "x")), Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(10L, 11L);
    assertThat(after(batch, PostgresPosition.START)).isEqualTo(PostgresPosition.at(102, 10));
  }

  @Test
  void ordersTransactionsByHighestSeqSoEveryAggregateKeepsCommitOrder() {
    // T1 (xid 5) wrote x:1 then waited for y's lock; T2 (xid 6) wrote y:2 and committed; T1 wrote
    // y:3.
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START,
            List.of(row(5, 1, "x"), row(5, 3, "y"), row(6, 2, "y")),
            Map.of());

    assertThat(batch).extracting(PlannedTransaction::txid).containsExactly(6L, 5L);
    assertThat(publishedSeqs(batch)).containsExactly(2L, 1L, 3L);
  }

  @Test
  void holdsBackARowWhileAnEarlierRowOfItsAggregateIsStillBehindTheHorizon() {
    // (100, x:11) is committed and below the horizon; x:10 belongs to xid 102, committed but held
    // back by an unrelated open transaction 101. Publishing x:11 now would break x's order.
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START,
            List.of(row(99, 9, "other"), row(100, 11, "x")),
            Map.of("x", 10L));

    assertThat(publishedSeqs(batch)).containsExactly(9L);
    assertThat(after(batch, PostgresPosition.START)).isEqualTo(PostgresPosition.at(99, 9));
  }

  @Test
  void cuttingOneTransactionAlsoCutsEarlierOnesItWouldHaveOvertaken() {
    // y:5 (xid 3) is blocked by y:4 behind the horizon, so xid 3 waits; then x:6 (xid 2) must wait
    // too, because x:2 in xid 3 would now come after it.
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START,
            List.of(row(1, 1, "z"), row(2, 6, "x"), row(3, 2, "x"), row(3, 5, "y")),
            Map.of("y", 4L));

    assertThat(publishedSeqs(batch)).containsExactly(1L);
  }

  @Test
  void positionsRecordTransactionsPublishedAheadOfTheCursorAsRanges() {
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START,
            List.of(row(100, 20, "x"), row(101, 2, "x"), row(102, 3, "y"), row(104, 4, "z")),
            Map.of());

    assertThat(batch).extracting(PlannedTransaction::txid).containsExactly(101L, 102L, 104L, 100L);
    PostgresPosition first = batch.get(0).after();
    assertThat(first.txid()).isZero();
    assertThat(first.done()).containsExactly(new TxidRange(101, 101));
    assertThat(batch.get(2).after().done()).containsExactly(new TxidRange(101, 104));
    assertThat(batch.get(2).after().isPublished(100, 20)).isFalse();
    assertThat(batch.get(3).after()).isEqualTo(PostgresPosition.at(104, 4));
  }

  @Test
  void aRestartedTaskKeepsDoneRangesBeyondItsCursor() {
    PostgresPosition restart = new PostgresPosition(0, 0, List.of(new TxidRange(102, 102)));

    List<PlannedTransaction> batch =
        BatchPlanner.plan(restart, List.of(row(100, 11, "x")), Map.of());

    assertThat(publishedSeqs(batch)).containsExactly(11L);
    assertThat(batch.get(0).after().txid()).isEqualTo(100L);
    assertThat(batch.get(0).after().done()).containsExactly(new TxidRange(102, 102));
  }

  @Test
  void nothingToPublishPlansNothing() {
    assertThat(BatchPlanner.plan(PostgresPosition.at(7, 70), List.of(), Map.of())).isEmpty();
  }

  @Test
  void rowsWithoutAnAggregateIdAreNeverHeldBack() {
    List<PlannedTransaction> batch =
        BatchPlanner.plan(
            PostgresPosition.START, List.of(row(1, 5, null), row(2, 1, null)), Map.of("x", 0L));

    assertThat(publishedSeqs(batch)).containsExactly(1L, 5L);
  }

  /**
   * Writers that lock their aggregates, take xids at random moments before writing, and commit in
   * lock order: whatever prefix the planner publishes, every aggregate's seqs come out ascending
   * and nothing is published twice, and when nothing is held back everything is published.
   */
  @Test
  void randomInterleavingsKeepEveryAggregateInOrder() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      List<PositionedRow> rows = new ArrayList<>();
      long seq = 0;
      int transactions = 1 + random.nextInt(30);
      List<Long> xids = new ArrayList<>();
      for (int t = 0; t < transactions; t++) {
        xids.add((long) t + 1);
      }
      // Commit order is a shuffle of xid order: that is how early xids arise.
      java.util.Collections.shuffle(xids, random);
      for (long xid : xids) {
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
          // Even seqs for rows, odd ones for rows behind the horizon.
          seq += 2;
          rows.add(row(xid, seq, "a" + random.nextInt(5)));
        }
      }
      rows.sort(
          java.util.Comparator.comparingLong(PositionedRow::txid)
              .thenComparingLong(PositionedRow::seq));
      Map<String, Long> blockers = new HashMap<>();
      if (random.nextBoolean()) {
        blockers.put("a" + random.nextInt(5), 2L * random.nextInt((int) seq / 2 + 1) + 1);
      }

      List<PlannedTransaction> batch = BatchPlanner.plan(PostgresPosition.START, rows, blockers);

      Map<String, Long> lastSeq = new HashMap<>();
      for (PlannedTransaction tx : batch) {
        for (PositionedRow r : tx.rows()) {
          Long previous = lastSeq.put(r.aggregateId(), r.seq());
          assertThat(previous == null || previous < r.seq())
              .as("aggregate %s order in round %d", r.aggregateId(), round)
              .isTrue();
          Long blocker = blockers.get(r.aggregateId());
          assertThat(blocker == null || blocker > r.seq()).isTrue();
        }
      }
      if (blockers.isEmpty()) {
        assertThat(publishedSeqs(batch)).hasSize(rows.size());
        assertThat(after(batch, PostgresPosition.START).done()).isEmpty();
      }
      PostgresPosition end = after(batch, PostgresPosition.START);
      long published = rows.stream().filter(r -> end.isPublished(r.txid(), r.seq())).count();
      assertThat(published).isEqualTo(publishedSeqs(batch).size());
    }
  }
}
