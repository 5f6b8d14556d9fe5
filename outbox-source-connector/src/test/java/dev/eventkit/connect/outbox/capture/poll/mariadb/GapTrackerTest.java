package dev.eventkit.connect.outbox.capture.poll.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.AfterRead;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Decision;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.IdSpacing;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GapTrackerTest {

  private final GapTracker exact = new GapTracker(IdSpacing.DENSE, 60_000);

  private static AfterRead running(String... trx) {
    return AfterRead.running(Set.of(trx));
  }

  /** Without PROCESS: the ids a READ UNCOMMITTED read found after the read. */
  private static AfterRead present(Long... ids) {
    return AfterRead.present(Set.of(ids));
  }

  @Test
  void findsAMissingIdOnlyWhereTheSpacingLeavesOne() {
    GapTracker galera = new GapTracker(new IdSpacing(2, 1), 60_000);

    assertThat(galera.countGaps(0, List.of(1L, 3L, 5L))).isZero();
    assertThat(galera.countGaps(0, List.of(1L, 5L))).isEqualTo(1);
    assertThat(galera.countGaps(3, List.of(7L, 11L))).isEqualTo(2);
    assertThat(exact.countGaps(0, List.of())).isZero();
  }

  @Test
  void idsWithoutGapsArePublishedInOrder() {
    Decision d = exact.decide(State.START, List.of(1L, 2L, 3L), running("t9"), 0);

    assertThat(d.publish()).containsExactly(1L, 2L, 3L);
    assertThat(d.next()).isEqualTo(new State(3, null));
  }

  @Test
  void aGapHoldsEverythingAfterItUntilTheTransactionsRunningAfterTheReadHaveEnded() {
    Decision opened = exact.decide(State.START, List.of(1L, 2L, 4L), running("t1", "t2"), 0);
    assertThat(opened.publish()).containsExactly(1L, 2L);
    assertThat(opened.next().gap().waitingFor()).containsExactlyInAnyOrder("t1", "t2");

    Decision narrowed = exact.decide(opened.next(), List.of(4L), running("t2", "t9"), 1);
    assertThat(narrowed.publish()).isEmpty();
    assertThat(narrowed.next().gap().waitingFor()).containsExactly("t2");

    // t2 has ended by this check, but this read began before it: it cannot decide yet.
    Decision allEnded = exact.decide(narrowed.next(), List.of(4L), running("t9"), 2);
    assertThat(allEnded.publish()).isEmpty();
    assertThat(allEnded.next().gap().waitingFor()).isEmpty();

    // A read after that check still misses id 3: it was rolled back, a hole for good.
    Decision decided = exact.decide(allEnded.next(), List.of(4L), running("t9"), 3);
    assertThat(decided.publish()).containsExactly(4L);
    assertThat(decided.holes()).extracting(Gap::first).containsExactly(3L);
    assertThat(decided.next()).isEqualTo(new State(4, null));
  }

  @Test
  void aLateCommitFillsItsGapAndGoesOutFirst() {
    Decision opened = exact.decide(State.START, List.of(1L, 3L), running("t1"), 0);

    Decision filled = exact.decide(opened.next(), List.of(2L, 3L), running(), 1);

    assertThat(filled.publish()).containsExactly(2L, 3L);
    assertThat(filled.holes()).isEmpty();
    assertThat(filled.next()).isEqualTo(new State(3, null));
  }

  @Test
  void aFillerThatEndedBetweenTheReadAndTheCheckIsDecidedByTheNextRead() {
    // Nothing runs at the check: the filler committed (or rolled back) after the read.
    Decision opened = exact.decide(State.START, List.of(2L), running(), 0);
    assertThat(opened.publish()).isEmpty();
    assertThat(opened.next().gap().waitingFor()).isEmpty();

    Decision next = exact.decide(opened.next(), List.of(1L, 2L), running(), 1);
    assertThat(next.publish()).containsExactly(1L, 2L);
  }

  @Test
  void withoutTheTransactionListAQuietGapIsHeldForTheTimeoutThenPassedLoudly() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), present(1L, 3L), 0);
    assertThat(opened.publish()).containsExactly(1L);
    assertThat(opened.next().gap().waitingFor()).isNull();

    Decision held = fallback.decide(opened.next(), List.of(3L), present(3L), 999);
    assertThat(held.publish()).isEmpty();

    Decision passed = fallback.decide(held.next(), List.of(3L), present(3L), 1_000);
    assertThat(passed.publish()).containsExactly(3L);
    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L);
  }

  @Test
  void withoutTheTransactionListARowInFlightHoldsItsGapBeyondTheTimeoutUntilItCommits() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    // Id 2 is inserted but not committed: the snapshot misses it, the dirty read finds it.
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), present(2L, 3L), 0);
    Decision stillRunning = fallback.decide(opened.next(), List.of(3L), present(2L, 3L), 60_000);
    assertThat(stillRunning.publish()).isEmpty();
    assertThat(stillRunning.expired()).isEmpty();

    Decision committed = fallback.decide(stillRunning.next(), List.of(2L, 3L), present(), 61_000);
    assertThat(committed.publish()).containsExactly(2L, 3L);
  }

  @Test
  void withoutTheTransactionListTheClockStartsAfreshWhenAGapsRowWasLastSeenInFlight() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), present(1L, 2L, 3L), 0);
    // Rolled back at 5 000: quiet from the first read that misses it, not from when first seen.
    Decision quiet = fallback.decide(opened.next(), List.of(3L), present(3L), 5_000);
    Decision held = fallback.decide(quiet.next(), List.of(3L), present(3L), 5_999);
    assertThat(held.publish()).isEmpty();

    Decision passed = fallback.decide(held.next(), List.of(3L), present(3L), 6_000);
    assertThat(passed.publish()).containsExactly(3L);
    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L);
  }

  @Test
  void withoutTheTransactionListARowCommittedBetweenTheReadAndTheDirtyReadIsNotPassed() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), present(1L, 3L), 0);
    // Id 2 committed after the snapshot read: the snapshot misses it, the dirty read finds it.
    Decision late = fallback.decide(opened.next(), List.of(3L), present(2L, 3L), 5_000);
    assertThat(late.publish()).isEmpty();
    assertThat(late.expired()).isEmpty();

    Decision published = fallback.decide(late.next(), List.of(2L, 3L), present(2L, 3L), 5_001);
    assertThat(published.publish()).containsExactly(2L, 3L);
  }

  @Test
  void withoutTheTransactionListSeveralQuietGapsCostOneTimeoutNotOneEach() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    Decision opened =
        fallback.decide(State.START, List.of(1L, 3L, 5L, 7L), present(1L, 3L, 5L, 7L), 0);
    assertThat(opened.publish()).containsExactly(1L);

    Decision passed =
        fallback.decide(opened.next(), List.of(3L, 5L, 7L), present(3L, 5L, 7L), 1_000);
    assertThat(passed.publish()).containsExactly(3L, 5L, 7L);
    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L, 4L, 6L);
  }

  @Test
  void withoutTheTransactionListGapsBeyondTheRowReadStartTheirClocksFromTheIdRead() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    // The row read stopped at 3 (poll.max.rows); the id read looked further and saw 4 missing.
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), present(1L, 3L, 5L), 0);

    Decision passed = fallback.decide(opened.next(), List.of(3L, 5L), present(3L, 5L), 1_000);

    assertThat(passed.publish()).containsExactly(3L, 5L);
    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L, 4L);
  }

  @Test
  void aGapStoredWithoutTheListKeepsItsClockAcrossARestart() {
    GapTracker restarted = new GapTracker(IdSpacing.DENSE, 1_000);
    State stored = new State(1, new Gap(2, 2, null, 500));

    Decision passed = restarted.decide(stored, List.of(3L), present(3L), 1_500);

    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L);
  }

  @Test
  void aGapStoredWaitingForTransactionsTimesOutIfTheyCanNoLongerBeListed() {
    GapTracker withoutProcess = new GapTracker(IdSpacing.DENSE, 1_000);
    State stored = new State(1, new Gap(2, 2, Set.of("t1"), 0));

    Decision first = withoutProcess.decide(stored, List.of(3L), present(3L), 10_000);
    assertThat(first.publish()).isEmpty();
    Decision passed = withoutProcess.decide(first.next(), List.of(3L), present(3L), 11_000);
    assertThat(passed.publish()).containsExactly(3L);
  }

  @Test
  void aGapStoredWithoutTheListBecomesExactOnceTheListCanBeRead() {
    State stored = new State(1, new Gap(2, 2, null, 0));

    Decision d = exact.decide(stored, List.of(3L), running("t4"), 10_000_000);

    assertThat(d.expired()).isEmpty();
    assertThat(d.next().gap().waitingFor()).containsExactly("t4");
  }

  @Test
  void idsSpacedByTheAutoIncrementIncrementAreNoGaps() {
    GapTracker galera = new GapTracker(new IdSpacing(3, 2), 60_000);

    Decision d = galera.decide(State.START, List.of(2L, 5L, 8L, 14L), running("t1"), 0);

    assertThat(d.publish()).containsExactly(2L, 5L, 8L);
    assertThat(d.next().gap()).isEqualTo(new Gap(11, 11, Set.of("t1"), 0));
  }

  @Test
  void aPartlyFilledGapStillWaitsOnlyForWhatRanWhenItWasFirstSeen() {
    Decision opened = exact.decide(State.START, List.of(1L, 4L), running("t1", "t2"), 0);
    assertThat(opened.next().gap()).isEqualTo(new Gap(2, 3, Set.of("t1", "t2"), 0));

    // t3 started after the read that saw id 4, so it cannot hold id 3.
    Decision partly = exact.decide(opened.next(), List.of(2L, 4L), running("t2", "t3"), 5);

    assertThat(partly.publish()).containsExactly(2L);
    assertThat(partly.next().gap()).isEqualTo(new Gap(3, 3, Set.of("t2"), 0));
  }

  /**
   * Every gap of a read gets its transaction list at first sight: when several rolled-back ids are
   * seen together, one check after their transactions ended settles them all in one read, not one
   * check cycle each.
   */
  @Test
  void severalGapsOfOneReadAreSettledTogether() {
    Decision opened =
        exact.decide(State.START, List.of(1L, 3L, 5L, 7L), running("t2", "t4", "t6"), 0);
    assertThat(opened.publish()).containsExactly(1L);

    Decision ended = exact.decide(opened.next(), List.of(3L, 5L, 7L), running("t9"), 1);
    assertThat(ended.publish()).isEmpty();

    Decision settled = exact.decide(ended.next(), List.of(3L, 5L, 7L), running("t9"), 2);
    assertThat(settled.publish()).containsExactly(3L, 5L, 7L);
    assertThat(settled.holes()).extracting(Gap::first).containsExactly(2L, 4L, 6L);
  }

  /** A gap behind the first keeps its list while the first waits, and is final when reached. */
  @Test
  void aGapBehindAHeldOneIsNotGivenALaterList() {
    Decision opened = exact.decide(State.START, List.of(1L, 3L, 5L), running("t2", "t4"), 0);
    // t2 (id 2) still runs; t4 ended; t8 began later and cannot hold id 4.
    Decision waiting = exact.decide(opened.next(), List.of(3L, 5L), running("t2", "t8"), 1);
    Decision still = exact.decide(waiting.next(), List.of(3L, 5L), running("t2", "t8"), 2);
    assertThat(still.publish()).isEmpty();

    // t2 committed id 2; it might have taken id 4 too, so id 4 waits for one more read.
    Decision committed = exact.decide(still.next(), List.of(2L, 3L, 5L), running("t8"), 3);
    assertThat(committed.publish()).containsExactly(2L, 3L);

    Decision settled = exact.decide(committed.next(), List.of(5L), running("t8"), 4);
    assertThat(settled.publish()).containsExactly(5L);
    assertThat(settled.holes()).extracting(Gap::first).containsExactly(4L);
  }

  /**
   * Transactions take ids, then commit or roll back, at random moments; polls read what is
   * committed, then list what runs, with transactions ending in between. Every committed id is
   * published once, in id order, and no rolled-back id ever is.
   */
  @Test
  void randomHistoriesPublishEveryCommittedIdOnceInOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      long counter = 0;
      Map<Long, String> running = new HashMap<>(); // id -> trx
      Set<Long> committed = new TreeSet<>();
      Set<Long> rolledBack = new HashSet<>();
      State state = State.START;
      List<Long> published = new ArrayList<>();
      int trx = 0;
      for (int step = 0; step < 200; step++) {
        int action = random.nextInt(4);
        if (action == 0 || running.isEmpty()) {
          running.put(++counter, "t" + ++trx);
        } else if (action == 1) {
          endOne(random, running, committed, rolledBack);
        } else {
          List<Long> read = committedAfter(committed, state.cursor());
          // Some transactions end between the read and the check.
          int ending = random.nextInt(3);
          for (int e = 0; e < ending && !running.isEmpty(); e++) {
            endOne(random, running, committed, rolledBack);
          }
          Decision d =
              exact.decide(state, read, AfterRead.running(Set.copyOf(running.values())), step);
          published.addAll(d.publish());
          state = d.next();
        }
      }
      while (!running.isEmpty()) {
        endOne(random, running, committed, rolledBack);
      }
      for (int settle = 0; settle < 50; settle++) {
        List<Long> read = committedAfter(committed, state.cursor());
        Decision d = exact.decide(state, read, AfterRead.running(Set.of()), 10_000 + settle);
        published.addAll(d.publish());
        state = d.next();
      }
      assertThat(published).as("round %d", round).containsExactlyElementsOf(committed);
      assertThat(published).doesNotContainAnyElementsOf(rolledBack);
    }
  }

  /**
   * The fallback against the same histories, with a timeout of zero: as long as a transaction's row
   * is in place from the moment it takes its id (a one-row INSERT), the dirty read finds every row
   * whose transaction still runs or has committed since the read, so nothing committed is ever
   * passed, however short the timeout.
   */
  @Test
  void randomHistoriesWithoutTheListLoseNothingWhileRowsAreInFlight() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      GapTracker fallback = new GapTracker(IdSpacing.DENSE, 0);
      long counter = 0;
      Map<Long, String> running = new HashMap<>();
      Set<Long> committed = new TreeSet<>();
      Set<Long> rolledBack = new HashSet<>();
      State state = State.START;
      List<Long> published = new ArrayList<>();
      for (int step = 0; step < 200; step++) {
        int action = random.nextInt(4);
        if (action == 0 || running.isEmpty()) {
          running.put(++counter, "t" + counter);
        } else if (action == 1) {
          endOne(random, running, committed, rolledBack);
        } else {
          List<Long> read = committedAfter(committed, state.cursor());
          int ending = random.nextInt(3);
          for (int e = 0; e < ending && !running.isEmpty(); e++) {
            endOne(random, running, committed, rolledBack);
          }
          Set<Long> present = new HashSet<>(committed);
          present.addAll(running.keySet());
          Decision d = fallback.decide(state, read, AfterRead.present(present), step);
          published.addAll(d.publish());
          state = d.next();
        }
      }
      while (!running.isEmpty()) {
        endOne(random, running, committed, rolledBack);
      }
      for (int settle = 0; settle < 50; settle++) {
        List<Long> read = committedAfter(committed, state.cursor());
        Decision d = fallback.decide(state, read, AfterRead.present(committed), 10_000 + settle);
        published.addAll(d.publish());
        state = d.next();
      }
      assertThat(published).as("round %d", round).containsExactlyElementsOf(committed);
    }
  }

  /** What a read with a limit of five rows sees after the cursor. */
  private static List<Long> committedAfter(Set<Long> committed, long cursor) {
    return committed.stream().filter(id -> id > cursor).limit(5).toList();
  }

  private static void endOne(
      Random random, Map<Long, String> running, Set<Long> committed, Set<Long> rolledBack) {
    List<Long> ids = new ArrayList<>(running.keySet());
    long id = ids.get(random.nextInt(ids.size()));
    running.remove(id);
    (random.nextInt(10) == 0 ? rolledBack : committed).add(id);
  }
}
