package dev.eventkit.connect.outbox.capture.poll.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Decision;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.IdSpacing;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GapTrackerTest {

  private final GapTracker exact = new GapTracker(IdSpacing.DENSE, 60_000);

  private static Optional<Set<String>> running(String... trx) {
    return Optional.of(Set.of(trx));
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
  void withoutTheTransactionListAGapIsHeldForTheTimeoutThenPassedLoudly() {
    GapTracker fallback = new GapTracker(IdSpacing.DENSE, 1_000);
    Decision opened = fallback.decide(State.START, List.of(1L, 3L), Optional.empty(), 0);
    assertThat(opened.next().gap().waitingFor()).isNull();

    Decision held = fallback.decide(opened.next(), List.of(3L), Optional.empty(), 999);
    assertThat(held.publish()).isEmpty();

    Decision passed = fallback.decide(held.next(), List.of(3L), Optional.empty(), 1_000);
    assertThat(passed.publish()).containsExactly(3L);
    assertThat(passed.expired()).extracting(Gap::first).containsExactly(2L);
  }

  @Test
  void idsSpacedByTheAutoIncrementIncrementAreNoGaps() {
    GapTracker galera = new GapTracker(new IdSpacing(3, 2), 60_000);

    Decision d = galera.decide(State.START, List.of(2L, 5L, 8L, 14L), running("t1"), 0);

    assertThat(d.publish()).containsExactly(2L, 5L, 8L);
    assertThat(d.next().gap()).isEqualTo(new Gap(11, 11, Set.of("t1"), 0));
  }

  @Test
  void aPartlyFilledGapWaitsForWhatRunsAtTheReadThatSawTheRest() {
    Decision opened = exact.decide(State.START, List.of(1L, 4L), running("t1", "t2"), 0);
    assertThat(opened.next().gap()).isEqualTo(new Gap(2, 3, Set.of("t1", "t2"), 0));

    Decision partly = exact.decide(opened.next(), List.of(2L, 4L), running("t2", "t3"), 5);

    assertThat(partly.publish()).containsExactly(2L);
    assertThat(partly.next().gap()).isEqualTo(new Gap(3, 3, Set.of("t2", "t3"), 5));
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
          Decision d = exact.decide(state, read, Optional.of(Set.copyOf(running.values())), step);
          published.addAll(d.publish());
          state = d.next();
        }
      }
      while (!running.isEmpty()) {
        endOne(random, running, committed, rolledBack);
      }
      for (int settle = 0; settle < 50; settle++) {
        List<Long> read = committedAfter(committed, state.cursor());
        Decision d = exact.decide(state, read, Optional.of(Set.of()), 10_000 + settle);
        published.addAll(d.publish());
        state = d.next();
      }
      assertThat(published).as("round %d", round).containsExactlyElementsOf(committed);
      assertThat(published).doesNotContainAnyElementsOf(rolledBack);
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
