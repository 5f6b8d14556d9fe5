package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Where a PostgreSQL poll task starts, from the offsets Connect has committed: a position in its
 * bucket, and the rows beyond it that tasks of other bucket counts (earlier tasks.max values) have
 * published.
 *
 * <p>A row is published if any committed offset of any layout covers it: an offset only moves
 * forward once Kafka acknowledged the records before it, so an offset left behind by a layout that
 * no longer runs is still true. A task therefore republishes at most what no layout had confirmed
 * when it stopped, whichever way tasks.max changed (N to M, and back to N with a stale offset of
 * its own). Nothing new is stored: the picture is read again from the offset store at every start.
 *
 * @param position the cursor the task reads after, with its own done ranges
 * @param publishedElsewhere rows beyond the cursor that offsets of other layouts cover
 */
record PostgresStartPosition(
    PostgresPosition position, PublishedByOtherLayouts publishedElsewhere) {

  /**
   * Reads every layout's offsets for {@code table} (bucket counts up to {@link
   * BucketPartitions#MAX_BUCKET_COUNT_SEARCHED}). The cursor is the highest of the task's own
   * cursor and, for each other layout whose buckets holding rows of this task all have offsets,
   * their lowest cursor: every row of this bucket below it is published. The offsets of other
   * layouts that reach further become {@link #publishedElsewhere()}; layouts with idle buckets
   * contribute the offsets they have.
   *
   * @param offsets reads committed offsets for a collection of partitions (Connect's reader)
   */
  static PostgresStartPosition find(
      String table,
      int buckets,
      int bucket,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    Map<String, Object> own = BucketPartitions.partition(table, buckets, bucket);
    List<Map<String, Object>> wanted = new ArrayList<>();
    wanted.add(own);
    for (int n = 1; n <= BucketPartitions.MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      for (int i = 0; i < n; i++) {
        wanted.add(BucketPartitions.partition(table, n, i));
      }
    }
    Map<Map<String, Object>, Map<String, Object>> found = offsets.apply(wanted);
    Map<String, Object> ownOffset = found.get(own);
    PostgresPosition ownPosition =
        ownOffset == null ? PostgresPosition.START : PostgresPosition.fromOffset(ownOffset);

    SortedSet<Integer> mine = virtualBuckets(buckets, bucket);
    PostgresPosition cursor = ownPosition;
    List<Layout> others = new ArrayList<>();
    for (int n = 1; n <= BucketPartitions.MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      Layout layout = Layout.read(table, n, mine, found);
      others.add(layout);
      PostgresPosition lowest = layout.lowestIfComplete();
      if (lowest != null && cursor.cursorBefore(lowest)) {
        cursor = lowest;
      }
    }
    PostgresPosition start = new PostgresPosition(cursor.txid(), cursor.seq(), ownPosition.done());

    List<PublishedByOtherLayouts.Span> spans = new ArrayList<>();
    for (Layout layout : others) {
      layout.positions.forEach(
          (b, p) -> {
            spans.add(PublishedByOtherLayouts.Span.cursor(layout.buckets, b, p));
            p.done()
                .forEach(r -> spans.add(PublishedByOtherLayouts.Span.done(layout.buckets, b, r)));
          });
    }
    PublishedByOtherLayouts elsewhere = new PublishedByOtherLayouts(spans).beyond(start);
    return new PostgresStartPosition(start, elsewhere);
  }

  /** The virtual buckets task {@code bucket} of {@code buckets} reads. */
  private static SortedSet<Integer> virtualBuckets(int buckets, int bucket) {
    SortedSet<Integer> result = new TreeSet<>();
    for (int v = 0; v < PostgresBuckets.VIRTUAL_BUCKETS; v++) {
      if (v % buckets == bucket) {
        result.add(v);
      }
    }
    return result;
  }

  /**
   * The committed positions of one other bucket count, for the buckets that hold rows of this
   * task's bucket (the others cannot cover any of its rows).
   */
  private record Layout(
      int buckets, boolean complete, SortedMap<Integer, PostgresPosition> positions) {

    static Layout read(
        String table,
        int buckets,
        SortedSet<Integer> mine,
        Map<Map<String, Object>, Map<String, Object>> found) {
      SortedSet<Integer> relevant = new TreeSet<>();
      mine.forEach(v -> relevant.add(v % buckets));
      SortedMap<Integer, PostgresPosition> positions = new TreeMap<>();
      for (int b : relevant) {
        Map<String, Object> offset = found.get(BucketPartitions.partition(table, buckets, b));
        if (offset != null) {
          positions.put(b, PostgresPosition.fromOffset(offset));
        }
      }
      return new Layout(
          buckets, !relevant.isEmpty() && positions.size() == relevant.size(), positions);
    }

    /** The lowest cursor of these buckets, or null when one of them has no offset. */
    PostgresPosition lowestIfComplete() {
      if (!complete) {
        return null;
      }
      PostgresPosition lowest = null;
      for (PostgresPosition p : positions.values()) {
        if (lowest == null || p.cursorBefore(lowest)) {
          lowest = p;
        }
      }
      return PostgresPosition.at(lowest.txid(), lowest.seq());
    }
  }

  @Override
  public String toString() {
    return position
        + (publishedElsewhere.isEmpty()
            ? ""
            : ", skipping rows that offsets of other tasks.max values cover: "
                + publishedElsewhere);
  }
}
