package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.record.OutboxRow;

/**
 * A row's place in the PostgreSQL cursor, the writer's txid and the row's seq, with its aggregate
 * id for the planner. {@code row} is the whole row, or null when only the keys were read (a batch
 * too large to hold, whose rows are fetched in chunks as they are published).
 */
record PositionedRow(long txid, long seq, String aggregateId, OutboxRow row) {

  static PositionedRow of(long txid, long seq, OutboxRow row) {
    return new PositionedRow(txid, seq, row.aggregateId(), row);
  }
}
