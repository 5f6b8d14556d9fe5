package dev.eventkit.connect.outbox.capture;

import dev.eventkit.connect.outbox.OutboxColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL of PostgreSQL poll mode, built once per task from the configured table and columns.
 * Identifiers are quoted exactly as configured.
 */
final class PostgresOutboxSql {

  /** Lower bits of hashtextextended, kept non-negative; stable across PostgreSQL versions. */
  private static final String BUCKET_HASH =
      "(hashtextextended(CAST(%s AS text), 0) & 9223372036854775807)";

  private final String table;
  private final OutboxColumns columns;
  private final String bucketFilter;

  PostgresOutboxSql(String table, OutboxColumns columns, int bucket, int bucketCount) {
    this.table = quoteQualified(table);
    this.columns = columns;
    this.bucketFilter =
        bucketCount <= 1
            ? ""
            : " AND "
                + String.format(BUCKET_HASH, quote(columns.aggregateId()))
                + " % "
                + bucketCount
                + " = "
                + bucket;
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** {@code schema.table} → {@code "schema"."table"}; a lone name stays on the search path. */
  static String quoteQualified(String name) {
    int dot = name.indexOf('.');
    return dot < 0
        ? quote(name)
        : quote(name.substring(0, dot)) + "." + quote(name.substring(dot + 1));
  }

  String horizon() {
    return "SELECT CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text)";
  }

  /**
   * Committed candidates after the cursor: parameters are cursor txid, cursor seq, horizon txid,
   * done txids (a text array literal), then the row limit.
   */
  String candidates() {
    return "SELECT "
        + String.join(", ", selectList())
        + " FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + " AND "
        + q(columns.txid())
        + " < CAST(? AS xid8) AND NOT ("
        + q(columns.txid())
        + " = ANY (CAST(? AS xid8[])))"
        + bucketFilter
        + " ORDER BY "
        + q(columns.txid())
        + ", "
        + q(columns.position())
        + " LIMIT ?";
  }

  /** The rest of one transaction whose rows did not fit: parameters txid, seq after. */
  String restOfTransaction() {
    return "SELECT "
        + String.join(", ", selectList())
        + " FROM "
        + table
        + " WHERE "
        + q(columns.txid())
        + " = CAST(? AS xid8) AND "
        + q(columns.position())
        + " > ?"
        + bucketFilter
        + " ORDER BY "
        + q(columns.position());
  }

  /**
   * Per aggregate, the lowest seq among visible rows after a position that are not yet published:
   * parameters txid, seq, done txids, the highest candidate seq, aggregate ids (text array).
   */
  String minSeqElsewhere() {
    return "SELECT CAST("
        + q(columns.aggregateId())
        + " AS text), min("
        + q(columns.position())
        + ") FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + " AND NOT ("
        + q(columns.txid())
        + " = ANY (CAST(? AS xid8[]))) AND "
        + q(columns.position())
        + " < ? AND CAST("
        + q(columns.aggregateId())
        + " AS text) = ANY (?)"
        + " GROUP BY 1";
  }

  /** Whether committed rows wait behind the horizon: parameter horizon txid. */
  String rowsBehindHorizon() {
    return "SELECT EXISTS (SELECT 1 FROM "
        + table
        + " WHERE "
        + q(columns.txid())
        + " >= CAST(? AS xid8)"
        + bucketFilter
        + ")";
  }

  /** The oldest open transaction holding the horizon back. */
  String oldestOpenTransaction() {
    return "SELECT pid, CAST(backend_xid AS text), "
        + "CAST(EXTRACT(EPOCH FROM (now() - xact_start)) * 1000 AS bigint), application_name, state"
        + " FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        + " ORDER BY xact_start LIMIT 1";
  }

  /** Unpublished rows after the cursor and the oldest event time: parameters txid, seq. */
  String backlog() {
    return "SELECT count(*), CAST(EXTRACT(EPOCH FROM min("
        + q(columns.timestamp())
        + ")) * 1000 AS bigint) FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + bucketFilter;
  }

  /**
   * Deletes up to a batch of published rows: parameters cursor txid, cursor seq, done txids (a text
   * array literal), batch size.
   */
  String deletePublished() {
    return "DELETE FROM "
        + table
        + " WHERE ctid = ANY (ARRAY (SELECT ctid FROM "
        + table
        + " WHERE ("
        + "("
        + q(columns.txid())
        + ", "
        + q(columns.position())
        + ") <= (CAST(? AS xid8), CAST(? AS bigint)) OR "
        + q(columns.txid())
        + " = ANY (CAST(? AS xid8[])))"
        + bucketFilter
        + " LIMIT ?))";
  }

  String listen(String channel) {
    return "LISTEN " + quote(channel);
  }

  private String cursorAfter() {
    return "("
        + q(columns.txid())
        + ", "
        + q(columns.position())
        + ") > (CAST(? AS xid8), CAST(? AS bigint))";
  }

  private List<String> selectList() {
    List<String> select = new ArrayList<>();
    select.add("CAST(" + q(columns.txid()) + " AS text)");
    select.add(q(columns.position()));
    select.add("CAST(" + q(columns.eventId()) + " AS text)");
    select.add("CAST(" + q(columns.aggregateType()) + " AS text)");
    select.add("CAST(" + q(columns.aggregateId()) + " AS text)");
    select.add("CAST(" + q(columns.eventType()) + " AS text)");
    select.add(q(columns.payload()));
    select.add(q(columns.timestamp()));
    for (Map.Entry<String, String> header : columns.headerColumns().entrySet()) {
      select.add("CAST(" + q(header.getKey()) + " AS text)");
    }
    // Distinct output names: ORDER BY "txid" would otherwise sort by the text cast of txid.
    List<String> aliased = new ArrayList<>(select.size());
    for (int i = 0; i < select.size(); i++) {
      aliased.add(select.get(i) + " AS ek_" + i);
    }
    return aliased;
  }

  private static String q(String column) {
    return quote(column);
  }
}
