package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.outbox.OutboxColumns;
import java.util.ArrayList;
import java.util.List;

/** The SQL of MariaDB/MySQL poll mode; identifiers quoted with backticks, exactly as configured. */
final class MariaDbOutboxSql {

  private static final Identifiers IDENTIFIERS = DatabaseDialect.MARIADB.identifiers();

  /**
   * As in PostgreSQL poll mode: task {@code i} of {@code n} reads virtual buckets {@code v % n ==
   * i}.
   */
  static final int VIRTUAL_BUCKETS = 256;

  private final String table;
  private final OutboxColumns columns;
  private final String seq;

  MariaDbOutboxSql(String table, OutboxColumns columns) {
    this.table = IDENTIFIERS.quoteQualified(table);
    this.columns = columns;
    this.seq = IDENTIFIERS.quote(columns.position());
  }

  /** Where every read starts: a snapshot of committed rows, no locks, no writes. */
  String startSnapshot() {
    return "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
  }

  /**
   * Rows after an id, in id order: parameters the id, the row limit. Columns: the id, the virtual
   * bucket, then the outbox columns. Every task reads every id (a missing one may be any bucket's),
   * but with several buckets the payload only of its own rows.
   */
  String rowsAfter(int buckets, int bucket) {
    List<String> select = new ArrayList<>();
    select.add(seq);
    select.add(virtualBucket());
    select.add("CAST(" + q(columns.eventId()) + " AS CHAR)");
    select.add(q(columns.aggregateType()));
    select.add(q(columns.aggregateId()));
    select.add(q(columns.eventType()));
    select.add(
        buckets <= 1
            ? q(columns.payload())
            : "CASE WHEN "
                + bucketFilter(buckets, bucket).substring(" AND ".length())
                + " THEN "
                + q(columns.payload())
                + " END");
    select.add(q(columns.timestamp()));
    for (String header : columns.headerColumns().keySet()) {
      select.add("CAST(" + q(header) + " AS CHAR)");
    }
    return "SELECT "
        + String.join(", ", select)
        + " FROM "
        + table
        + " WHERE "
        + seq
        + " > ? ORDER BY "
        + seq
        + " LIMIT ?";
  }

  /**
   * The virtual bucket of a row's aggregate id, 0 to {@link #VIRTUAL_BUCKETS} - 1; NULL and empty
   * ids share one. CRC32 is the same on MariaDB and MySQL, every version and platform.
   */
  private String virtualBucket() {
    return "(CRC32(COALESCE(CAST("
        + q(columns.aggregateId())
        + " AS CHAR), '')) % "
        + VIRTUAL_BUCKETS
        + ")";
  }

  /**
   * Starts a transaction that INNODB_TRX lists as this session's: a list that shows it was taken
   * after this point.
   */
  String startMarkerTransaction() {
    return "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";
  }

  /**
   * Every InnoDB transaction in InnoDB's INNODB_TRX cache: thread, start time, whether it was
   * started READ ONLY (such a transaction cannot insert; other tasks' reads are such). A thread and
   * a start time name a transaction: one that has not written yet has no trx_id (0 on MariaDB), and
   * a thread runs one transaction at a time. Needs the PROCESS privilege.
   */
  String transactions() {
    return "SELECT trx_mysql_thread_id, DATE_FORMAT(trx_started, '%Y-%m-%d %H:%i:%s'),"
        + " trx_is_read_only FROM information_schema.INNODB_TRX";
  }

  /** Reads see only committed rows, whatever the server's default isolation level. */
  String repeatableReadSession() {
    return "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";
  }

  /** The next statement (its own transaction in autocommit) takes no gap locks. */
  String readCommittedNext() {
    return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
  }

  /** Event times are read in UTC: TIMESTAMP columns convert to the session's zone. */
  String utcSession() {
    return "SET time_zone = '+00:00'";
  }

  /**
   * Makes the next statement (its own transaction, in autocommit) read uncommitted rows: without
   * PROCESS, the only way to see that a gap's transaction is still at work.
   */
  String readUncommittedNext() {
    return "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED";
  }

  /**
   * Ids after an id, committed or not (after {@link #readUncommittedNext}): parameters the id, the
   * limit.
   */
  String idsAfter() {
    return "SELECT "
        + seq
        + " FROM "
        + table
        + " WHERE "
        + seq
        + " > ? ORDER BY "
        + seq
        + " LIMIT ?";
  }

  /** How this server hands out auto-increment ids. */
  String idSpacing() {
    return "SELECT @@auto_increment_increment, @@auto_increment_offset";
  }

  /**
   * Deletes up to a batch of this bucket's rows at or before an id: parameters the id, the batch
   * size.
   */
  String deletePublished(int buckets, int bucket) {
    return "DELETE FROM "
        + table
        + " WHERE "
        + seq
        + " <= ?"
        + bucketFilter(buckets, bucket)
        + " ORDER BY "
        + seq
        + " LIMIT ?";
  }

  /** This task's rows after an id, counted up to a cap: parameters the id, the cap. */
  String backlogCount(int buckets, int bucket) {
    return "SELECT count(*) FROM (SELECT 1 FROM "
        + table
        + " WHERE "
        + seq
        + " > ?"
        + bucketFilter(buckets, bucket)
        + " LIMIT ?) b";
  }

  /** The event time of this task's first row after an id: parameter the id. */
  String firstTimestampAfter(int buckets, int bucket) {
    return "SELECT "
        + q(columns.timestamp())
        + " FROM "
        + table
        + " WHERE "
        + seq
        + " > ?"
        + bucketFilter(buckets, bucket)
        + " ORDER BY "
        + seq
        + " LIMIT 1";
  }

  private String bucketFilter(int buckets, int bucket) {
    return buckets <= 1 ? "" : " AND " + virtualBucket() + " % " + buckets + " = " + bucket;
  }

  private static String q(String column) {
    return IDENTIFIERS.quote(column);
  }
}
