package dev.eventkit.testkit.audit;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.IsolationLevel;

/**
 * The accounting of a run, from the database's own truth: what the {@link OutboxLedger} says
 * committed, against what a {@code read_committed} consumer finds on the events topic, what the
 * dead-letter topic holds and what the DLQ archive table holds.
 *
 * <ul>
 *   <li>Every committed event is published exactly once, under its order's key, each order's events
 *       in version order; nothing is published that did not commit.
 *   <li>Every committed poison event is dead-lettered, and nothing else is.
 *   <li>Every record of the dead-letter topic is archived exactly once (by its topic, partition and
 *       offset), and the archive holds nothing else.
 * </ul>
 *
 * A poison event dead-lettered twice is reported but is not a fault of the pipeline under test:
 * Connect's dead-letter reporter is at-least-once, and each copy is a record of its own.
 */
public final class DeliveryAudit {

  /** How many defects a verdict describes one by one. */
  private static final int MAX_EXAMPLES = 5;

  private DeliveryAudit() {}

  /** What the run did and what arrived where; {@link #clean()} when nothing is off. */
  public record Verdict(
      long committed,
      long published,
      long duplicated,
      long missing,
      long invented,
      long outOfOrder,
      long misrouted,
      long poisonCommitted,
      long deadLettered,
      long notDeadLettered,
      long unexpectedDeadLetters,
      long deadLetteredTwice,
      long archived,
      long archiveMissing,
      long archiveExtra,
      int faults,
      Duration longestRecovery,
      List<String> examples,
      List<Span> duplicateSpans) {

    public boolean clean() {
      return duplicated == 0
          && missing == 0
          && invented == 0
          && outOfOrder == 0
          && misrouted == 0
          && notDeadLettered == 0
          && unexpectedDeadLetters == 0
          && archiveMissing == 0
          && archiveExtra == 0;
    }

    /** The one-line verdict printed by every fault scenario. */
    public String line() {
      return String.format(
          Locale.ROOT,
          "%s: events committed %d, published %d, duplicated %d, missing %d, invented %d,"
              + " out of order %d, misrouted %d; poison committed %d, dead-lettered %d (not %d,"
              + " unexpected %d, twice by Connect %d), archived %d (missing %d, extra %d); faults"
              + " injected %d, longest recovery %.1f s",
          clean() ? "CLEAN" : "BROKEN",
          committed,
          published,
          duplicated,
          missing,
          invented,
          outOfOrder,
          misrouted,
          poisonCommitted,
          deadLettered,
          notDeadLettered,
          unexpectedDeadLetters,
          deadLetteredTwice,
          archived,
          archiveMissing,
          archiveExtra,
          faults,
          longestRecovery.toMillis() / 1000.0);
    }
  }

  /** One committed event of the ledger. */
  record Committed(String order, long version, boolean poison) {
    @Override
    public String toString() {
      return "order " + order + " version " + version;
    }
  }

  /** A record read from the events topic. */
  record Published(String key, int partition, long offset, byte[] value) {}

  /**
   * Where the first few duplicates lie: per events partition, from the lowest to the highest offset
   * of their copies, for a look at the batches there ({@code ConnectCluster.logBatches}).
   */
  public record Span(int partition, long from, long to) {}

  /** A dead letter: a record of the dead-letter topic, or an archive row naming one. */
  record DeadLetter(int partition, long offset, byte[] value) {}

  /**
   * Audits the events topic, the dead-letter topic and the archive table against the ledger of
   * {@code db}, once the pipeline has drained.
   */
  public static Verdict audit(
      TestDatabase db,
      ConnectCluster cluster,
      String eventsTopic,
      String deadLetterTopic,
      String archiveTable,
      int faults,
      Duration longestRecovery) {
    List<Published> published =
        cluster.topics().consumeAll(eventsTopic, IsolationLevel.READ_COMMITTED).stream()
            .map(
                r ->
                    new Published(
                        r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                        r.partition(),
                        r.offset(),
                        r.value()))
            .toList();
    List<DeadLetter> deadLetters =
        cluster.topics().consumeAll(deadLetterTopic, IsolationLevel.READ_COMMITTED).stream()
            .map(r -> new DeadLetter(r.partition(), r.offset(), r.value()))
            .toList();
    return account(
        readLedger(db),
        published,
        deadLetters,
        archivedDeadLetters(db, archiveTable, deadLetterTopic),
        faults,
        longestRecovery);
  }

  /** The accounting itself, on what was read. */
  static Verdict account(
      Map<UUID, Committed> ledger,
      List<Published> published,
      List<DeadLetter> deadLetters,
      List<DeadLetter> archived,
      int faults,
      Duration longestRecovery) {
    Set<UUID> seen = new HashSet<>();
    Map<UUID, Published> firstCopy = new HashMap<>();
    List<String> examples = new ArrayList<>();
    Map<String, Long> lastVersion = new HashMap<>();
    Map<String, Integer> partitionOf = new HashMap<>();
    long duplicated = 0;
    Map<Integer, Span> spans = new java.util.TreeMap<>();
    long invented = 0;
    long outOfOrder = 0;
    long misrouted = 0;
    for (Published record : published) {
      UUID id = EventsTopic.eventId(record.value());
      if (!seen.add(id)) {
        duplicated++;
        Published first = firstCopy.get(id);
        if (duplicated <= MAX_EXAMPLES) {
          for (Published copy : List.of(first, record)) {
            spans.merge(
                copy.partition(),
                new Span(copy.partition(), copy.offset(), copy.offset()),
                (a, b) ->
                    new Span(
                        a.partition(), Math.min(a.from(), b.from()), Math.max(a.to(), b.to())));
          }
        }
        example(
            examples,
            "duplicated: event %s (%s) at partition %d offset %d and partition %d offset %d",
            id,
            ledger.get(id),
            first.partition(),
            first.offset(),
            record.partition(),
            record.offset());
        continue;
      }
      firstCopy.put(id, record);
      Committed committed = ledger.get(id);
      if (committed == null) {
        invented++;
        example(
            examples,
            "invented: event %s at partition %d offset %d",
            id,
            record.partition(),
            record.offset());
        continue;
      }
      // Each order is one key, so one partition, where its versions must arrive as committed.
      Integer partition = partitionOf.putIfAbsent(committed.order(), record.partition());
      if (!committed.order().equals(record.key())
          || (partition != null && partition != record.partition())) {
        misrouted++;
      }
      Long last = lastVersion.put(committed.order(), committed.version());
      if (last != null && committed.version() <= last) {
        outOfOrder++;
        example(
            examples,
            "out of order: event %s (%s) after version %d, at partition %d offset %d",
            id,
            committed,
            last,
            record.partition(),
            record.offset());
      }
    }
    long missing = 0;
    for (Map.Entry<UUID, Committed> event : ledger.entrySet()) {
      if (!seen.contains(event.getKey())) {
        missing++;
        example(examples, "missing: event %s (%s)", event.getKey(), event.getValue());
      }
    }

    Set<UUID> poison = new HashSet<>();
    ledger.forEach(
        (id, c) -> {
          if (c.poison()) {
            poison.add(id);
          }
        });
    Set<UUID> deadLetteredIds = new HashSet<>();
    Set<String> positions = new HashSet<>();
    long unexpected = 0;
    long twice = 0;
    for (DeadLetter letter : deadLetters) {
      positions.add(letter.partition() + "@" + letter.offset());
      UUID id = EventsTopic.eventId(letter.value());
      if (!poison.contains(id)) {
        unexpected++;
      } else if (!deadLetteredIds.add(id)) {
        twice++;
      }
    }
    long notDeadLettered = poison.stream().filter(id -> !deadLetteredIds.contains(id)).count();

    Set<String> archivedPositions = new HashSet<>();
    long archiveExtra = 0;
    for (DeadLetter row : archived) {
      String position = row.partition() + "@" + row.offset();
      if (!positions.contains(position) || !archivedPositions.add(position)) {
        archiveExtra++;
      }
    }
    long archiveMissing = positions.stream().filter(p -> !archivedPositions.contains(p)).count();
    return new Verdict(
        ledger.size(),
        published.size(),
        duplicated,
        missing,
        invented,
        outOfOrder,
        misrouted,
        poison.size(),
        deadLetters.size(),
        notDeadLettered,
        unexpected,
        twice,
        archived.size(),
        archiveMissing,
        archiveExtra,
        faults,
        longestRecovery,
        List.copyOf(examples),
        List.copyOf(spans.values()));
  }

  /** Keeps the first few defects found, described, for the scenario's output. */
  private static void example(List<String> examples, String format, Object... args) {
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(String.format(Locale.ROOT, format, args));
    }
  }

  private static Map<UUID, Committed> readLedger(TestDatabase db) {
    Map<UUID, Committed> ledger = new HashMap<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT event_id, order_id, version, poison FROM ledger")) {
      while (rs.next()) {
        ledger.put(
            UUID.fromString(rs.getString(1)),
            new Committed(rs.getString(2), rs.getLong(3), rs.getBoolean(4)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Reading the ledger failed", e);
    }
    return ledger;
  }

  /** Every archive row (of any topic: a row of another topic counts as extra). */
  private static List<DeadLetter> archivedDeadLetters(
      TestDatabase db, String archiveTable, String deadLetterTopic) {
    List<DeadLetter> rows = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT dlq_topic = ?, dlq_partition, dlq_offset, record_value FROM "
                    + archiveTable)) {
      ps.setString(1, deadLetterTopic);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new DeadLetter(rs.getBoolean(1) ? rs.getInt(2) : -1, rs.getLong(3), rs.getBytes(4)));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Reading the archive " + archiveTable + " failed", e);
    }
    return rows;
  }
}
