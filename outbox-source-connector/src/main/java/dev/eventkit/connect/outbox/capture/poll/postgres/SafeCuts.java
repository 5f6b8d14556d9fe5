package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Where a batch may end. A cut after transaction {@code t} is <em>safe</em> when every unpublished
 * committed row up to {@code t} has a lower seq than every unpublished committed row after it: then
 * no row beyond the batch can be a lower-seq predecessor of a row in it, and the planner never
 * waits for a row it has not read. Without that, a transaction that took its xid early but wrote a
 * hot aggregate late could wait for ever on a blocker beyond {@code poll.max.rows}.
 *
 * <p>Rows below the commit horizon never change (their transactions have ended), so cuts are
 * computed once for a range of txids and kept. When the horizon advances, only the newly final rows
 * are looked at: their lowest seq invalidates the cuts whose prefix holds a higher seq (a suffix of
 * the list, since the prefix maximum only grows), and cuts are computed again from the last valid
 * one. Each row is summarised a bounded number of times in the common case, so draining a backlog
 * costs time linear in its size; memory is one entry per {@code poll.max.rows} rows.
 */
final class SafeCuts {

  /**
   * A safe cut after transaction {@code txid}.
   *
   * @param rows rows from the origin through this transaction (an absolute count, for spacing)
   * @param maxSeq the highest seq of unpublished rows through this transaction
   * @param transactions transactions from the origin through this one (absolute, like rows)
   * @param lastSeq the highest seq of this transaction itself: a cursor there has passed the cut
   */
  record Cut(long txid, long rows, long maxSeq, long transactions, long lastSeq) {}

  private final int spacing;
  private final Deque<Cut> cuts = new ArrayDeque<>();

  /** Cuts describe every committed row with a txid below this. */
  private long coveredBelow;

  /** Rows and transactions through the last cut the cursor has passed. */
  private long consumedRows;

  private long consumedTransactions;

  /**
   * @param spacing rows between kept cuts: poll.max.rows
   * @param cursorTxid the task's cursor: rows up to it are published
   */
  SafeCuts(int spacing, long cursorTxid) {
    this.spacing = spacing;
    this.coveredBelow = cursorTxid + 1;
  }

  long coveredBelow() {
    return coveredBelow;
  }

  boolean isEmpty() {
    return cuts.isEmpty();
  }

  /**
   * The cursor is at {@code (cursorTxid, cursorSeq)}: forget the cuts it has passed. A cursor
   * inside a cut's transaction (an offset set through the REST API) has not passed it.
   */
  void passed(long cursorTxid, long cursorSeq) {
    while (!cuts.isEmpty()
        && (cuts.peekFirst().txid() < cursorTxid
            || (cuts.peekFirst().txid() == cursorTxid
                && cursorSeq >= cuts.peekFirst().lastSeq()))) {
      Cut cut = cuts.pollFirst();
      consumedRows = cut.rows();
      consumedTransactions = cut.transactions();
    }
  }

  /**
   * Newly final rows have {@code minSeq} as their lowest seq: cuts whose prefix holds a seq at
   * least that high are no longer safe.
   */
  void invalidate(long minSeq) {
    while (!cuts.isEmpty() && cuts.peekLast().maxSeq() >= minSeq) {
      cuts.pollLast();
    }
  }

  /** The last cut still known to be safe, or null: cuts are recomputed from there. */
  Cut last() {
    return cuts.peekLast();
  }

  /** Rows counted before the first cut to come; recomputed counts start from here. */
  long rowsBase() {
    Cut last = cuts.peekLast();
    return last == null ? consumedRows : last.rows();
  }

  /** Transactions counted before the first cut to come, like {@link #rowsBase()}. */
  long transactionsBase() {
    Cut last = cuts.peekLast();
    return last == null ? consumedTransactions : last.transactions();
  }

  /**
   * Adds freshly computed safe cuts (ascending, rows already absolute) for every committed row
   * below {@code horizon}: as few as keep batches within {@code spacing} rows, and always the last.
   */
  void extend(List<Cut> computed, long horizon) {
    Extension extension = extension();
    computed.forEach(extension::offer);
    extension.finish(horizon);
  }

  /** Adds cuts as they stream in, holding one back to see whether the next one is too far. */
  Extension extension() {
    return new Extension();
  }

  /** One extension of the cuts; see {@link #extend}. */
  final class Extension {
    private long lastKept = rowsBase();
    private Cut previous;

    /** The next computed cut, in txid order. */
    void offer(Cut cut) {
      // Keep the furthest cut within spacing rows of the last kept one.
      if (previous != null && cut.rows() - lastKept > spacing) {
        cuts.addLast(previous);
        lastKept = previous.rows();
      }
      previous = cut;
    }

    /** Every cut below {@code horizon} has been offered. */
    void finish(long horizon) {
      if (previous != null) {
        cuts.addLast(previous);
      }
      coveredBelow = horizon;
    }
  }

  /** The cut after {@code txid}, or null. */
  Cut cut(long txid) {
    for (Cut cut : cuts) {
      if (cut.txid() == txid) {
        return cut;
      }
    }
    return null;
  }

  /** Rows between the last passed cut and {@code end}: about how many rows a batch holds. */
  long rowsThrough(long end) {
    Cut cut = cut(end);
    return cut == null ? 0 : cut.rows() - consumedRows;
  }

  /** Transactions between the last passed cut and {@code end}. */
  long transactionsThrough(long end) {
    Cut cut = cut(end);
    return cut == null ? 0 : cut.transactions() - consumedTransactions;
  }

  /**
   * The txid the next batch ends at: the furthest cut within {@code spacing} rows of the last
   * passed one, or the nearest cut when even that is further (a run of transactions that must go
   * together); null when no committed row waits.
   */
  Long batchEnd() {
    Cut chosen = null;
    for (Cut cut : cuts) {
      if (chosen == null || cut.rows() - consumedRows <= spacing) {
        chosen = cut;
      } else {
        break;
      }
    }
    return chosen == null ? null : chosen.txid();
  }
}
