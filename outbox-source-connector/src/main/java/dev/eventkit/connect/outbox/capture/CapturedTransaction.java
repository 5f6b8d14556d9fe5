package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.List;
import java.util.Map;

/**
 * The rows one database transaction wrote (of this task's share of the outbox), in order, with the
 * offsets a record carries: {@code offsetAfter} on the transaction's last record, {@code
 * offsetBefore} on the others, so a restart part-way through publishes the whole transaction again
 * and never half of it.
 *
 * @param id names the transaction in logs (e.g. "txid 712")
 */
public record CapturedTransaction(
    String id,
    List<OutboxRow> rows,
    Map<String, Object> offsetBefore,
    Map<String, Object> offsetAfter) {

  public CapturedTransaction {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("Transaction " + id + " has no rows");
    }
    rows = List.copyOf(rows);
  }
}
