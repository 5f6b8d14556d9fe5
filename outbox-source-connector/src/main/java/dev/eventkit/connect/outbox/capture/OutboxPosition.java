package dev.eventkit.connect.outbox.capture;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where a task stands in the outbox: every row at or before {@code (txid, seq)} is published, and
 * so are all rows of the transactions in {@code done} (published ahead of the cursor because
 * per-aggregate order put them first). Stored in Connect's offset store.
 */
public record OutboxPosition(long txid, long seq, SortedSet<Long> done) {

  public static final String TXID_KEY = "txid";
  public static final String SEQ_KEY = "seq";
  public static final String DONE_KEY = "done";

  /** Before the first row of any table. */
  public static final OutboxPosition START = new OutboxPosition(0, 0, new TreeSet<>());

  public OutboxPosition {
    done = Collections.unmodifiableSortedSet(new TreeSet<>(done));
  }

  public static OutboxPosition at(long txid, long seq) {
    return new OutboxPosition(txid, seq, new TreeSet<>());
  }

  /** This position with one more transaction published, the cursor moved as far as it can. */
  OutboxPosition withDone(long publishedTxid, java.util.List<TxidRange> window) {
    SortedSet<Long> newDone = new TreeSet<>(done);
    newDone.add(publishedTxid);
    long cursorTxid = txid;
    long cursorSeq = seq;
    for (TxidRange range : window) {
      if (range.txid() <= txid) {
        continue;
      }
      if (!newDone.contains(range.txid())) {
        break;
      }
      cursorTxid = range.txid();
      cursorSeq = range.lastSeq();
    }
    final long cursor = cursorTxid;
    newDone.removeIf(t -> t <= cursor);
    return new OutboxPosition(cursorTxid, cursorSeq, newDone);
  }

  /** A transaction of the batch window: its id and the cursor seq at its end. */
  record TxidRange(long txid, long lastSeq) {}

  public Map<String, Object> toOffset() {
    Map<String, Object> offset = new HashMap<>();
    offset.put(TXID_KEY, txid);
    offset.put(SEQ_KEY, seq);
    if (!done.isEmpty()) {
      offset.put(DONE_KEY, done.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
    return offset;
  }

  /**
   * Reads an offset written by {@link #toOffset()} (or by a user through the offsets REST API).
   *
   * @throws IllegalArgumentException naming the key that is missing or malformed
   */
  public static OutboxPosition fromOffset(Map<String, ?> offset) {
    long txid = requireNonNegativeLong(offset, TXID_KEY);
    long seq = requireNonNegativeLong(offset, SEQ_KEY);
    SortedSet<Long> done = new TreeSet<>();
    Object rawDone = offset.get(DONE_KEY);
    if (rawDone != null) {
      if (!(rawDone instanceof String)) {
        throw new IllegalArgumentException(
            "Offset key '"
                + DONE_KEY
                + "' must be a comma-separated string of txids, got "
                + rawDone);
      }
      for (String part : ((String) rawDone).split(",")) {
        if (part.isBlank()) {
          continue;
        }
        try {
          done.add(Long.parseLong(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "Offset key '" + DONE_KEY + "' holds '" + part + "', which is not a txid");
        }
      }
    }
    return new OutboxPosition(txid, seq, done);
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

  /** Whether every row of {@code txid} is published. */
  public boolean isPublished(long rowTxid, long rowSeq) {
    return rowTxid < txid || (rowTxid == txid && rowSeq <= seq) || done.contains(rowTxid);
  }

  @Override
  public String toString() {
    return "(txid " + txid + ", seq " + seq + (done.isEmpty() ? "" : ", done " + done) + ")";
  }
}
