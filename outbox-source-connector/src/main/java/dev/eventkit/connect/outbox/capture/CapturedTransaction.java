package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.List;
import java.util.Map;

/**
 * Rows one database transaction wrote (of this task's share of the outbox), in order, with the
 * offsets a record carries. Poll captures give two: {@code offsetAfter} on the last record of a
 * {@code complete} part, {@code offsetBefore} on every other, so a restart part-way through
 * publishes the whole transaction again and never half of it. Log captures give one offset per row
 * ({@code rowOffsets}: the log position of each change), and a receipt per row that the task hands
 * back once Connect is done with its record.
 *
 * <p>A transaction larger than a poll's budget arrives in several parts, one per poll, in order;
 * only the last is {@code complete}. The task keeps one Kafka transaction open across them.
 *
 * @param id names the transaction in logs (e.g. "txid 712")
 * @param complete whether this part ends the transaction
 * @param rowOffsets the offset of each row, or null for the before/after rule
 * @param receipts what {@link OutboxCapture#recordSent} gets back for each row, or null for none
 */
public record CapturedTransaction(
    String id,
    List<OutboxRow> rows,
    Map<String, Object> offsetBefore,
    Map<String, Object> offsetAfter,
    boolean complete,
    List<Map<String, Object>> rowOffsets,
    List<Object> receipts)
    implements Captured {

  public CapturedTransaction {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Transaction " + id + " has no rows");
    }
    rows = List.copyOf(rows);
    if (rowOffsets != null && rowOffsets.size() != rows.size()) {
      throw new IllegalArgumentException("Transaction " + id + ": one offset per row expected");
    }
    if (receipts != null && receipts.size() != rows.size()) {
      throw new IllegalArgumentException("Transaction " + id + ": one receipt per row expected");
    }
    rowOffsets = rowOffsets == null ? null : List.copyOf(rowOffsets);
    receipts = receipts == null ? null : java.util.Collections.unmodifiableList(receipts);
  }

  /** A part of a transaction found by SQL: the before/after offset rule. */
  public CapturedTransaction(
      String id,
      List<OutboxRow> rows,
      Map<String, Object> offsetBefore,
      Map<String, Object> offsetAfter,
      boolean complete) {
    this(id, rows, offsetBefore, offsetAfter, complete, null, null);
  }

  /** A part of a transaction read from the log: each row with its own offset and receipt. */
  public static CapturedTransaction logged(
      String id,
      List<OutboxRow> rows,
      List<Map<String, Object>> rowOffsets,
      List<Object> receipts,
      boolean complete) {
    Map<String, Object> last = rowOffsets.get(rowOffsets.size() - 1);
    return new CapturedTransaction(id, rows, last, last, complete, rowOffsets, receipts);
  }

  /** The offset the record of row {@code index} carries. */
  public Map<String, Object> offsetOf(int index) {
    if (rowOffsets != null) {
      return rowOffsets.get(index);
    }
    return complete && index == rows.size() - 1 ? offsetAfter : offsetBefore;
  }

  /** What to hand back for row {@code index} once Connect is done with it, or null. */
  public Object receiptOf(int index) {
    return receipts == null ? null : receipts.get(index);
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
