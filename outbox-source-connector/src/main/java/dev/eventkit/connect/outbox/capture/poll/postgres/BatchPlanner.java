package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides which committed rows may be published now, and in which order, so that each aggregate's
 * events reach Kafka in commit order. Pure: no database, linear in the batch (plus sorting).
 *
 * <p>Candidates arrive in cursor order {@code (txid, seq)}: a transaction's id is taken at its
 * first write, so txid order is not commit order. {@code seq} is taken while the writer holds the
 * aggregate's lock, so within an aggregate it is commit order. Two rules follow:
 *
 * <ol>
 *   <li>Hold back: a transaction may not be published while another row of one of its aggregates
 *       with a lower seq is not yet publishable (still behind the commit horizon, or in a later
 *       candidate transaction that is not published with it). Only a prefix of the candidate
 *       transactions (in cursor order) is published, so the cursor stays meaningful.
 *   <li>Reorder: the published transactions go out by their highest seq. If transaction B must
 *       follow A in some aggregate, B took that aggregate's lock after A committed, so every seq of
 *       A is lower than B's seq there: ordering by highest seq respects every aggregate's order.
 * </ol>
 *
 * <p>The capture hands in candidates that end at a safe cut (see {@link SafeCuts}), so no row
 * beyond the batch can hold one of them back: only the horizon can.
 */
final class BatchPlanner {

  private static final int BLOCKED = Integer.MAX_VALUE;

  private BatchPlanner() {}

  /** A transaction to publish, its rows in seq order, and the position once it is published. */
  record PlannedTransaction(
      long txid, List<PositionedRow> rows, PostgresPosition before, PostgresPosition after) {}

  /**
   * Plans a batch.
   *
   * @param start the task's position before the batch
   * @param candidates committed, unpublished rows in cursor order; each transaction's rows complete
   * @param horizonBlockers per aggregate, the lowest seq of its committed rows still behind the
   *     commit horizon
   */
  static List<PlannedTransaction> plan(
      PostgresPosition start, List<PositionedRow> candidates, Map<String, Long> horizonBlockers) {
    List<List<PositionedRow>> groups = groupByTransaction(candidates);
    int publishable = publishablePrefix(groups, horizonBlockers);
    if (publishable == 0) {
      return List.of();
    }
    Integer[] order = new Integer[publishable];
    long[] maxSeq = new long[publishable];
    for (int i = 0; i < publishable; i++) {
      order[i] = i;
      maxSeq[i] = groups.get(i).stream().mapToLong(PositionedRow::seq).max().orElseThrow();
    }
    Arrays.sort(order, Comparator.comparingLong(i -> maxSeq[i]));

    Positions positions = new Positions(start, groups);
    List<PlannedTransaction> planned = new ArrayList<>(publishable);
    PostgresPosition before = start;
    for (int index : order) {
      List<PositionedRow> rows = new ArrayList<>(groups.get(index));
      rows.sort(Comparator.comparingLong(PositionedRow::seq));
      PostgresPosition after = positions.publish(index);
      planned.add(new PlannedTransaction(rows.get(0).txid(), List.copyOf(rows), before, after));
      before = after;
    }
    return planned;
  }

  private static List<List<PositionedRow>> groupByTransaction(List<PositionedRow> candidates) {
    List<List<PositionedRow>> groups = new ArrayList<>();
    List<PositionedRow> current = null;
    for (PositionedRow row : candidates) {
      if (current == null || current.get(0).txid() != row.txid()) {
        current = new ArrayList<>();
        groups.add(current);
      }
      current.add(row);
    }
    return groups;
  }

  /**
   * The largest k such that the first k transactions can be published without the rest: none of
   * them has a row whose aggregate has a lower seq behind the horizon or in transaction k or later.
   */
  private static int publishablePrefix(
      List<List<PositionedRow>> groups, Map<String, Long> horizonBlockers) {
    int n = groups.size();
    // needs[i]: the latest transaction that must be published with (or before) transaction i.
    int[] needs = new int[n];
    Map<String, List<long[]>> byAggregate = new HashMap<>();
    for (int i = 0; i < n; i++) {
      needs[i] = i;
      for (PositionedRow row : groups.get(i)) {
        String aggregate = row.aggregateId();
        if (aggregate == null) {
          continue;
        }
        Long blocker = horizonBlockers.get(aggregate);
        if (blocker != null && blocker < row.seq()) {
          needs[i] = BLOCKED;
        }
        byAggregate
            .computeIfAbsent(aggregate, a -> new ArrayList<>())
            .add(new long[] {row.seq(), i});
      }
    }
    for (List<long[]> rows : byAggregate.values()) {
      if (rows.size() < 2) {
        continue;
      }
      rows.sort(Comparator.comparingLong(r -> r[0]));
      int latestBefore = -1;
      for (long[] row : rows) {
        int tx = (int) row[1];
        if (latestBefore > needs[tx] && needs[tx] != BLOCKED) {
          needs[tx] = latestBefore;
        }
        latestBefore = Math.max(latestBefore, tx);
      }
    }
    int best = 0;
    int latestNeeded = -1;
    for (int k = 1; k <= n; k++) {
      if (needs[k - 1] == BLOCKED) {
        break;
      }
      latestNeeded = Math.max(latestNeeded, needs[k - 1]);
      if (latestNeeded < k) {
        best = k;
      }
    }
    return best;
  }

  /**
   * Tracks the position while a prefix of transactions is published out of cursor order: the cursor
   * moves over every leading published transaction, the rest become done ranges.
   */
  private static final class Positions {
    private final PostgresPosition start;
    private final List<List<PositionedRow>> groups;
    private final boolean[] published;

    /** Runs of published transactions ahead of the cursor: first index to last index. */
    private final TreeMap<Integer, Integer> runs = new TreeMap<>();

    private int cursor = -1;

    Positions(PostgresPosition start, List<List<PositionedRow>> groups) {
      this.start = start;
      this.groups = groups;
      this.published = new boolean[groups.size()];
    }

    PostgresPosition publish(int index) {
      published[index] = true;
      int first = index;
      int last = index;
      Map.Entry<Integer, Integer> before = runs.floorEntry(index - 1);
      if (before != null && before.getValue() == index - 1) {
        first = before.getKey();
        runs.remove(first);
      }
      Integer after = runs.containsKey(index + 1) ? runs.remove(index + 1) : null;
      if (after != null) {
        last = after;
      }
      runs.put(first, last);
      if (first == cursor + 1) {
        runs.remove(first);
        cursor = last;
      }
      return position();
    }

    private PostgresPosition position() {
      long txid = start.txid();
      long seq = start.seq();
      if (cursor >= 0) {
        List<PositionedRow> last = groups.get(cursor);
        txid = last.get(0).txid();
        seq = last.stream().mapToLong(PositionedRow::seq).max().orElseThrow();
      }
      List<PostgresPosition.TxidRange> done = new ArrayList<>(start.done());
      for (Map.Entry<Integer, Integer> run : runs.entrySet()) {
        done.add(
            new PostgresPosition.TxidRange(
                groups.get(run.getKey()).get(0).txid(), groups.get(run.getValue()).get(0).txid()));
      }
      return new PostgresPosition(txid, seq, done);
    }
  }
}
