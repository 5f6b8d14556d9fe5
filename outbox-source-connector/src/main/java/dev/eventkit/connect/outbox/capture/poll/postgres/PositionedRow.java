package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.record.OutboxRow;

/** An outbox row with its place in the PostgreSQL cursor: the writer's txid and the row's seq. */
record PositionedRow(long txid, long seq, OutboxRow row) {

  String aggregateId() {
    return row.aggregateId();
  }
}
