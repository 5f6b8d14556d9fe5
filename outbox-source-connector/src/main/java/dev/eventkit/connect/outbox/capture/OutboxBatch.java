package dev.eventkit.connect.outbox.capture;

import java.util.List;

/**
 * Committed transactions to publish, in an order that keeps every aggregate's events in commit
 * order. {@code positionBefore} is where the task stood before the batch.
 */
public record OutboxBatch(OutboxPosition positionBefore, List<OutboxTransaction> transactions) {

  public boolean isEmpty() {
    return transactions.isEmpty();
  }

  public int rowCount() {
    return transactions.stream().mapToInt(t -> t.rows().size()).sum();
  }

  /** The position after the whole batch. */
  public OutboxPosition positionAfter() {
    return transactions.isEmpty()
        ? positionBefore
        : transactions.get(transactions.size() - 1).positionAfter();
  }
}
