package dev.eventkit.connect.outbox.capture.poll;

import java.util.HashMap;
import java.util.Map;

/**
 * Source partitions of poll mode: one per hash bucket of aggregate ids, so each task keeps its own
 * position. {@code {"table": T, "buckets": N, "bucket": i}}.
 */
public final class BucketPartitions {

  public static final String TABLE_KEY = "table";
  public static final String BUCKETS_KEY = "buckets";
  public static final String BUCKET_KEY = "bucket";

  /**
   * A starting task reads the offsets of every bucket count up to this one (earlier tasks.max
   * values), to skip the rows they published; offsets of higher counts are not searched.
   */
  public static final int MAX_BUCKET_COUNT_SEARCHED = 64;

  private BucketPartitions() {}

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
}
