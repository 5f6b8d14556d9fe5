package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.Arrays;

/**
 * A planned transaction of a large batch, waiting to be published in parts: the rows of {@code
 * txid} after seq {@code afterSeq} through {@code lastSeq} — all of them, or when {@code seqs} is
 * not null only those (sorted), since some may be published already.
 */
record PendingTransaction(
    long txid,
    long afterSeq,
    long lastSeq,
    long[] seqs,
    PostgresPosition before,
    PostgresPosition after) {

  static PendingTransaction of(BatchPlanner.PlannedTransaction tx) {
    long[] seqs = tx.rows().stream().mapToLong(PositionedRow::seq).toArray(); // seq order
    return new PendingTransaction(
        tx.txid(), seqs[0] - 1, seqs[seqs.length - 1], seqs, tx.before(), tx.after());
  }

  /** Rows to publish, or -1 when unknown (every row of the range is wanted). */
  int size() {
    return seqs == null ? -1 : seqs.length;
  }

  boolean wants(long seq) {
    return seqs == null ? seq > afterSeq && seq <= lastSeq : Arrays.binarySearch(seqs, seq) >= 0;
  }
}
