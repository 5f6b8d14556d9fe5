package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.postgres.SafeCuts.Cut;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafeCutsTest {

  /** Transactions of ten rows each, txids 101, 102, ... with seqs in txid order. */
  private static List<Cut> tenRowTransactions(int count) {
    List<Cut> cuts = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      cuts.add(new Cut(100 + i, 10L * i, 10L * i, i, 10L * i));
    }
    return cuts;
  }

  @Test
  void batchesEndAtTheFurthestCutWithinPollMaxRows() {
    SafeCuts cuts = new SafeCuts(25, 0);
    cuts.extend(tenRowTransactions(10), 200);

    assertThat(cuts.batchEnd()).isEqualTo(102L);
    assertThat(cuts.rowsThrough(102)).isEqualTo(20);
    cuts.passed(102, Long.MAX_VALUE);
    assertThat(cuts.batchEnd()).isEqualTo(104L);
    cuts.passed(104, Long.MAX_VALUE);
    cuts.passed(106, Long.MAX_VALUE);
    cuts.passed(108, Long.MAX_VALUE);
    assertThat(cuts.batchEnd()).isEqualTo(110L);
    cuts.passed(110, Long.MAX_VALUE);
    assertThat(cuts.batchEnd()).isNull();
    assertThat(cuts.coveredBelow()).isEqualTo(200);
  }

  @Test
  void aRunLongerThanPollMaxRowsIsOneBatchRatherThanNone() {
    SafeCuts cuts = new SafeCuts(25, 0);
    cuts.extend(
        List.of(
            new Cut(101, 5, 5, 0, 5),
            new Cut(140, 400, 400, 0, 400),
            new Cut(141, 410, 410, 0, 410)),
        150);

    cuts.passed(101, Long.MAX_VALUE);
    assertThat(cuts.batchEnd()).isEqualTo(140L);
    assertThat(cuts.rowsThrough(140)).isEqualTo(395);
  }

  @Test
  void rowsThatBecameFinalWithLowerSeqsInvalidateOnlyTheCutsTheyUndercut() {
    SafeCuts cuts = new SafeCuts(10, 0);
    cuts.extend(tenRowTransactions(5), 200);

    // A transaction above the old horizon wrote seq 35 early: cuts whose prefix holds seq 35 or
    // more are no longer safe; the ones before stay.
    cuts.invalidate(35);

    assertThat(cuts.last()).isEqualTo(new Cut(103, 30, 30, 3, 30));
    assertThat(cuts.rowsBase()).isEqualTo(30);
  }

  @Test
  void aCursorInsideACutsTransactionHasNotPassedIt() {
    SafeCuts cuts = new SafeCuts(100, 0);
    cuts.extend(List.of(new Cut(101, 10, 10, 1, 10), new Cut(102, 2000, 2000, 2, 2000)), 200);

    cuts.passed(102, 1500);
    assertThat(cuts.batchEnd()).isEqualTo(102L);
    assertThat(cuts.transactionsThrough(102)).isEqualTo(1);
    cuts.passed(102, 2000);
    assertThat(cuts.batchEnd()).isNull();
  }

  @Test
  void aCursorAtTheEndOfItsOwnTransactionHasPassedItsCutWhateverCameBefore() {
    SafeCuts cuts = new SafeCuts(10, 0);
    // Transaction 102 ends at seq 40; an earlier one in the same run reached seq 90.
    cuts.extend(List.of(new Cut(102, 50, 90, 2, 40), new Cut(103, 60, 95, 3, 95)), 200);

    cuts.passed(102, 40);

    assertThat(cuts.batchEnd()).isEqualTo(103L);
    assertThat(cuts.transactionsThrough(103)).isEqualTo(1);
    assertThat(cuts.rowsThrough(103)).isEqualTo(10);
  }

  @Test
  void thinnedCutsStillCountEveryTransactionBetweenThem() {
    SafeCuts cuts = new SafeCuts(25, 0);
    cuts.extend(tenRowTransactions(10), 200);

    assertThat(cuts.transactionsThrough(102)).isEqualTo(2);
    cuts.passed(102, Long.MAX_VALUE);
    assertThat(cuts.transactionsThrough(104)).isEqualTo(2);
    cuts.invalidate(45);
    long base = cuts.transactionsBase();
    cuts.extend(List.of(new Cut(300, cuts.rowsBase() + 30, 300, base + 3, 300)), 400);
    assertThat(cuts.last().transactions()).isEqualTo(base + 3);
  }

  @Test
  void recomputedCutsContinueTheRowCountOfTheLastValidCut() {
    SafeCuts cuts = new SafeCuts(10, 0);
    cuts.extend(tenRowTransactions(3), 200);
    cuts.invalidate(25);
    long base = cuts.rowsBase();

    cuts.extend(List.of(new Cut(250, base + 20, 60, 0, 60)), 260);

    assertThat(cuts.last()).isEqualTo(new Cut(250, 40, 60, 0, 60));
    assertThat(cuts.coveredBelow()).isEqualTo(260);
  }
}
