package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.List;

/**
 * Rows of a task's bucket that committed offsets of other bucket layouts (earlier tasks.max values)
 * say are published. An offset only moves forward after Kafka acknowledged the records before it,
 * so an offset of a layout that no longer runs is still true: its rows are skipped, not published
 * again. Each span is a PostgreSQL poll offset of another layout, its cursor or one of its done
 * ranges, restricted to that layout's bucket.
 *
 * <p>The task passes the spans to SQL as parallel arrays, in every statement that reads unpublished
 * rows, and drops each span once its own cursor has passed it, so a task that has caught up reads
 * exactly as if tasks.max had never changed.
 */
final class PublishedByOtherLayouts {

  static final PublishedByOtherLayouts NONE = new PublishedByOtherLayouts(List.of());

  /**
   * The rows of virtual buckets {@code v} with {@code v % buckets == bucket} and {@code fromTxid <=
   * txid} and {@code (txid, seq) <= (toTxid, toSeq)}.
   */
  record Span(int buckets, int bucket, long fromTxid, long toTxid, long toSeq) {

    /** A cursor: every row of the bucket up to {@code (txid, seq)}. */
    static Span cursor(int buckets, int bucket, PostgresPosition position) {
      return new Span(buckets, bucket, 0, position.txid(), position.seq());
    }

    /** A done range: every row of the bucket written by a txid in the range. */
    static Span done(int buckets, int bucket, PostgresPosition.TxidRange range) {
      return new Span(buckets, bucket, range.first(), range.last(), Long.MAX_VALUE);
    }

    boolean covers(int virtualBucket, long txid, long seq) {
      return virtualBucket % buckets == bucket
          && fromTxid <= txid
          && (txid < toTxid || (txid == toTxid && seq <= toSeq));
    }

    /** Whether every row of the span lies at or before the cursor of {@code position}. */
    boolean passedBy(PostgresPosition position) {
      return !position.cursorBefore(PostgresPosition.at(toTxid, toSeq));
    }

    @Override
    public String toString() {
      return "bucket "
          + bucket
          + "/"
          + buckets
          + (fromTxid == 0 ? " up to" : " from txid " + fromTxid + " to")
          + " (txid "
          + toTxid
          + (toSeq == Long.MAX_VALUE ? ")" : ", seq " + toSeq + ")");
    }
  }

  private final List<Span> spans;

  PublishedByOtherLayouts(List<Span> spans) {
    this.spans = List.copyOf(spans);
  }

  List<Span> spans() {
    return spans;
  }

  boolean isEmpty() {
    return spans.isEmpty();
  }

  /** Whether a row of virtual bucket {@code virtualBucket} at {@code (txid, seq)} is published. */
  boolean covers(int virtualBucket, long txid, long seq) {
    return spans.stream().anyMatch(s -> s.covers(virtualBucket, txid, seq));
  }

  /**
   * The highest txid a span reaches, or -1 when there is none. Offsets are only written below the
   * commit horizon: a span at or above it comes from another database.
   */
  long highestTxid() {
    return spans.stream().mapToLong(Span::toTxid).max().orElse(-1);
  }

  /** The spans that still reach beyond the cursor of {@code position}. */
  PublishedByOtherLayouts beyond(PostgresPosition position) {
    if (spans.stream().noneMatch(s -> s.passedBy(position))) {
      return this;
    }
    List<Span> ahead = spans.stream().filter(s -> !s.passedBy(position)).toList();
    return ahead.isEmpty() ? NONE : new PublishedByOtherLayouts(ahead);
  }

  long[] bucketCounts() {
    return spans.stream().mapToLong(Span::buckets).toArray();
  }

  long[] buckets() {
    return spans.stream().mapToLong(Span::bucket).toArray();
  }

  long[] fromTxids() {
    return spans.stream().mapToLong(Span::fromTxid).toArray();
  }

  long[] toTxids() {
    return spans.stream().mapToLong(Span::toTxid).toArray();
  }

  long[] toSeqs() {
    return spans.stream().mapToLong(Span::toSeq).toArray();
  }

  /** For logs: the first spans, and how many more there are. */
  @Override
  public String toString() {
    int shown = Math.min(spans.size(), 8);
    String first = spans.subList(0, shown).toString();
    return shown == spans.size() ? first : first + " and " + (spans.size() - shown) + " more";
  }
}
