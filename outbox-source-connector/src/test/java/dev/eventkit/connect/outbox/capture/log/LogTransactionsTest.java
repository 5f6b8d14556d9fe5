package dev.eventkit.connect.outbox.capture.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.Captured;
import dev.eventkit.connect.outbox.capture.CapturedProgress;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The records of Debezium's task, in log order, become one captured transaction per database
 * transaction: the cases here are the orders in which Debezium can hand them over.
 */
class LogTransactionsTest {

  private static final Map<String, String> PARTITION = Map.of("server", "srv");
  private static final Schema ROW =
      SchemaBuilder.struct()
          .field("id", Schema.STRING_SCHEMA)
          .field("aggregatetype", Schema.STRING_SCHEMA)
          .field("aggregateid", Schema.STRING_SCHEMA)
          .field("type", Schema.STRING_SCHEMA)
          .field("payload", Schema.OPTIONAL_STRING_SCHEMA)
          .field(
              "timestamp", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
          .build();
  private static final Schema SOURCE =
      SchemaBuilder.struct().field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
  private static final Schema TRANSACTION =
      SchemaBuilder.struct()
          .optional()
          .field("id", Schema.STRING_SCHEMA)
          .field("total_order", Schema.INT64_SCHEMA)
          .build();
  private static final Schema ENVELOPE =
      SchemaBuilder.struct()
          .field("before", SchemaBuilder.struct().optional())
          .field("after", ROW)
          .field("source", SOURCE)
          .field("op", Schema.STRING_SCHEMA)
          .field("transaction", TRANSACTION)
          .build();
  private static final Schema MARKER =
      SchemaBuilder.struct()
          .field("status", Schema.STRING_SCHEMA)
          .field("id", Schema.STRING_SCHEMA)
          .build();

  private final ChangeEvents events =
      new ChangeEvents(
          new OutboxColumns(
              "id",
              "aggregatetype",
              "aggregateid",
              "type",
              "payload",
              "timestamp",
              "txid",
              "seq",
              Map.of()),
          "srv.transaction",
          "hb.srv");

  private LogTransactions transactions(LogTransactions.UpdateBehavior updates) {
    return new LogTransactions(events, r -> "lsn " + r.sourceOffset().get("lsn"), updates);
  }

  private final LogTransactions transactions = transactions(LogTransactions.UpdateBehavior.WARN);

  private static Map<String, Object> offset(long tx, long lsn, String extra) {
    Map<String, Object> offset = new HashMap<>();
    offset.put("transaction_id", Long.toString(tx));
    offset.put("lsn", lsn);
    if (extra != null) {
      offset.put(extra, true);
    }
    return offset;
  }

  private static SourceRecord change(String op, long tx, long lsn, String eventId) {
    return change(op, tx, lsn, lsn, eventId);
  }

  /** A change event; {@code order} is its place in the transaction (Debezium's total_order). */
  private static SourceRecord change(String op, long tx, long lsn, long order, String eventId) {
    Struct after =
        new Struct(ROW)
            .put("id", eventId)
            .put("aggregatetype", "order")
            .put("aggregateid", "o-1")
            .put("type", "Placed")
            .put("payload", "{}")
            .put("timestamp", "2026-11-27T01:02:03.456789Z");
    Struct value =
        new Struct(ENVELOPE)
            .put("after", after)
            .put("source", new Struct(SOURCE).put("ts_ms", 1L))
            .put("op", op);
    if (!"r".equals(op)) {
      value.put(
          "transaction",
          new Struct(TRANSACTION).put("id", tx + ":" + lsn).put("total_order", order));
    }
    return new SourceRecord(
        PARTITION, offset(tx, lsn, null), "srv.public.outbox", null, null, ENVELOPE, value);
  }

  private static SourceRecord insert(long tx, long lsn, String eventId) {
    return change("c", tx, lsn, eventId);
  }

  private static SourceRecord marker(String status, long tx, long lsn) {
    return new SourceRecord(
        PARTITION,
        offset(tx, lsn, null),
        "srv.transaction",
        null,
        null,
        MARKER,
        new Struct(MARKER).put("status", status).put("id", tx + ":" + lsn));
  }

  private static SourceRecord heartbeat(long lsn) {
    return new SourceRecord(PARTITION, Map.of("lsn", lsn), "hb.srv", null, null, null, null);
  }

  private static SourceRecord snapshotRead(long lsn, String eventId, boolean last) {
    SourceRecord read = change("r", 0, lsn, eventId);
    Map<String, Object> offset = new HashMap<>();
    offset.put("lsn", lsn);
    offset.put("snapshot", "INITIAL");
    offset.put("last_snapshot_record", last);
    return new SourceRecord(
        PARTITION, offset, read.topic(), null, null, read.valueSchema(), read.value());
  }

  private static List<String> ids(CapturedTransaction tx) {
    return tx.rows().stream().map(OutboxRow::eventId).toList();
  }

  private static List<CapturedTransaction> only(List<Captured> captured) {
    return captured.stream()
        .filter(c -> c instanceof CapturedTransaction)
        .map(c -> (CapturedTransaction) c)
        .toList();
  }

  @Test
  void aTransactionsLastRowCarriesTheEndMarkersOffsetAndReceipt() throws Exception {
    SourceRecord end = marker("END", 7, 300);
    List<Captured> out =
        transactions.add(
            List.of(marker("BEGIN", 7, 100), insert(7, 110, "a"), insert(7, 120, "b"), end));
    assertThat(out).hasSize(1);
    CapturedTransaction tx = (CapturedTransaction) out.get(0);
    assertThat(tx.complete()).isTrue();
    assertThat(ids(tx)).containsExactly("a", "b");
    assertThat(tx.offsetOf(0)).containsEntry("lsn", 110L);
    assertThat(tx.offsetOf(1)).isEqualTo(end.sourceOffset());
    assertThat(tx.receiptOf(1)).isSameAs(end);
    assertThat(tx.rows().get(0).position()).isEqualTo("lsn 110");
  }

  @Test
  void aTransactionSpreadOverPollsIsIncompleteUntilItsEnd() throws Exception {
    List<CapturedTransaction> first =
        only(
            transactions.add(
                List.of(marker("BEGIN", 7, 100), insert(7, 110, "a"), insert(7, 120, "b"))));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).complete()).isFalse();
    assertThat(ids(first.get(0))).containsExactly("a"); // b waits: it may end the transaction
    assertThat(transactions.inTransaction()).isTrue();

    assertThat(transactions.add(List.of())).isEmpty();
    List<CapturedTransaction> second =
        only(transactions.add(List.of(insert(7, 130, "c"), marker("END", 7, 300))));
    assertThat(second).hasSize(1);
    assertThat(ids(second.get(0))).containsExactly("b", "c");
    assertThat(second.get(0).complete()).isTrue();
    assertThat(transactions.inTransaction()).isFalse();
  }

  @Test
  void heartbeatsPassOnlyBetweenTransactions() throws Exception {
    List<Captured> out =
        transactions.add(
            List.of(
                heartbeat(50),
                marker("BEGIN", 7, 100),
                insert(7, 110, "a"),
                heartbeat(115),
                marker("END", 7, 300),
                heartbeat(310)));
    assertThat(out).hasSize(3);
    assertThat(out.get(0)).isInstanceOf(CapturedProgress.class);
    assertThat(((CapturedProgress) out.get(0)).offset()).containsEntry("lsn", 50L);
    assertThat(out.get(1)).isInstanceOf(CapturedTransaction.class);
    assertThat(((CapturedProgress) out.get(2)).offset()).containsEntry("lsn", 310L);
  }

  @Test
  void aTransactionWithNoOutboxRowPublishesNothing() throws Exception {
    assertThat(
            transactions.add(
                List.of(
                    marker("BEGIN", 7, 100),
                    change("d", 7, 110, "gone"),
                    change("u", 7, 120, "changed"),
                    marker("END", 7, 300))))
        .isEmpty();
  }

  @Test
  void deletesAreIgnoredSoARowDeletedInItsOwnTransactionIsStillPublished() throws Exception {
    List<CapturedTransaction> out =
        only(
            transactions.add(
                List.of(
                    marker("BEGIN", 7, 100),
                    insert(7, 110, "a"),
                    change("d", 7, 120, "a"),
                    marker("END", 7, 300))));
    assertThat(out).hasSize(1);
    assertThat(ids(out.get(0))).containsExactly("a");
  }

  @Test
  void updatesFailTheTaskNamingTheRowWhenAskedTo() {
    LogTransactions failing = transactions(LogTransactions.UpdateBehavior.FAIL);
    assertThatThrownBy(
            () -> failing.add(List.of(marker("BEGIN", 7, 100), change("u", 7, 110, "e-42"))))
        .isInstanceOf(CaptureException.class)
        .hasMessageContaining("event id e-42")
        .hasMessageContaining("log.update.behavior");
  }

  /**
   * After Debezium's task restarts (a lost replication connection), it resumes from Connect's
   * committed offset and streams the open transaction again from its BEGIN: rows already taken are
   * not taken twice.
   */
  @Test
  void theOpenTransactionStreamedAgainAfterARestartIsNotTakenTwice() throws Exception {
    List<CapturedTransaction> before =
        only(
            transactions.add(
                List.of(marker("BEGIN", 7, 100), insert(7, 110, "a"), insert(7, 120, "b"))));
    List<CapturedTransaction> after =
        only(
            transactions.add(
                List.of(
                    marker("BEGIN", 7, 100),
                    insert(7, 110, "a"),
                    insert(7, 120, "b"),
                    insert(7, 130, "c"),
                    marker("END", 7, 300))));
    List<String> published = new ArrayList<>();
    before.forEach(t -> published.addAll(ids(t)));
    after.forEach(t -> published.addAll(ids(t)));
    assertThat(published).containsExactly("a", "b", "c");
    assertThat(after.get(after.size() - 1).complete()).isTrue();
    assertThat(transactions.duplicatesSkipped()).isEqualTo(2);
  }

  /**
   * The rows of one COPY share one LSN: after a restart, the transaction's own event count, not the
   * log position, tells rows already taken from rows not yet seen.
   */
  @Test
  void rowsSharingOneLsnAreToldApartAfterARestart() throws Exception {
    List<String> published = new ArrayList<>();
    only(transactions.add(
            List.of(
                marker("BEGIN", 7, 100), change("c", 7, 110, 1, "a"), change("c", 7, 110, 2, "b"))))
        .forEach(t -> published.addAll(ids(t)));
    only(transactions.add(
            List.of(
                marker("BEGIN", 7, 100),
                change("c", 7, 110, 1, "a"),
                change("c", 7, 110, 2, "b"),
                change("c", 7, 110, 3, "c"),
                change("c", 7, 110, 4, "d"),
                marker("END", 7, 300))))
        .forEach(t -> published.addAll(ids(t)));
    assertThat(published).containsExactly("a", "b", "c", "d");
  }

  /**
   * A restart during the snapshot reads it again from its start: the snapshot's state goes, and the
   * caller is told to abort the Kafka transaction holding its rows.
   */
  @Test
  void aRestartDuringTheSnapshotAsksForTheOpenKafkaTransactionToBeAborted() throws Exception {
    transactions.add(List.of(snapshotRead(5, "s1", false), snapshotRead(5, "s2", false)));
    assertThat(transactions.restart()).isTrue();
    List<CapturedTransaction> again =
        only(
            transactions.add(
                List.of(
                    snapshotRead(5, "s1", false),
                    snapshotRead(5, "s2", false),
                    snapshotRead(5, "s3", true))));
    List<String> published = new ArrayList<>();
    again.forEach(t -> published.addAll(ids(t)));
    assertThat(published).containsExactly("s1", "s2", "s3");
    assertThat(again.get(again.size() - 1).complete()).isTrue();
    assertThat(transactions.restart()).isFalse();
  }

  @Test
  void theInitialSnapshotIsOneTransactionEndingOnItsLastRecord() throws Exception {
    List<CapturedTransaction> first =
        only(transactions.add(List.of(snapshotRead(5, "s1", false), snapshotRead(5, "s2", false))));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).complete()).isFalse();
    List<CapturedTransaction> second =
        only(
            transactions.add(
                List.of(
                    snapshotRead(5, "s3", true), marker("BEGIN", 8, 100), insert(8, 110, "a"))));
    assertThat(second.get(0).complete()).isTrue();
    assertThat(ids(second.get(0))).containsExactly("s2", "s3");
    assertThat(second.get(0).offsetOf(1)).containsEntry("last_snapshot_record", true);
  }

  @Test
  void theSnapshotEndsWhereTheLogBeginsEvenWithoutItsLastMark() throws Exception {
    transactions.add(List.of(snapshotRead(5, "s1", false)));
    List<CapturedTransaction> out =
        only(transactions.add(List.of(marker("BEGIN", 8, 100), insert(8, 110, "a"))));
    assertThat(out.get(0).complete()).isTrue();
    assertThat(ids(out.get(0))).containsExactly("s1");
  }
}
