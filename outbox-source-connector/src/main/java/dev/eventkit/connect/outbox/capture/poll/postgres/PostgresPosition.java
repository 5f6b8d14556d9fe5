package dev.eventkit.connect.outbox.capture.poll.postgres;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a PostgreSQL poll task stands in its bucket of the outbox: every row at or before the
 * cursor {@code (txid, seq)} is published, and so is every row whose txid lies in one of the {@code
 * done} ranges (transactions published ahead of the cursor because per-aggregate order put them
 * first). Stored in Connect's offset store as {@code {"txid": 12, "seq": 34, "done": "40-52,57"}}.
 *
 * <p>A done range names txids, not transactions: it may span txids that wrote nothing to this
 * bucket. That keeps offsets small whatever the interleaving with other buckets: a batch publishes
 * its transactions in runs, and each run is one range.
 */
public record PostgresPosition(long txid, long seq, List<TxidRange> done) {

  public static final String TXID_KEY = "txid";
  public static final String SEQ_KEY = "seq";
  public static final String DONE_KEY = "done";

  /** Before the first row of any table. */
  public static final PostgresPosition START = new PostgresPosition(0, 0, List.of());

  /** Every txid from {@code first} to {@code last}, both included. */
  public record TxidRange(long first, long last) {
    public TxidRange {
      if (first > last) {
        throw new IllegalArgumentException("Empty txid range " + first + "-" + last);
      }
    }

    boolean contains(long txid) {
      return first <= txid && txid <= last;
    }

    @Override
    public String toString() {
      return first == last ? Long.toString(first) : first + "-" + last;
    }
  }

  public PostgresPosition {
    done = normalize(done, txid);
  }

  public static PostgresPosition at(long txid, long seq) {
    return new PostgresPosition(txid, seq, List.of());
  }

  /** Sorted, merged ranges that lie wholly after the cursor txid. */
  private static List<TxidRange> normalize(List<TxidRange> ranges, long cursorTxid) {
    List<TxidRange> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Long.compare(a.first(), b.first()));
    List<TxidRange> result = new ArrayList<>(sorted.size());
    for (TxidRange range : sorted) {
      if (range.last() <= cursorTxid) {
        continue;
      }
      TxidRange clipped =
          range.first() <= cursorTxid ? new TxidRange(cursorTxid + 1, range.last()) : range;
      TxidRange previous = result.isEmpty() ? null : result.get(result.size() - 1);
      if (previous != null && clipped.first() <= previous.last() + 1) {
        result.set(
            result.size() - 1,
            new TxidRange(previous.first(), Math.max(previous.last(), clipped.last())));
      } else {
        result.add(clipped);
      }
    }
    return List.copyOf(result);
  }

  /** Whether the row {@code (rowTxid, rowSeq)} is published at this position. */
  public boolean isPublished(long rowTxid, long rowSeq) {
    if (rowTxid < txid || (rowTxid == txid && rowSeq <= seq)) {
      return true;
    }
    for (TxidRange range : done) {
      if (range.contains(rowTxid)) {
        return true;
      }
    }
    return false;
  }

  /** Whether this position lies before {@code other} by cursor, ignoring done ranges. */
  public boolean cursorBefore(PostgresPosition other) {
    return txid < other.txid || (txid == other.txid && seq < other.seq);
  }

  /** The lower ends of the done ranges, for SQL array parameters. */
  long[] doneFirsts() {
    return done.stream().mapToLong(TxidRange::first).toArray();
  }

  /** The upper ends of the done ranges, for SQL array parameters. */
  long[] doneLasts() {
    return done.stream().mapToLong(TxidRange::last).toArray();
  }

  public Map<String, Object> toOffset() {
    Map<String, Object> offset = new HashMap<>();
    offset.put(TXID_KEY, txid);
    offset.put(SEQ_KEY, seq);
    if (!done.isEmpty()) {
      StringBuilder text = new StringBuilder();
      for (TxidRange range : done) {
        if (text.length() > 0) {
          text.append(',');
        }
        text.append(range);
      }
      offset.put(DONE_KEY, text.toString());
    }
    return offset;
  }

  /**
   * Reads an offset written by {@link #toOffset()} (or by a user through the offsets REST API).
   * Older offsets listing single txids ({@code "done": "40,41"}) read the same way.
   *
   * @throws IllegalArgumentException naming the key that is missing or malformed
   */
  public static PostgresPosition fromOffset(Map<String, ?> offset) {
    long txid = requireNonNegativeLong(offset, TXID_KEY);
    long seq = requireNonNegativeLong(offset, SEQ_KEY);
    Object rawDone = offset.get(DONE_KEY);
    List<TxidRange> done = new ArrayList<>();
    if (rawDone != null) {
      if (!(rawDone instanceof String text)) {
        throw new IllegalArgumentException(
            "Offset key '"
                + DONE_KEY
                + "' must be a string of txids and txid ranges such as \"40-52,57\", got "
                + rawDone);
      }
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          done.add(parseRange(part.trim()));
        }
      }
    }
    return new PostgresPosition(txid, seq, done);
  }

  private static TxidRange parseRange(String part) {
    int dash = part.indexOf('-', 1);
    try {
      if (dash < 0) {
        long single = parseTxid(part);
        return new TxidRange(single, single);
      }
      return new TxidRange(parseTxid(part.substring(0, dash)), parseTxid(part.substring(dash + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Offset key '"
              + DONE_KEY
              + "' holds '"
              + part
              + "', which is not a txid or an ascending txid range like 40-52",
          e);
    }
  }

  private static long parseTxid(String text) {
    long value = Long.parseLong(text.trim());
    if (value < 0) {
      throw new IllegalArgumentException("negative txid " + value);
    }
    return value;
  }

  private static long requireNonNegativeLong(Map<String, ?> offset, String key) {
    Object value = offset.get(key);
    if (!(value instanceof Number) || value instanceof Double || value instanceof Float) {
      throw new IllegalArgumentException(
          "Offset key '" + key + "' must be a non-negative integer, got " + value);
    }
    long result = ((Number) value).longValue();
    if (result < 0) {
      throw new IllegalArgumentException(
          "Offset key '" + key + "' must be a non-negative integer, got " + value);
    }
    return result;
  }

  @Override
  public String toString() {
    return "(txid "
        + txid
        + ", seq "
        + seq
        + (done.isEmpty() ? "" : ", done " + toOffset().get(DONE_KEY))
        + ")";
  }
}
