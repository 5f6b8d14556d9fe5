package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.outbox.OutboxColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL of PostgreSQL poll mode, built once per task from the configured table and columns.
 * Identifiers are quoted exactly as configured. Every statement that reads rows is bounded by the
 * {@code (txid, seq)} index: by the cursor, the batch end or the commit horizon.
 *
 * <p>Parameters named "done" are two xid8 arrays, the first and last txids of the position's done
 * ranges. Parameters named "elsewhere" are a boolean, true when no other layout's offset reaches
 * beyond the cursor, and the five arrays of {@link PublishedByOtherLayouts}: bucket counts,
 * buckets, first txids, last txids, last seqs. The capture plans every execution with its
 * parameters (plan_cache_mode = force_custom_plan), so a true boolean folds the condition away: a
 * task that has caught up pays nothing for it. Rows it filters are published rows, so they count
 * for nothing in the safe cuts either.
 */
final class PostgresOutboxSql {

  private final String table;
  private final OutboxColumns columns;
  private final String txid;
  private final String seq;
  private final String bucketFilter;
  private final String notDone;
  private final String notPublishedElsewhere;

  PostgresOutboxSql(String table, OutboxColumns columns, int bucket, int bucketCount) {
    this.table = quoteQualified(table);
    this.columns = columns;
    this.txid = quote(columns.txid());
    this.seq = quote(columns.position());
    this.bucketFilter = PostgresBuckets.filter(quote(columns.aggregateId()), bucket, bucketCount);
    this.notDone =
        " AND NOT EXISTS (SELECT 1 FROM unnest(CAST(? AS xid8[]), CAST(? AS xid8[])) AS d(lo, hi)"
            + " WHERE "
            + txid
            + " BETWEEN d.lo AND d.hi)";
    this.notPublishedElsewhere =
        " AND (CAST(? AS boolean) OR NOT EXISTS (SELECT 1 FROM unnest(CAST(? AS int[]),"
            + " CAST(? AS int[]), CAST(? AS xid8[]), CAST(? AS xid8[]), CAST(? AS bigint[]))"
            + " AS l(n, b, lo, hi, hi_seq) WHERE "
            + txid
            + " >= l.lo AND ("
            + txid
            + ", "
            + seq
            + ") <= (l.hi, l.hi_seq) AND "
            + PostgresBuckets.virtualBucket(quote(columns.aggregateId()))
            + " % l.n = l.b))";
  }

  private static final Identifiers IDENTIFIERS = DatabaseDialect.POSTGRESQL.identifiers();

  static String quote(String identifier) {
    return IDENTIFIERS.quote(identifier);
  }

  /** {@code schema.table} → {@code "schema"."table"}; a lone name stays on the search path. */
  static String quoteQualified(String name) {
    return IDENTIFIERS.quoteQualified(name);
  }

  /**
   * The first statements of a poll's transaction, sent in one round trip: its isolation, then the
   * horizon (every transaction below it has ended, so its rows are final) and whether rows of this
   * bucket lie at or above it (committed ones wait behind the horizon; running ones may). Columns:
   * horizon (text), whether rows lie above it (null when none do), the transaction's isolation.
   */
  String pollStart() {
    // ORDER BY ... LIMIT 1 rather than EXISTS: right after a burst the table has no statistics
    // yet, and EXISTS then looks cheapest as a sequential scan that stops at the first match; with
    // no row above the horizon (every drain) it reads the whole table on every poll. The order of
    // the (txid, seq) index makes the planner probe the index instead.
    return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT CAST(h.horizon AS text),"
        + " (SELECT true FROM "
        + table
        + " WHERE "
        + txid
        + " >= h.horizon"
        + bucketFilter
        + " ORDER BY "
        + txid
        + " LIMIT 1), current_setting('transaction_isolation')"
        + " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) h";
  }

  /**
   * The lowest seq of rows that became final since the last horizon: parameters old horizon, new
   * horizon.
   */
  String minSeqBetween() {
    return "SELECT min("
        + seq
        + ") FROM "
        + table
        + " WHERE "
        + txid
        + " >= CAST(? AS xid8) AND "
        + txid
        + " < CAST(? AS xid8)"
        + bucketFilter;
  }

  /**
   * Safe cuts among unpublished final rows after a position, in txid order: the transactions after
   * which every earlier row has a lower seq than every later one. Parameters: position (txid, txid,
   * seq), done, elsewhere, horizon. Columns: txid (text), rows through it, highest seq through it,
   * transactions through it.
   */
  String safeCuts() {
    // The text cast gets its own name: ORDER BY tx must sort by xid8, not by text.
    return "SELECT CAST(w.tx AS text) AS cut_txid, rows_through, max_seq, txs_through, hi FROM ("
        + "SELECT tx, hi, sum(n) OVER (ORDER BY tx) AS rows_through,"
        + " count(*) OVER (ORDER BY tx) AS txs_through,"
        + " max(hi) OVER (ORDER BY tx) AS max_seq,"
        + " min(lo) OVER (ORDER BY tx DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        + " AS min_seq_after"
        + " FROM (SELECT "
        + txid
        + " AS tx, min("
        + seq
        + ") AS lo, max("
        + seq
        + ") AS hi, count(*) AS n FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + notDone
        + notPublishedElsewhere
        + " AND "
        + txid
        + " < CAST(? AS xid8)"
        + bucketFilter
        + " GROUP BY "
        + txid
        + ") t) w WHERE min_seq_after IS NULL OR max_seq < min_seq_after ORDER BY w.tx";
  }

  /**
   * The unpublished rows from a position through a batch end (a safe cut): parameters position
   * (txid, txid, seq), done, elsewhere, batch end txid.
   */
  String candidates() {
    return "SELECT " + String.join(", ", selectList()) + unpublishedThrough();
  }

  /**
   * Only the keys of {@link #candidates()}, for a batch too large to hold whole: same parameters.
   * Columns: txid (text), seq, aggregate id (text).
   */
  String candidateKeys() {
    return "SELECT CAST("
        + txid
        + " AS text) AS ek_txid, "
        + seq
        + ", CAST("
        + quote(columns.aggregateId())
        + " AS text)"
        + unpublishedThrough();
  }

  private String unpublishedThrough() {
    return " FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + notDone
        + notPublishedElsewhere
        + " AND "
        + txid
        + " <= CAST(? AS xid8)"
        + bucketFilter
        + " ORDER BY "
        + txid
        + ", "
        + seq;
  }

  /**
   * The next rows of one transaction, in seq order: parameters txid, the seq after which to read,
   * the row limit.
   */
  String transactionChunk() {
    return "SELECT "
        + String.join(", ", selectList())
        + " FROM "
        + table
        + " WHERE "
        + txid
        + " = CAST(? AS xid8) AND "
        + seq
        + " > ?"
        + bucketFilter
        + " ORDER BY "
        + seq
        + " LIMIT ?";
  }

  /** All rows of several small transactions: parameter the txids (an xid8 array literal). */
  String transactions() {
    return "SELECT "
        + String.join(", ", selectList())
        + " FROM "
        + table
        + " WHERE "
        + txid
        + " = ANY (CAST(? AS xid8[]))"
        + bucketFilter
        + " ORDER BY "
        + txid
        + ", "
        + seq;
  }

  /**
   * Per aggregate, the lowest seq of committed rows at or above the horizon, which are not final
   * yet: parameters horizon, highest candidate seq, aggregate ids (text array).
   */
  String horizonBlockers() {
    return horizonBlockers(true);
  }

  /**
   * As {@link #horizonBlockers()} for every aggregate, for a batch with too many aggregates to
   * send: parameters horizon, highest candidate seq.
   */
  String horizonBlockersOfAllAggregates() {
    return horizonBlockers(false);
  }

  private String horizonBlockers(boolean listed) {
    return "SELECT CAST("
        + quote(columns.aggregateId())
        + " AS text), min("
        + seq
        + ") FROM "
        + table
        + " WHERE "
        + txid
        + " >= CAST(? AS xid8) AND "
        + seq
        + " < ?"
        + (listed ? " AND CAST(" + quote(columns.aggregateId()) + " AS text) = ANY (?)" : "")
        + bucketFilter
        + " GROUP BY 1";
  }

  /**
   * Whether a row of one transaction after a seq has a committed row of its aggregate with a lower
   * seq at or above the horizon: parameters txid, seq after, horizon.
   */
  String transactionBlocked() {
    String agg = quote(columns.aggregateId());
    return "SELECT EXISTS (SELECT 1 FROM "
        + table
        + " c WHERE c."
        + txid
        + " = CAST(? AS xid8) AND c."
        + seq
        + " > ?"
        + bucketFilter
        + " AND EXISTS (SELECT 1 FROM "
        + table
        + " h WHERE h."
        + txid
        + " >= CAST(? AS xid8) AND h."
        + agg
        + " = c."
        + agg
        + " AND h."
        + seq
        + " < c."
        + seq
        + "))";
  }

  /**
   * The transaction holding the horizon back: the open one with the oldest xid, a prepared
   * transaction included. Columns: pid (null when prepared), xid, age ms, application, state.
   */
  String horizonHolder() {
    return "SELECT pid, xid, age_ms, application, state FROM ("
        + "SELECT pid, CAST(backend_xid AS text) AS xid, age(backend_xid) AS xid_age,"
        + " CAST(EXTRACT(EPOCH FROM (now() - xact_start)) * 1000 AS bigint) AS age_ms,"
        + " application_name AS application, state FROM pg_stat_activity"
        + " WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        + " UNION ALL SELECT NULL, CAST(transaction AS text), age(transaction),"
        + " CAST(EXTRACT(EPOCH FROM (now() - prepared)) * 1000 AS bigint),"
        + " 'prepared transaction ' || gid, 'prepared' FROM pg_prepared_xacts"
        + ") h ORDER BY xid_age DESC LIMIT 1";
  }

  /**
   * Unpublished rows after a position, counted up to a cap: parameters position (txid, txid, seq),
   * done, elsewhere, cap. Read in (txid, seq) order, so that the index scan starts at the position
   * and stops at the cap: a task of several steps over the other tasks' rows, about tasks.max times
   * the cap while its rows are spread like theirs (a task that has caught up while others lag walks
   * their rows to the end, as {@link #nextEventTime()} does). Unordered, the planner may scan the
   * table from its start through every published row still there, or read every remaining row of
   * the task's buckets by a bitmap of the bucket index, which stops at no limit.
   */
  String backlogCount() {
    return "SELECT count(*) FROM (SELECT 1 FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + notDone
        + notPublishedElsewhere
        + bucketFilter
        + " ORDER BY "
        + txid
        + ", "
        + seq
        + " LIMIT ?) b";
  }

  /**
   * The event time of the next unpublished row: parameters position (txid, txid, seq), done,
   * elsewhere.
   */
  String nextEventTime() {
    return "SELECT "
        + quote(columns.timestamp())
        + " FROM "
        + table
        + " WHERE "
        + cursorAfter()
        + notDone
        + notPublishedElsewhere
        + bucketFilter
        + " ORDER BY "
        + txid
        + ", "
        + seq
        + " LIMIT 1";
  }

  /**
   * Deletes up to a batch of rows at or before a position's cursor: parameters txid, seq, batch
   * size.
   */
  String deletePublished() {
    return "DELETE FROM "
        + table
        + " WHERE ctid = ANY (ARRAY (SELECT ctid FROM "
        + table
        + " WHERE ("
        + txid
        + ", "
        + seq
        + ") <= (CAST(? AS xid8), CAST(? AS bigint))"
        + bucketFilter
        + " LIMIT ?))";
  }

  /**
   * Deletes up to a batch of rows in a position's done ranges: parameters the done arrays, batch
   * size. Each range is read through the (txid, seq) index.
   */
  String deletePublishedAhead() {
    return "DELETE FROM "
        + table
        + " WHERE ctid = ANY (ARRAY (SELECT o.ctid FROM unnest(CAST(? AS xid8[]),"
        + " CAST(? AS xid8[])) AS d(lo, hi) JOIN "
        + table
        + " o ON o."
        + txid
        + " BETWEEN d.lo AND d.hi WHERE TRUE"
        + bucketFilter
        + " LIMIT ?))";
  }

  String listen(String channel) {
    return "LISTEN " + quote(channel);
  }

  /**
   * Rows after a position: parameters its txid, its txid again, its seq. The planner estimates a
   * row comparison about as loosely as "txid at or above", and with the batch end's "txid at or
   * below" as an independent second condition; in the middle of an analyzed backlog that is a
   * quarter of the table for a batch of a few thousand rows, and a sequential scan looks cheaper.
   * The plain lower bound makes the two a range the planner estimates from the histogram, so every
   * batch reads the (txid, seq) index.
   */
  private String cursorAfter() {
    return txid
        + " >= CAST(? AS xid8) AND ("
        + txid
        + ", "
        + seq
        + ") > (CAST(? AS xid8), CAST(? AS bigint))";
  }

  private List<String> selectList() {
    List<String> select = new ArrayList<>();
    select.add("CAST(" + txid + " AS text)");
    select.add(seq);
    select.add("CAST(" + quote(columns.eventId()) + " AS text)");
    select.add("CAST(" + quote(columns.aggregateType()) + " AS text)");
    select.add("CAST(" + quote(columns.aggregateId()) + " AS text)");
    select.add("CAST(" + quote(columns.eventType()) + " AS text)");
    select.add(quote(columns.payload()));
    select.add(quote(columns.timestamp()));
    for (Map.Entry<String, String> header : columns.headerColumns().entrySet()) {
      select.add("CAST(" + quote(header.getKey()) + " AS text)");
    }
    // Distinct output names: ORDER BY "txid" would otherwise sort by the text cast of txid.
    List<String> aliased = new ArrayList<>(select.size());
    for (int i = 0; i < select.size(); i++) {
      aliased.add(select.get(i) + " AS ek_" + i);
    }
    return aliased;
  }
}
