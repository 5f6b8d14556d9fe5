package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.capture.poll.BucketPartitions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Where a PostgreSQL poll task starts, from the offsets Connect has committed. */
final class PostgresStartPosition {

  private PostgresStartPosition() {}

  /**
   * The task's own committed position if it has one. Otherwise, when tasks.max changed, the lowest
   * cursor of another bucket count whose buckets all have positions (rows between that and each old
   * bucket's own position are published again: at least once, never lost); otherwise the start of
   * the table.
   *
   * @param offsets reads committed offsets for a collection of partitions (Connect's reader)
   */
  static PostgresPosition find(
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
    if (ownOffset != null) {
      return PostgresPosition.fromOffset(ownOffset);
    }
    PostgresPosition best = null;
    for (int n = 1; n <= BucketPartitions.MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      PostgresPosition lowest = null;
      boolean complete = true;
      for (int i = 0; i < n && complete; i++) {
        Map<String, Object> offset = found.get(BucketPartitions.partition(table, n, i));
        if (offset == null) {
          complete = false;
        } else {
          PostgresPosition p = PostgresPosition.fromOffset(offset);
          if (lowest == null || p.cursorBefore(lowest)) {
            lowest = p;
          }
        }
      }
      if (complete && lowest != null && (best == null || lowest.cursorBefore(best))) {
        best = lowest;
      }
    }
    return best == null ? PostgresPosition.START : PostgresPosition.at(best.txid(), best.seq());
  }
}
