package dev.eventkit.connect.outbox.capture.poll.mariadb;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.outbox.OutboxColumns;
import java.util.ArrayList;
import java.util.List;

/** The SQL of MariaDB/MySQL poll mode; identifiers quoted with backticks, exactly as configured. */
final class MariaDbOutboxSql {

  private static final Identifiers IDENTIFIERS = DatabaseDialect.MARIADB.identifiers();

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

  /** Rows after an id, in id order: parameters the id, the row limit. */
  String rowsAfter() {
    List<String> select = new ArrayList<>();
    select.add(seq);
    select.add("CAST(" + q(columns.eventId()) + " AS CHAR)");
    select.add(q(columns.aggregateType()));
    select.add(q(columns.aggregateId()));
    select.add(q(columns.eventType()));
    select.add(q(columns.payload()));
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
   * The InnoDB transactions running now, but this session's: one of them may still fill a gap.
   * Needs the PROCESS privilege.
   */
  String runningTransactions() {
    return "SELECT CAST(trx_id AS CHAR) FROM information_schema.INNODB_TRX"
        + " WHERE trx_mysql_thread_id <> CONNECTION_ID()";
  }

  /** How this server hands out auto-increment ids. */
  String idSpacing() {
    return "SELECT @@auto_increment_increment, @@auto_increment_offset";
  }

  /** Deletes up to a batch of rows at or before an id: parameters the id, the batch size. */
  String deletePublished() {
    return "DELETE FROM " + table + " WHERE " + seq + " <= ? ORDER BY " + seq + " LIMIT ?";
  }

  /** Rows after an id, counted up to a cap: parameters the id, the cap. */
  String backlogCount() {
    return "SELECT count(*) FROM (SELECT 1 FROM " + table + " WHERE " + seq + " > ? LIMIT ?) b";
  }

  private static String q(String column) {
    return IDENTIFIERS.quote(column);
  }
}
