package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.List;

/**
 * The rows one database transaction wrote (of this task's bucket), in seq order, and the task's
 * position once they are all published.
 */
public record OutboxTransaction(long txid, List<OutboxRow> rows, OutboxPosition positionAfter) {}
