package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The poll-to-log cutover: which rows of the outbox this connector already published in poll mode,
 * as a SQL condition, read from the poll-mode offsets Connect keeps for the connector (every bucket
 * layout, as a poll task would at its start). Log mode's initial snapshot reads only the rows the
 * condition rejects, so a connector switched from poll to log mode publishes every row exactly
 * once: the ones poll mode had published are skipped, the rest are read by the snapshot or follow
 * in the log.
 */
public final class PollModeHandover {

  private PollModeHandover() {}

  /**
   * @param condition SQL true for the rows poll mode published
   * @param highestTxid the highest transaction id a cursor names: cursors are only written below
   *     the commit horizon, so one at or above the database's horizon comes from another database
   */
  public record Published(String condition, long highestTxid) {}

  /**
   * A condition true for the rows poll mode published, or empty when this connector has no
   * poll-mode offsets for the table.
   *
   * @param quotedTxid the quoted txid column (xid8)
   * @param quotedSeq the quoted position column
   * @param quotedAggregateId the quoted aggregate id column (for bucket layouts)
   * @param offsets reads committed offsets for a collection of partitions (Connect's reader)
   */
  public static Optional<Published> publishedCondition(
      String table,
      String quotedTxid,
      String quotedSeq,
      String quotedAggregateId,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    PostgresStartPosition start = PostgresStartPosition.find(table, 1, 0, offsets);
    PostgresPosition position = start.position();
    List<PublishedByOtherLayouts.Span> spans = start.publishedElsewhere().spans();
    boolean nothing =
        position.txid() == 0 && position.seq() == 0 && position.done().isEmpty() && spans.isEmpty();
    if (nothing && !hasOwnOffset(table, offsets)) {
      return Optional.empty();
    }
    // Cursors only (done ranges may name transactions that committed above an older horizon).
    long highest = position.txid();
    for (PublishedByOtherLayouts.Span span : spans) {
      if (span.toSeq() != Long.MAX_VALUE) {
        highest = Math.max(highest, span.toTxid());
      }
    }
    String txid = "(" + quotedTxid + ")::text::bigint";
    List<String> terms = new ArrayList<>();
    terms.add(
        "("
            + txid
            + " < "
            + position.txid()
            + " OR ("
            + txid
            + " = "
            + position.txid()
            + " AND "
            + quotedSeq
            + " <= "
            + position.seq()
            + "))");
    for (PostgresPosition.TxidRange range : position.done()) {
      terms.add("(" + txid + " BETWEEN " + range.first() + " AND " + range.last() + ")");
    }
    String bucket = PostgresBuckets.virtualBucket(quotedAggregateId);
    for (PublishedByOtherLayouts.Span span : spans) {
      terms.add(
          "("
              + bucket
              + " % "
              + span.buckets()
              + " = "
              + span.bucket()
              + " AND "
              + txid
              + " >= "
              + span.fromTxid()
              + " AND ("
              + txid
              + " < "
              + span.toTxid()
              + " OR ("
              + txid
              + " = "
              + span.toTxid()
              + " AND "
              + quotedSeq
              + " <= "
              + span.toSeq()
              + ")))");
    }
    return Optional.of(new Published("(" + String.join(" OR ", terms) + ")", highest));
  }

  private static boolean hasOwnOffset(
      String table,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    Map<String, Object> partition = BucketPartitions.partition(table, 1, 0);
    return offsets.apply(List.of(partition)).get(partition) != null;
  }
}
