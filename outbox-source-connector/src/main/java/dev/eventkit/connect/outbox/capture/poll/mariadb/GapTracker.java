package dev.eventkit.connect.outbox.capture.poll.mariadb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The decision logic of MariaDB/MySQL poll mode, which has no commit horizon: which auto-increment
 * ids may be published now, and when a missing id (a gap) is final. Pure: the capture feeds it what
 * it read and saw, in the order that makes the decision safe.
 *
 * <p>Why it is exact. The auto-increment counter only grows, so when a read sees id {@code m} but
 * not {@code g < m}, the transaction that took {@code g} took it before {@code m}, and {@code m}'s
 * transaction had committed before the read: so {@code g}'s transaction had started before the
 * read. Right after the read, the capture lists the running InnoDB transactions ({@code
 * information_schema.INNODB_TRX}); {@code g}'s transaction is among them, or had already ended (its
 * row, if committed, is visible to every later read). Once every listed transaction has ended, a
 * read that starts after that check decides: the row is there, or the id is a hole for good (rolled
 * back). The order matters: listing the transactions before the read could miss one that took its
 * id in between.
 *
 * <p>Without the PROCESS privilege the list cannot be read. Then the capture reads the ids after
 * the cursor once more, with READ UNCOMMITTED, after the read: a row found there for a gap is in
 * flight (its transaction still runs) or committed since, and the gap is held for as long as that
 * lasts, however long. A gap with no row there, for {@code poll.gap.timeout.ms} on end, is passed
 * with a warning: its transaction rolled back, or (the only way to lose a row) its statement had
 * taken the id but not yet inserted the row for that long. That read looks further ahead than the
 * row read, and every gap it shows starts its clock at once, so several rolled-back ids cost one
 * timeout, not one each.
 *
 * <p>Rows after the first open gap are held, so each aggregate's events, whose ids writers take
 * under the aggregate's lock, go out in commit order. Ids off the {@code auto_increment_increment}
 * / {@code auto_increment_offset} grid are not gaps.
 */
public final class GapTracker {

  /** Which ids the server hands out: {@code offset + k * increment}. */
  public record IdSpacing(long increment, long offset) {
    public static final IdSpacing DENSE = new IdSpacing(1, 1);

    public IdSpacing {
      if (increment < 1 || offset < 1) {
        throw new IllegalArgumentException(
            "auto_increment_increment " + increment + " / auto_increment_offset " + offset);
      }
    }

    /** The first id: the server ignores an offset larger than the increment. */
    private long start() {
      return offset > increment ? 1 : offset;
    }

    /** The smallest id the server can hand out above {@code id}. */
    long nextAfter(long id) {
      long start = start();
      if (id < start) {
        return start;
      }
      long k = (id - start) / increment + 1;
      return start + k * increment;
    }

    /** The largest id the server can hand out below {@code id}. */
    long previousBefore(long id) {
      long start = start();
      long k = Math.floorDiv(id - 1 - start, increment);
      return start + k * increment;
    }
  }

  /**
   * The first missing id range after the cursor, and what it waits for.
   *
   * @param waitingFor transactions running right after the read that saw the gap and not yet seen
   *     to end; empty: all have ended, so the next read decides; null: they cannot be listed (no
   *     PROCESS), the gap is held until {@code openedAtMs + timeout}
   */
  public record Gap(long first, long last, Set<String> waitingFor, long openedAtMs) {
    public Gap {
      waitingFor = waitingFor == null ? null : Set.copyOf(waitingFor);
    }

    boolean exact() {
      return waitingFor != null;
    }
  }

  /**
   * Where a task stands: every id up to {@code cursor} is published or a hole for good, and {@code
   * gap} (or null) is the first range after it still waiting.
   */
  public record State(long cursor, Gap gap) {
    public static final State START = new State(0, null);
  }

  /**
   * What the capture saw right after a read: the running transactions (with PROCESS), or else which
   * ids after the cursor a READ UNCOMMITTED read finds (committed or in flight).
   */
  public record AfterRead(Set<String> running, Set<Long> present) {
    public static AfterRead running(Set<String> transactions) {
      return new AfterRead(Set.copyOf(transactions), null);
    }

    public static AfterRead present(Set<Long> ids) {
      return new AfterRead(null, Set.copyOf(ids));
    }

    boolean exact() {
      return running != null;
    }
  }

  /**
   * What to do after a read.
   *
   * @param publish ids to publish now, in order
   * @param next the state once they are published
   * @param holes ranges found final (rolled back) this time, for the log
   * @param expired ranges passed after {@code poll.gap.timeout.ms} without proof, for the WARN
   */
  public record Decision(List<Long> publish, State next, List<Gap> holes, List<Gap> expired) {}

  private final IdSpacing spacing;
  private final long gapTimeoutMs;

  /** Without PROCESS: since when each gap (by its first id) has had no row in flight. */
  private final NavigableMap<Long, Long> quietSince = new TreeMap<>();

  /** Without PROCESS: whether no decision has been made yet (a stored gap keeps its clock). */
  private boolean fresh = true;

  public GapTracker(IdSpacing spacing, long gapTimeoutMs) {
    this.spacing = spacing;
    this.gapTimeoutMs = gapTimeoutMs;
  }

  /** How many missing id ranges lie between {@code cursor} and the ids read after it. */
  int countGaps(long cursor, Collection<Long> ids) {
    return gapsIn(cursor, ids).size();
  }

  private List<Gap> gapsIn(long cursor, Collection<Long> ids) {
    List<Gap> gaps = new ArrayList<>();
    long last = cursor;
    for (long id : ids) {
      long expected = spacing.nextAfter(last);
      if (id > expected) {
        gaps.add(new Gap(expected, spacing.previousBefore(id), null, 0));
      }
      last = Math.max(last, id);
    }
    return gaps;
  }

  /**
   * Decides after one poll.
   *
   * @param state where the task stood before the read
   * @param ids the ids the read saw after {@code state.cursor()}, ascending (a prefix of them when
   *     the read was limited)
   * @param after what was seen <em>after</em> the read
   * @param nowMs the time of the check
   */
  public Decision decide(State state, List<Long> ids, AfterRead after, long nowMs) {
    if (!after.exact()) {
      startQuietClocks(state, after.present(), nowMs);
    }
    List<Long> publish = new ArrayList<>();
    List<Gap> holes = new ArrayList<>();
    List<Gap> expired = new ArrayList<>();
    long cursor = state.cursor();
    Gap known = state.gap();
    int i = 0;
    while (i < ids.size()) {
      long id = ids.get(i);
      long expected = spacing.nextAfter(cursor);
      if (id <= expected) {
        // The expected id, or one off the grid before it (an explicit id, a changed increment).
        publish.add(id);
        cursor = Math.max(cursor, id);
        i++;
        continue;
      }
      Gap seen = new Gap(expected, spacing.previousBefore(id), null, nowMs);
      boolean same = known != null && known.first() == seen.first();
      if (after.exact()) {
        if (same && known.exact() && known.waitingFor().isEmpty()) {
          // Every transaction that could fill it had ended before this read began: final.
          holes.add(seen);
          cursor = seen.last();
          known = null;
          continue;
        }
        known =
            same && known.exact()
                ? narrowed(known, seen, after.running())
                : new Gap(seen.first(), seen.last(), after.running(), nowMs);
        return finish(publish, new State(cursor, known), holes, expired);
      }
      boolean inFlight =
          after.present().stream().anyMatch(p -> p >= seen.first() && p <= seen.last());
      Long quiet = inFlight ? null : quietSince.get(seen.first());
      if (quiet != null && nowMs - quiet >= gapTimeoutMs) {
        expired.add(seen);
        cursor = seen.last();
        known = null;
        continue;
      }
      // A row in flight (or committed since the read), or quiet for less than the timeout: held.
      known = new Gap(seen.first(), seen.last(), null, quiet == null ? nowMs : quiet);
      return finish(publish, new State(cursor, known), holes, expired);
    }
    // No gap among what was read: a gap known before was filled, or lies beyond the read.
    Gap remaining = known != null && known.first() > cursor ? known : null;
    return finish(publish, new State(cursor, remaining), holes, expired);
  }

  private Decision finish(List<Long> publish, State next, List<Gap> holes, List<Gap> expired) {
    quietSince.headMap(next.cursor(), true).clear();
    return new Decision(publish, next, holes, expired);
  }

  /**
   * Starts the clock of every gap among the ids a READ UNCOMMITTED read found: ids missing even
   * there have no row in flight. A gap that filled up or changed shape loses its clock; when an
   * in-flight row rolls back, the gap it joins keeps the clock of its quiet part. After a restart,
   * a gap known from the offset keeps the time it was stored with.
   */
  private void startQuietClocks(State state, Set<Long> present, long nowMs) {
    List<Long> ids = present.stream().filter(id -> id > state.cursor()).sorted().toList();
    Gap known = state.gap();
    Set<Long> quiet = new HashSet<>();
    for (Gap gap : gapsIn(state.cursor(), ids)) {
      quiet.add(gap.first());
      if (!quietSince.containsKey(gap.first())) {
        boolean stored = fresh && known != null && !known.exact() && known.first() == gap.first();
        quietSince.put(gap.first(), stored ? known.openedAtMs() : nowMs);
      }
    }
    quietSince.keySet().retainAll(quiet);
    fresh = false;
  }

  /** A known gap, waiting now only for those of its transactions that still run. */
  private static Gap narrowed(Gap known, Gap seen, Set<String> running) {
    Set<String> still = new HashSet<>(known.waitingFor());
    still.retainAll(running);
    return new Gap(seen.first(), seen.last(), still, known.openedAtMs());
  }
}
