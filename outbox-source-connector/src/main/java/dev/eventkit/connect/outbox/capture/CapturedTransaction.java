package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.List;
import java.util.Map;

/**
 * Rows one database transaction wrote (of this task's share of the outbox), in order, with the
 * offsets a record carries: {@code offsetAfter} on the last record of a {@code complete} part,
 * {@code offsetBefore} on every other, so a restart part-way through publishes the whole
 * transaction again and never half of it.
 *
 * <p>A transaction larger than a poll's budget arrives in several parts, one per poll, in order;
 * only the last is {@code complete}. The task keeps one Kafka transaction open across them.
 *
 * @param id names the transaction in logs (e.g. "txid 712")
 * @param complete whether this part ends the transaction
 */
public record CapturedTransaction(
    String id,
    List<OutboxRow> rows,
    Map<String, Object> offsetBefore,
    Map<String, Object> offsetAfter,
    boolean complete) {

  public CapturedTransaction {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Transaction " + id + " has no rows");
    }
    rows = List.copyOf(rows);
  }

  /** A whole transaction in one part. */
  public CapturedTransaction(
      String id,
      List<OutboxRow> rows,
      Map<String, Object> offsetBefore,
      Map<String, Object> offsetAfter) {
    this(id, rows, offsetBefore, offsetAfter, true);
  }
}
