package dev.eventkit.connect.dlq.replay;

import dev.eventkit.connect.dlq.archive.ArchiveDialect;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The archive rows a replay selects, read in pages of at most {@code pageSize} rows by ascending id
 * (keyset, not offset), so memory stays bounded whatever the filters match. A replay claims each
 * page with {@code FOR UPDATE SKIP LOCKED}: a concurrent run passes over rows another run is
 * replaying, and the replay count it checks is the one stored when it holds the row.
 */
final class ReplaySelection {

  static final String COLUMNS =
      "id, dlq_topic, dlq_partition, dlq_offset, origin_topic, record_key, record_value,"
          + " record_headers, replay_count, event_id, exception_class";

  private final ArchiveDialect dialect;
  private final ReplayOptions options;
  private final String table;

  ReplaySelection(ArchiveDialect dialect, ReplayOptions options) {
    this.dialect = dialect;
    this.options = options;
    try {
      this.table = dialect.quote(options.table());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--table: " + e.getMessage(), e);
    }
  }

  /** The next page after {@code id}; {@code claim} locks its rows for this run. */
  String pageSql(boolean claim) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(COLUMNS)
            .append(" FROM ")
            .append(table)
            .append(" WHERE id > ?");
    if (options.originTopic() != null) {
      sql.append(" AND origin_topic = ?");
    }
    if (options.exceptionClass() != null) {
      sql.append(" AND exception_class = ?");
    }
    if (options.from() != null) {
      sql.append(" AND archived_at >= ?");
    }
    if (options.to() != null) {
      sql.append(" AND archived_at < ?");
    }
    if (!options.eventIds().isEmpty()) {
      sql.append(" AND event_id IN (")
          .append("?, ".repeat(options.eventIds().size() - 1))
          .append("?)");
    }
    sql.append(" ORDER BY id LIMIT ?");
    if (claim) {
      sql.append(" FOR UPDATE SKIP LOCKED");
    }
    return sql.toString();
  }

  /** Binds the parameters of {@link #pageSql}: times as the archive stores them (UTC). */
  void bind(PreparedStatement ps, long afterId, int pageSize) throws SQLException {
    int i = 0;
    ps.setLong(++i, afterId);
    if (options.originTopic() != null) {
      ps.setString(++i, options.originTopic());
    }
    if (options.exceptionClass() != null) {
      ps.setString(++i, options.exceptionClass());
    }
    for (Instant time : times()) {
      dialect.setTimestamp(ps, ++i, time);
    }
    for (String eventId : options.eventIds()) {
      ps.setString(++i, eventId);
    }
    ps.setInt(++i, pageSize);
  }

  private List<Instant> times() {
    List<Instant> times = new ArrayList<>(2);
    if (options.from() != null) {
      times.add(options.from());
    }
    if (options.to() != null) {
      times.add(options.to());
    }
    return times;
  }

  /** Counts one replay of a row. */
  String countReplaySql() {
    return "UPDATE "
        + table
        + " SET replay_count = replay_count + 1, last_replayed_at = ? WHERE id = ?";
  }
}
