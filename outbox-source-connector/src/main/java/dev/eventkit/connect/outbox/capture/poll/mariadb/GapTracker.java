package dev.eventkit.connect.outbox.capture.poll.mariadb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * information_schema.INNODB_TRX}, each named by its thread and start time, since a transaction that
 * has not written yet has no id there); {@code g}'s transaction is among them, or had already ended
 * (its row, if committed, is visible to every later read). Once every listed transaction has ended,
 * a read that starts after that check decides: the row is there, or the id is a hole for good
 * (rolled back). The order matters: listing the transactions before the read could miss one that
 * took its id in between. After a restart the first read lists them afresh (the waits stored in the
 * offset are for operators): a list taken after any read is valid for every gap that read sees.
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

  /** With PROCESS: every gap seen after the cursor, by first id, with what it waits for. */
  private final NavigableMap<Long, Gap> pending = new TreeMap<>();

  /** Whether no decision has been made yet (a gap stored in the offset is taken up). */
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
    NavigableMap<Long, Gap> previous = new TreeMap<>();
    if (after.exact()) {
      fresh = false;
      previous.putAll(pending);
      pending.clear();
    } else {
      startQuietClocks(state, after.present(), nowMs);
    }
    List<Long> publish = new ArrayList<>();
    List<Gap> holes = new ArrayList<>();
    List<Gap> expired = new ArrayList<>();
    long cursor = state.cursor();
    Gap held = null; // the first gap still open: nothing after it is published
    long scanned = cursor;
    for (long id : ids) {
      long expected = spacing.nextAfter(scanned);
      if (id > expected) {
        Gap seen = new Gap(expected, spacing.previousBefore(id), null, nowMs);
        Gap open =
            after.exact()
                ? exactGap(seen, previous, after.running(), held == null, holes)
                : fallbackGap(seen, after.present(), scanned, nowMs, held == null, expired);
        if (held == null && open != null) {
          held = open;
        }
      }
      // The expected id, or one off the grid before it (an explicit id, a changed increment).
      if (held == null) {
        publish.add(id);
        cursor = Math.max(cursor, id);
      }
      scanned = Math.max(scanned, id);
    }
    // Gaps seen before beyond this (limited) read keep what they wait for.
    pending.putAll(previous.tailMap(scanned, false));
    if (held == null) {
      // No gap open among what was read; one seen before may lie beyond a limited read.
      Map.Entry<Long, Gap> beyond = pending.higherEntry(cursor);
      held = beyond == null ? null : beyond.getValue();
    }
    return finish(publish, new State(cursor, held), holes, expired);
  }

  /**
   * With the transaction list: a gap whose transactions had all ended at an earlier check (so
   * before this read began) is final; any other gap waits for those of its transactions still
   * running. Every gap below the highest id read gets its list at first sight, since whatever took
   * one of its ids started before this read, so gaps behind the first are settled as soon as it is.
   *
   * @param first whether this is the first gap of the read (a final one becomes a hole now)
   * @return the gap still open, or null when it is final
   */
  private Gap exactGap(
      Gap seen,
      NavigableMap<Long, Gap> previous,
      Set<String> running,
      boolean first,
      List<Gap> holes) {
    Map.Entry<Long, Gap> entry = previous.floorEntry(seen.first());
    Gap known = entry != null && entry.getValue().last() >= seen.last() ? entry.getValue() : null;
    if (known != null && known.waitingFor().isEmpty()) {
      if (first) {
        holes.add(seen);
      } else {
        pending.put(seen.first(), new Gap(seen.first(), seen.last(), Set.of(), known.openedAtMs()));
      }
      return null;
    }
    Gap open =
        known == null
            ? new Gap(seen.first(), seen.last(), running, seen.openedAtMs())
            : narrowed(known, seen, running);
    pending.put(open.first(), open);
    return open;
  }

  /**
   * Without the list: a gap with a row in flight (any id after the last one read before it, since
   * the writers' spacing may differ) is held; a quiet one is passed once quiet for the timeout.
   *
   * @param first whether this is the first gap of the read (only that one may be passed now)
   * @return the gap still open, or null when it was passed
   */
  private Gap fallbackGap(
      Gap seen, Set<Long> present, long after, long nowMs, boolean first, List<Gap> expired) {
    boolean inFlight = present.stream().anyMatch(p -> p > after && p <= seen.last());
    Long quiet = inFlight ? null : quietSince.get(seen.first());
    if (first && quiet != null && nowMs - quiet >= gapTimeoutMs) {
      expired.add(seen);
      return null;
    }
    return new Gap(seen.first(), seen.last(), null, quiet == null ? nowMs : quiet);
  }

  private Decision finish(List<Long> publish, State next, List<Gap> holes, List<Gap> expired) {
    quietSince.headMap(next.cursor(), true).clear();
    pending.headMap(next.cursor(), true).clear();
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
