package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.Gap;
import dev.eventkit.connect.outbox.capture.poll.mariadb.GapTracker.State;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The offset of a MariaDB/MySQL poll task: the cursor id and the open gap, so a restart while a gap
 * is open still waits for it. {@code {"id": 41, "gap": "42-44", "gap.waits": "31@2026-11-26
 * 09:40:00", "gap.since": 1764000000000}}; {@code gap.waits} is absent when the transactions could
 * not be listed (the gap then expires after {@code poll.gap.timeout.ms} from {@code gap.since}),
 * and empty when they have all ended.
 */
public final class MariaDbPosition {

  public static final String ID_KEY = "id";
  public static final String GAP_KEY = "gap";
  public static final String GAP_WAITS_KEY = "gap.waits";
  public static final String GAP_SINCE_KEY = "gap.since";

  private MariaDbPosition() {}

  public static Map<String, Object> toOffset(State state) {
    Map<String, Object> offset = new HashMap<>();
    offset.put(ID_KEY, state.cursor());
    Gap gap = state.gap();
    if (gap != null) {
      offset.put(
          GAP_KEY, gap.first() == gap.last() ? "" + gap.first() : gap.first() + "-" + gap.last());
      offset.put(GAP_SINCE_KEY, gap.openedAtMs());
      if (gap.waitingFor() != null) {
        offset.put(GAP_WAITS_KEY, String.join(",", new TreeSet<>(gap.waitingFor())));
      }
    }
    return offset;
  }

  /**
   * Reads an offset written by {@link #toOffset} or through the offsets REST API.
   *
   * @throws IllegalArgumentException naming the key that is missing or malformed
   */
  public static State fromOffset(Map<String, ?> offset) {
    long cursor = nonNegativeLong(offset, ID_KEY);
    Object gapText = offset.get(GAP_KEY);
    if (gapText == null) {
      return new State(cursor, null);
    }
    if (!(gapText instanceof String text) || text.isBlank()) {
      throw new IllegalArgumentException(
          "Offset key '" + GAP_KEY + "' must be an id or an id range like 42-44, got " + gapText);
    }
    long first;
    long last;
    try {
      int dash = text.indexOf('-');
      first = Long.parseLong(dash < 0 ? text.trim() : text.substring(0, dash).trim());
      last = dash < 0 ? first : Long.parseLong(text.substring(dash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Offset key '" + GAP_KEY + "' must be an id or an id range like 42-44, got " + text, e);
    }
    if (first <= cursor || last < first) {
      throw new IllegalArgumentException(
          "Offset key '" + GAP_KEY + "' (" + text + ") must lie after '" + ID_KEY + "' " + cursor);
    }
    long since = nonNegativeLong(offset, GAP_SINCE_KEY);
    Object waits = offset.get(GAP_WAITS_KEY);
    Set<String> waitingFor = null;
    if (waits != null) {
      if (!(waits instanceof String list)) {
        throw new IllegalArgumentException(
            "Offset key '" + GAP_WAITS_KEY + "' must be a comma-separated string, got " + waits);
      }
      waitingFor = new LinkedHashSet<>();
      for (String trx : list.split(",")) {
        if (!trx.isBlank()) {
          waitingFor.add(trx.trim());
        }
      }
    }
    return new State(cursor, new Gap(first, last, waitingFor, since));
  }

  private static long nonNegativeLong(Map<String, ?> offset, String key) {
    Object value = offset.get(key);
    if (!(value instanceof Number)
        || value instanceof Double
        || value instanceof Float
        || ((Number) value).longValue() < 0) {
      throw new IllegalArgumentException(
          "Offset key '" + key + "' must be a non-negative integer, got " + value);
    }
    return ((Number) value).longValue();
  }
}
