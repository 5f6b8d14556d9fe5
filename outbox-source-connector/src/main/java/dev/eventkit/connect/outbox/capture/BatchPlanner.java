package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which committed rows may be published now, and in which order, so that each aggregate's
 * events reach Kafka in commit order.
 *
 * <p>Candidates arrive in cursor order {@code (txid, seq)}: a transaction's id is taken at its
 * first write, so txid order is not commit order. {@code seq} is taken while the writer holds the
 * aggregate's lock, so within an aggregate it is commit order. Two rules follow:
 *
 * <ol>
 *   <li>Hold back: a transaction may not be published while another row of one of its aggregates
 *       with a lower seq is not yet publishable (still behind the commit horizon, or beyond this
 *       batch). Only a prefix of the candidate transactions (in cursor order) is published, so the
 *       cursor stays meaningful.
 *   <li>Reorder: the published transactions go out by their highest seq. If transaction B must
 *       follow A in some aggregate, B took that aggregate's lock after A committed, so every seq of
 *       A is lower than B's seq there: ordering by highest seq respects every aggregate's order.
 * </ol>
 */
public final class BatchPlanner {

  private BatchPlanner() {}

  /**
   * Plans a batch.
   *
   * @param start the task's position before the batch
   * @param candidates committed, unpublished rows in cursor order; each transaction's rows complete
   * @param minSeqElsewhere per aggregate, the lowest seq of its unpublished rows that are not among
   *     the candidates (held back by the horizon, or beyond the batch)
   */
  public static OutboxBatch plan(
      OutboxPosition start, List<OutboxRow> candidates, Map<String, Long> minSeqElsewhere) {
    List<List<OutboxRow>> groups = groupByTransaction(candidates);
    int publishable = publishablePrefix(groups, minSeqElsewhere);

    List<OutboxPosition.TxidRange> window = new ArrayList<>(publishable);
    List<List<OutboxRow>> chosen = new ArrayList<>(groups.subList(0, publishable));
    for (List<OutboxRow> group : chosen) {
      OutboxRow last = group.get(group.size() - 1);
      window.add(new OutboxPosition.TxidRange(last.txid(), last.seq()));
    }
    chosen.sort(Comparator.comparingLong(BatchPlanner::maxSeq));

    List<OutboxTransaction> transactions = new ArrayList<>(chosen.size());
    OutboxPosition position = start;
    for (List<OutboxRow> group : chosen) {
      List<OutboxRow> rows = new ArrayList<>(group);
      rows.sort(Comparator.comparingLong(OutboxRow::seq));
      OutboxRow first = rows.get(0);
      position = position.withDone(first.txid(), window);
      transactions.add(new OutboxTransaction(first.txid(), List.copyOf(rows), position));
    }
    return new OutboxBatch(start, List.copyOf(transactions));
  }

  private static List<List<OutboxRow>> groupByTransaction(List<OutboxRow> candidates) {
    List<List<OutboxRow>> groups = new ArrayList<>();
    List<OutboxRow> current = null;
    for (OutboxRow row : candidates) {
      if (current == null || current.get(0).txid() != row.txid()) {
        current = new ArrayList<>();
        groups.add(current);
      }
      current.add(row);
    }
    return groups;
  }

  /** The largest number of leading transactions whose every aggregate is ahead of the rest. */
  private static int publishablePrefix(
      List<List<OutboxRow>> groups, Map<String, Long> minSeqElsewhere) {
    for (int prefix = groups.size(); prefix > 0; prefix--) {
      Map<String, Long> minExcluded = new HashMap<>(minSeqElsewhere);
      for (List<OutboxRow> group : groups.subList(prefix, groups.size())) {
        for (OutboxRow row : group) {
          if (row.aggregateId() != null) {
            minExcluded.merge(row.aggregateId(), row.seq(), Math::min);
          }
        }
      }
      if (prefixIsAhead(groups.subList(0, prefix), minExcluded)) {
        return prefix;
      }
    }
    return 0;
  }

  private static boolean prefixIsAhead(
      List<List<OutboxRow>> prefix, Map<String, Long> minExcluded) {
    for (List<OutboxRow> group : prefix) {
      for (OutboxRow row : group) {
        Long blocker = row.aggregateId() == null ? null : minExcluded.get(row.aggregateId());
        if (blocker != null && blocker < row.seq()) {
          return false;
        }
      }
    }
    return true;
  }

  private static long maxSeq(List<OutboxRow> group) {
    long max = Long.MIN_VALUE;
    for (OutboxRow row : group) {
      max = Math.max(max, row.seq());
    }
    return max;
  }
}
