package dev.eventkit.connect.outbox;

import dev.eventkit.connect.outbox.capture.OutboxPosition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Source partitions of the outbox connector: one per hash bucket of aggregate ids, so each task
 * keeps its own position. {@code {"table": T, "buckets": N, "bucket": i}}.
 */
public final class OutboxPartitions {

  public static final String TABLE_KEY = "table";
  public static final String BUCKETS_KEY = "buckets";
  public static final String BUCKET_KEY = "bucket";

  /** Bucket counts searched when a task has no position of its own (tasks.max changed). */
  static final int MAX_BUCKET_COUNT_SEARCHED = 64;

  private OutboxPartitions() {}

  public static Map<String, Object> partition(String table, int buckets, int bucket) {
    Map<String, Object> partition = new HashMap<>();
    partition.put(TABLE_KEY, table);
    partition.put(BUCKETS_KEY, buckets);
    partition.put(BUCKET_KEY, bucket);
    return partition;
  }

  /**
   * Checks a partition given to the offsets API.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validate(Map<String, ?> partition) {
    Object table = partition.get(TABLE_KEY);
    if (!(table instanceof String) || ((String) table).isBlank()) {
      throw new IllegalArgumentException(
          "Source partition needs '" + TABLE_KEY + "', the table name");
    }
    int buckets = intValue(partition, BUCKETS_KEY);
    int bucket = intValue(partition, BUCKET_KEY);
    if (buckets < 1 || bucket < 0 || bucket >= buckets) {
      throw new IllegalArgumentException(
          "Source partition needs 1 <= '"
              + BUCKETS_KEY
              + "' and 0 <= '"
              + BUCKET_KEY
              + "' < '"
              + BUCKETS_KEY
              + "', got "
              + partition);
    }
  }

  private static int intValue(Map<String, ?> partition, String key) {
    Object value = partition.get(key);
    if (!(value instanceof Integer || value instanceof Long || value instanceof Short)) {
      throw new IllegalArgumentException(
          "Source partition key '" + key + "' must be an integer, got " + value);
    }
    return ((Number) value).intValue();
  }

  /**
   * Where a task starts. Its own committed position if it has one. Otherwise, when tasks.max
   * changed, the lowest cursor of another bucket count whose buckets all have positions (rows
   * between that and each old bucket's own position are published again: at least once, never
   * lost); otherwise the start of the table.
   *
   * @param offsets reads committed offsets for a collection of partitions (Connect's reader)
   */
  static OutboxPosition startPosition(
      String table,
      int buckets,
      int bucket,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    Map<String, Object> own = partition(table, buckets, bucket);
    List<Map<String, Object>> wanted = new ArrayList<>();
    wanted.add(own);
    for (int n = 1; n <= MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      for (int i = 0; i < n; i++) {
        wanted.add(partition(table, n, i));
      }
    }
    Map<Map<String, Object>, Map<String, Object>> found = offsets.apply(wanted);
    Map<String, Object> ownOffset = found.get(own);
    if (ownOffset != null) {
      return OutboxPosition.fromOffset(ownOffset);
    }
    OutboxPosition best = null;
    for (int n = 1; n <= MAX_BUCKET_COUNT_SEARCHED; n++) {
      if (n == buckets) {
        continue;
      }
      OutboxPosition lowest = null;
      boolean complete = true;
      for (int i = 0; i < n && complete; i++) {
        Map<String, Object> offset = found.get(partition(table, n, i));
        if (offset == null) {
          complete = false;
        } else {
          OutboxPosition p = OutboxPosition.fromOffset(offset);
          if (lowest == null || before(p, lowest)) {
            lowest = p;
          }
        }
      }
      if (complete && lowest != null && (best == null || before(lowest, best))) {
        best = lowest;
      }
    }
    return best == null ? OutboxPosition.START : OutboxPosition.at(best.txid(), best.seq());
  }

  private static boolean before(OutboxPosition a, OutboxPosition b) {
    return a.txid() < b.txid() || (a.txid() == b.txid() && a.seq() < b.seq());
  }
}
