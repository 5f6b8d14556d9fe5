package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.StringJoiner;

/**
 * How PostgreSQL poll mode splits an outbox among tasks. Every aggregate id hashes to one of {@link
 * #VIRTUAL_BUCKETS} virtual buckets; task {@code i} of {@code n} reads the virtual buckets {@code
 * v} with {@code v % n == i}. With the optional expression index {@link #indexDdl} each task reads
 * only its own rows through the index, so {@code n} tasks read the table once between them, not
 * {@code n} times.
 */
public final class PostgresBuckets {

  /** Fixed, so the index serves every tasks.max; tasks beyond this many would read nothing. */
  public static final int VIRTUAL_BUCKETS = 256;

  private PostgresBuckets() {}

  /**
   * The virtual bucket of a row. NULL and empty aggregate ids share one bucket, so every row is
   * read by exactly one task. hashtextextended is stable across PostgreSQL versions and platforms.
   */
  public static String virtualBucket(String quotedAggregateIdColumn) {
    return "((hashtextextended(coalesce(CAST("
        + quotedAggregateIdColumn
        + " AS text), ''), 0) & 9223372036854775807) % "
        + VIRTUAL_BUCKETS
        + ")";
  }

  /** The SQL condition selecting task {@code bucket}'s rows, or "" when one task reads all. */
  static String filter(String quotedAggregateIdColumn, int bucket, int bucketCount) {
    if (bucketCount <= 1) {
      return "";
    }
    StringJoiner owned = new StringJoiner(", ", " IN (", ")");
    for (int v = bucket; v < VIRTUAL_BUCKETS; v += bucketCount) {
      owned.add(Integer.toString(v));
    }
    return " AND " + virtualBucket(quotedAggregateIdColumn) + owned;
  }

  /** The index that lets each of several tasks read only its own rows. */
  public static String indexDdl(
      String quotedTable, String quotedAggregateId, String quotedTxid, String quotedSeq) {
    return "CREATE INDEX CONCURRENTLY ON "
        + quotedTable
        + " ("
        + virtualBucket(quotedAggregateId)
        + ", "
        + quotedTxid
        + ", "
        + quotedSeq
        + ");";
  }
}
