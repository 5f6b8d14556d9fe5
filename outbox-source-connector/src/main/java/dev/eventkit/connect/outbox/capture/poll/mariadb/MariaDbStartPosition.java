package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a MariaDB poll task starts, from the offsets Connect has committed: its own state (cursor
 * and open gap), and the rows beyond it that tasks of other bucket counts (earlier tasks.max
 * values) have published.
 *
 * <p>Every task of every layout reads all ids, so a committed cursor {@code c} of bucket {@code b}
 * of {@code n} buckets says: each row of that bucket up to {@code c} is published, and every id up
 * to {@code c} is committed or a hole for good. A row with virtual bucket {@code v} is therefore
 * published if, for some layout {@code n}, its id is at most the cursor of bucket {@code v % n}. A
 * task starts after the lowest cursor that covers all of its rows (its own, or a complete other
 * layout's if higher) and skips the rows other layouts' cursors cover beyond it, so a change of
 * tasks.max republishes at most what no layout had confirmed.
 *
 * @param state the task's own state, or the cursor of other layouts when that is further
 * @param elsewhere cursors of other layouts, per bucket count
 */
record MariaDbStartPosition(State state, List<Layout> elsewhere) {

  /** The committed cursors of one other bucket count; -1 where a bucket has no offset. */
  record Layout(int buckets, long[] cursors) {

    boolean covers(long id, int virtualBucket) {
      return id <= cursors[virtualBucket % buckets];
    }

    long highest() {
      long highest = -1;
      for (long c : cursors) {
        highest = Math.max(highest, c);
      }
      return highest;
    }
  }

  static MariaDbStartPosition find(
      String table,
      int buckets,
      int bucket,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    Map<String, Object> own = BucketPartitions.partition(table, buckets, bucket);
    List<Map<String, Object>> wanted = new ArrayList<>();
    wanted.add(own);
    for (int n = 1; n <= BucketPartitions.MAX_BUCKET_COUNT_SEARCHED; n++) {
      for (int i = 0; n != buckets && i < n; i++) {
        wanted.add(BucketPartitions.partition(table, n, i));
      }
    }
    Map<Map<String, Object>, Map<String, Object>> found = offsets.apply(wanted);
    Map<String, Object> ownOffset = found.get(own);
    State state = ownOffset == null ? State.START : MariaDbPosition.fromOffset(ownOffset);

    List<Layout> layouts = new ArrayList<>();
    for (int n = 1; n <= BucketPartitions.MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      long[] cursors = new long[n];
      boolean any = false;
      for (int i = 0; i < n; i++) {
        Map<String, Object> offset = found.get(BucketPartitions.partition(table, n, i));
        cursors[i] = offset == null ? -1 : MariaDbPosition.fromOffset(offset).cursor();
        any |= offset != null;
      }
      if (any) {
        layouts.add(new Layout(n, cursors));
      }
    }
    long covered = lowestCovering(buckets, bucket, layouts);
    if (covered > state.cursor()) {
      // Another layout has published every row of this bucket up to there: any gap below it
      // was final for that layout, and rows after it get a fresh look.
      state = new State(covered, null);
    }
    long cursor = state.cursor();
    layouts.removeIf(layout -> layout.highest() <= cursor);
    return new MariaDbStartPosition(state, List.copyOf(layouts));
  }

  /**
   * The highest id up to which some single layout covers every virtual bucket of this task, or -1.
   */
  private static long lowestCovering(int buckets, int bucket, List<Layout> layouts) {
    long best = -1;
    if (bucket >= MariaDbOutboxSql.VIRTUAL_BUCKETS) {
      return best; // a task beyond the virtual buckets has no rows
    }
    for (Layout layout : layouts) {
      long lowest = Long.MAX_VALUE;
      for (int v = bucket; v < MariaDbOutboxSql.VIRTUAL_BUCKETS; v += buckets) {
        lowest = Math.min(lowest, layout.cursors[v % layout.buckets]);
      }
      best = Math.max(best, lowest);
    }
    return best;
  }

  /** The highest cursor of another layout, -1 when there is none. */
  long highestElsewhere() {
    long highest = -1;
    for (Layout layout : elsewhere) {
      highest = Math.max(highest, layout.highest());
    }
    return highest;
  }

  /** Whether offsets of another layout say this row is already published. */
  boolean publishedElsewhere(long id, int virtualBucket) {
    for (Layout layout : elsewhere) {
      if (layout.covers(id, virtualBucket)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(MariaDbPosition.toOffset(state).toString());
    if (!elsewhere.isEmpty()) {
      text.append(", skipping rows that offsets of tasks.max=");
      elsewhere.forEach(l -> text.append(l.buckets()).append(' '));
      text.append("cover");
    }
    return text.toString();
  }
}
