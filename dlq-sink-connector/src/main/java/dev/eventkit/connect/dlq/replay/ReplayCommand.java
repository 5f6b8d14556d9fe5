package dev.eventkit.connect.dlq.replay;

import dev.eventkit.connect.dlq.archive.ArchiveDialect;
import dev.eventkit.connect.dlq.header.DeadLetterParser;
import dev.eventkit.connect.dlq.header.HeadersJson;
import dev.eventkit.connect.dlq.header.RawHeader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays archived dead letters: selects rows of the archive table, re-publishes each record's raw
 * key, value and headers (minus the error headers, plus {@code eventkit.replay.count} and {@code
 * eventkit.replayed.from}) with an idempotent producer, and counts the replay in the row.
 *
 * <p>Run with the worker's Kafka jars and the plugin's jars on the class path: {@code java -cp
 * "$KAFKA_HOME/libs/*:$PLUGIN/lib/*" dev.eventkit.connect.dlq.replay.ReplayCommand --help}.
 */
public final class ReplayCommand {

  public static final String REPLAY_COUNT_HEADER = "eventkit.replay.count";
  public static final String REPLAYED_FROM_HEADER = "eventkit.replayed.from";
  private static final int BATCH = 500;
  private static final int PROGRESS_EVERY = 1_000;

  private ReplayCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the process exit code (0 ok, 1 failures, 2 bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    ReplayOptions options;
    try {
      options = ReplayOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (options.help()) {
      out.println(ReplayOptions.USAGE);
      return 0;
    }
    try (Connection db =
        ArchiveDialect.connect(options.jdbcUrl(), options.user(), options.password())) {
      List<Row> rows = select(db, options);
      return options.dryRun() ? dryRun(rows, options, out) : replay(db, rows, options, out, err);
    } catch (SQLException e) {
      err.println("Archive database error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("Replay failed: " + e);
      return 1;
    }
  }

  record Row(
      long id,
      String dlqTopic,
      int dlqPartition,
      long dlqOffset,
      String originTopic,
      byte[] key,
      byte[] value,
      String headers,
      int replayCount,
      String eventId,
      String exceptionClass) {
    String position() {
      return dlqTopic + "/" + dlqPartition + "/" + dlqOffset;
    }
  }

  private static List<Row> select(Connection db, ReplayOptions o) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, dlq_topic, dlq_partition, dlq_offset, origin_topic, record_key, record_value,"
                + " record_headers, replay_count, event_id, exception_class FROM "
                + o.table()
                + " WHERE 1 = 1");
    List<Object> params = new ArrayList<>();
    if (o.originTopic() != null) {
      sql.append(" AND origin_topic = ?");
      params.add(o.originTopic());
    }
    if (o.exceptionClass() != null) {
      sql.append(" AND exception_class = ?");
      params.add(o.exceptionClass());
    }
    if (o.from() != null) {
      sql.append(" AND archived_at >= ?");
      params.add(Timestamp.from(o.from()));
    }
    if (o.to() != null) {
      sql.append(" AND archived_at < ?");
      params.add(Timestamp.from(o.to()));
    }
    if (!o.eventIds().isEmpty()) {
      sql.append(" AND event_id IN (").append("?, ".repeat(o.eventIds().size() - 1)).append("?)");
      params.addAll(o.eventIds());
    }
    sql.append(" ORDER BY dlq_topic, dlq_partition, dlq_offset");
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        Object p = params.get(i);
        if (p instanceof Timestamp t) {
          ps.setObject(
              i + 1, java.time.OffsetDateTime.ofInstant(t.toInstant(), java.time.ZoneOffset.UTC));
        } else {
          ps.setString(i + 1, (String) p);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Row(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getInt(3),
                  rs.getLong(4),
                  rs.getString(5),
                  rs.getBytes(6),
                  rs.getBytes(7),
                  rs.getString(8),
                  rs.getInt(9),
                  rs.getString(10),
                  rs.getString(11)));
        }
      }
    }
    return rows;
  }

  private static String target(Row row, ReplayOptions o) {
    return o.toTopic() != null ? o.toTopic() : row.originTopic();
  }

  private static String refusal(Row row, ReplayOptions o) {
    if (o.maxReplays() != null && row.replayCount() >= o.maxReplays()) {
      return "parked: replayed "
          + row.replayCount()
          + " times (--max-replays "
          + o.maxReplays()
          + ")";
    }
    if (target(row, o) == null) {
      return "no origin topic in its error headers; use --to-topic";
    }
    return null;
  }

  private static int dryRun(List<Row> rows, ReplayOptions o, PrintStream out) {
    int would = 0;
    for (Row row : rows) {
      String refusal = refusal(row, o);
      if (refusal == null) {
        would++;
        out.printf(
            "would replay %s -> %s (event %s, %s, replayed %d times)%n",
            row.position(), target(row, o), row.eventId(), row.exceptionClass(), row.replayCount());
      } else {
        out.printf("would skip %s: %s%n", row.position(), refusal);
      }
    }
    out.printf(
        "Dry run: %d selected, %d would be replayed, %d skipped%n",
        rows.size(), would, rows.size() - would);
    return 0;
  }

  private static int replay(
      Connection db, List<Row> rows, ReplayOptions o, PrintStream out, PrintStream err)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putAll(o.producerProperties());
    int replayed = 0;
    int skipped = 0;
    int failed = 0;
    db.setAutoCommit(false);
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        PreparedStatement count =
            db.prepareStatement(
                "UPDATE "
                    + o.table()
                    + " SET replay_count = replay_count + 1, last_replayed_at = ? WHERE id = ?")) {
      List<Row> batch = new ArrayList<>(BATCH);
      List<Future<RecordMetadata>> sent = new ArrayList<>(BATCH);
      for (Row row : rows) {
        String refusal = refusal(row, o);
        if (refusal != null) {
          skipped++;
          err.printf("skipped %s: %s%n", row.position(), refusal);
          continue;
        }
        sent.add(producer.send(record(row, target(row, o))));
        batch.add(row);
        if (batch.size() == BATCH) {
          int[] result = settle(o, count, batch, sent, err);
          replayed += result[0];
          failed += result[1];
          if ((replayed + failed) % PROGRESS_EVERY < BATCH) {
            out.printf("... %d of %d replayed%n", replayed, rows.size());
          }
        }
      }
      int[] result = settle(o, count, batch, sent, err);
      replayed += result[0];
      failed += result[1];
    }
    out.printf(
        "Replay: %d selected, %d replayed, %d skipped, %d failed%n",
        rows.size(), replayed, skipped, failed);
    return failed == 0 ? 0 : 1;
  }

  /** Waits for a batch's acknowledgements, then counts the replays of the rows Kafka took. */
  private static int[] settle(
      ReplayOptions o,
      PreparedStatement count,
      List<Row> batch,
      List<Future<RecordMetadata>> sent,
      PrintStream err)
      throws SQLException {
    int ok = 0;
    int failed = 0;
    Instant now = Instant.now();
    ArchiveDialect dialect = ArchiveDialect.of(o.jdbcUrl());
    for (int i = 0; i < batch.size(); i++) {
      try {
        sent.get(i).get();
        dialect.setTimestamp(count, 1, now);
        count.setLong(2, batch.get(i).id());
        count.addBatch();
        ok++;
      } catch (Exception e) {
        failed++;
        err.printf(
            "failed %s: %s%n", batch.get(i).position(), e.getCause() == null ? e : e.getCause());
      }
    }
    count.executeBatch();
    count.getConnection().commit();
    batch.clear();
    sent.clear();
    return new int[] {ok, failed};
  }

  static ProducerRecord<byte[], byte[]> record(Row row, String topic) {
    RecordHeaders headers = new RecordHeaders();
    for (RawHeader header : HeadersJson.read(row.headers())) {
      if (!DeadLetterParser.isErrorHeader(header.key())
          && !header.key().equals(REPLAY_COUNT_HEADER)
          && !header.key().equals(REPLAYED_FROM_HEADER)) {
        headers.add(header.key(), header.value());
      }
    }
    headers.add(
        REPLAY_COUNT_HEADER,
        Integer.toString(row.replayCount() + 1).getBytes(StandardCharsets.UTF_8));
    headers.add(REPLAYED_FROM_HEADER, row.position().getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(topic, null, null, row.key(), row.value(), headers);
  }
}
