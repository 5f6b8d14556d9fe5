package dev.eventkit.connect.outbox.capture.log;

import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.Captured;
import dev.eventkit.connect.outbox.capture.CapturedProgress;
import dev.eventkit.connect.outbox.capture.CapturedTransaction;
import dev.eventkit.connect.outbox.record.OutboxRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the records of Debezium's task, in log order, into what the outbox task publishes: the
 * inserted rows of each database transaction, one Kafka transaction per database transaction.
 *
 * <p>The last row seen is held back until the next record says whether its transaction goes on
 * (another row) or ends (the END marker). The row that ends a transaction carries the END marker's
 * offset (the position after the whole transaction, so that Connect stores no offset inside a
 * transaction under exactly-once) and hands the END marker back as its receipt; every other row
 * carries its own change event's offset. A transaction's rows may arrive over several polls: parts
 * before the end are incomplete, so the task keeps its Kafka transaction open across them.
 *
 * <p>When Debezium's task restarts after losing its database connection, it resumes from the
 * offsets Connect committed, and so may stream the open transaction again from its start: rows of
 * the open transaction up to the last one already taken (by Debezium's count of the transaction's
 * events) are skipped, so they are not published twice inside one Kafka transaction.
 *
 * <p>Heartbeats pass through only between transactions (inside one, the next row carries progress
 * anyway). Snapshot reads carry no transaction: the whole initial snapshot is one, ending on the
 * record Debezium marks as its last (or where the log begins), so that under exactly-once a
 * snapshot interrupted by a restart leaves nothing behind in Kafka and simply runs again. Deletes
 * are ignored, so a row inserted and deleted in one transaction is still published; updates follow
 * {@code log.update.behavior}.
 */
public final class LogTransactions {

  private static final Logger log = LoggerFactory.getLogger(LogTransactions.class);
  private static final String SNAPSHOT = "snapshot";

  /** What an UPDATE of an outbox row does. */
  public enum UpdateBehavior {
    IGNORE,
    WARN,
    FAIL
  }

  private final ChangeEvents events;
  private final Function<SourceRecord, String> positions;
  private final UpdateBehavior updates;

  /** Place in the open transaction (Debezium's total_order) of the last row taken, -1 when none. */
  private long lastTakenInTransaction = -1;

  private long duplicatesSkipped;

  /** Inside a database transaction: from its first row (or BEGIN) until its END. */
  private String openTransaction;

  /** The last row seen, not yet known to end its transaction or not. */
  private Held held;

  /** Rows of the open transaction collected in this poll, before {@link #held}. */
  private final Part part = new Part();

  /**
   * @param positions names a change event's place in the log, for poison-row headers
   */
  public LogTransactions(
      ChangeEvents events, Function<SourceRecord, String> positions, UpdateBehavior updates) {
    this.events = events;
    this.positions = positions;
    this.updates = updates;
  }

  /** Rows of an open transaction streamed again after a restart of Debezium's task, skipped. */
  public long duplicatesSkipped() {
    return duplicatesSkipped;
  }

  private record Held(
      OutboxRow row, Map<String, Object> offset, Object receipt, String transaction) {}

  /** Rows of one transaction collected for one poll. */
  private static final class Part {
    final List<OutboxRow> rows = new ArrayList<>();
    final List<Map<String, Object>> offsets = new ArrayList<>();
    final List<Object> receipts = new ArrayList<>();
    String transaction;

    void add(OutboxRow row, Map<String, Object> offset, Object receipt) {
      rows.add(row);
      offsets.add(offset);
      receipts.add(receipt);
    }

    void clear() {
      rows.clear();
      offsets.clear();
      receipts.clear();
    }

    void drainTo(List<Captured> out, boolean complete) {
      if (!rows.isEmpty()) {
        out.add(
            CapturedTransaction.logged(
                transaction,
                List.copyOf(rows),
                List.copyOf(offsets),
                new ArrayList<>(receipts),
                complete));
      }
      rows.clear();
      offsets.clear();
      receipts.clear();
    }
  }

  /**
   * Debezium's task is starting again from Connect's committed offsets. An open transaction keeps
   * its state: it is streamed again from its start and the rows already taken are skipped. An open
   * snapshot is read again from its start: its state goes, and the caller must abort the Kafka
   * transaction holding its rows. Returns whether a snapshot was open.
   */
  public boolean restart() {
    // Between polls the open snapshot's latest row is always held (the rest went out incomplete).
    boolean snapshotOpen = held != null && SNAPSHOT.equals(held.transaction());
    if (snapshotOpen) {
      held = null;
      part.clear();
    }
    return snapshotOpen;
  }

  /** Whether a database transaction has rows on their way that it has not ended yet. */
  public boolean inTransaction() {
    return openTransaction != null || held != null;
  }

  /** What to publish for these records, which follow the ones given before. */
  public List<Captured> add(List<SourceRecord> records) throws CaptureException {
    List<Captured> out = new ArrayList<>();
    for (SourceRecord record : records) {
      switch (events.kind(record)) {
        case INSERT -> insert(record, out);
        case UPDATE -> update(record);
        case TRANSACTION_BEGIN -> {
          endSnapshotRun(out);
          String begun = ChangeEvents.transactionId(record);
          if (!Objects.equals(begun, openTransaction)) {
            // Not the open transaction streamed again after a restart: a new one.
            openTransaction = begun;
            lastTakenInTransaction = -1;
          }
          part.transaction = openTransaction;
        }
        case TRANSACTION_END -> end(record, out);
        case HEARTBEAT -> {
          endSnapshotRun(out);
          if (!inTransaction()) {
            out.add(new CapturedProgress(offset(record), record));
          }
        }
        case DELETE, OTHER -> {
          // Nothing to publish; a later record carries the progress.
        }
      }
    }
    part.drainTo(out, false);
    return out;
  }

  private void insert(SourceRecord record, List<Captured> out) {
    boolean snapshot = ChangeEvents.isSnapshotRead(record);
    if (snapshot) {
      if (held != null) {
        releaseHeld(held.offset(), held.receipt());
      }
      held =
          new Held(events.row(record, positions.apply(record)), offset(record), record, SNAPSHOT);
      if (ChangeEvents.isLastSnapshotRead(record)) {
        endSnapshotRun(out);
      }
      return;
    }
    String transaction = ChangeEvents.transactionId(record);
    // Not the log position: the rows of one multi-row statement (COPY) share one LSN.
    long order = ChangeEvents.orderInTransaction(record);
    if (order >= 0
        && transaction != null
        && transaction.equals(openTransaction)
        && order <= lastTakenInTransaction) {
      duplicatesSkipped++;
      log.debug("Skipping a row of transaction {} streamed again after a restart", transaction);
      return;
    }
    endSnapshotRun(out);
    OutboxRow row = events.row(record, positions.apply(record));
    if (held != null && !Objects.equals(held.transaction(), transaction)) {
      // A transaction ended without its END marker reaching us: close it on its own last row.
      releaseHeld(held.offset(), held.receipt());
      part.drainTo(out, true);
      openTransaction = null;
      lastTakenInTransaction = -1;
    } else if (held != null) {
      releaseHeld(held.offset(), held.receipt());
    }
    if (openTransaction == null) {
      openTransaction = transaction;
    }
    part.transaction = transaction;
    held = new Held(row, offset(record), record, transaction);
    lastTakenInTransaction = Math.max(lastTakenInTransaction, order);
  }

  private void update(SourceRecord record) throws CaptureException {
    if (updates == UpdateBehavior.IGNORE) {
      return;
    }
    OutboxRow row = events.row(record, positions.apply(record));
    String message =
        "An UPDATE of "
            + row.describe()
            + " reached the log; outbox rows are written once, so updates are not published";
    if (updates == UpdateBehavior.FAIL) {
      throw new CaptureException(
          message + ". Set log.update.behavior=ignore or warn to skip them.", null, false);
    }
    log.warn("{} (log.update.behavior=warn).", message);
  }

  private void end(SourceRecord endMarker, List<Captured> out) {
    endSnapshotRun(out);
    if (held != null) {
      releaseHeld(offset(endMarker), endMarker);
    }
    part.drainTo(out, true);
    openTransaction = null;
    lastTakenInTransaction = -1;
  }

  /** The snapshot ends at the latest where the log begins. */
  private void endSnapshotRun(List<Captured> out) {
    if (held != null && SNAPSHOT.equals(held.transaction())) {
      releaseHeld(held.offset(), held.receipt());
      part.drainTo(out, true);
    }
  }

  private void releaseHeld(Map<String, Object> offset, Object receipt) {
    part.transaction = held.transaction();
    part.add(held.row(), offset, receipt);
    held = null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> offset(SourceRecord record) {
    return record.sourceOffset() == null
        ? Map.of()
        : new HashMap<>((Map<String, Object>) record.sourceOffset());
  }
}
