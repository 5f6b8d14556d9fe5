package dev.eventkit.connect.dlq.replay;

import dev.eventkit.connect.dlq.archive.ArchiveDialect;
import dev.eventkit.connect.dlq.header.DeadLetterParser;
import dev.eventkit.connect.dlq.header.HeadersJson;
import dev.eventkit.connect.dlq.header.RawHeader;
import dev.eventkit.connect.jdbc.SecretRedaction;
import dev.eventkit.connect.jdbc.SqlErrors;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays archived dead letters: reads the selected rows of the archive table page by page,
 * re-publishes each record's raw key, value and headers (minus the error headers, plus {@code
 * eventkit.replay.count} and {@code eventkit.replayed.from}) with an idempotent producer, and
 * counts the replay in the row. Rows are claimed while they are replayed, so concurrent runs never
 * replay one twice, and a row already replayed {@code --max-replays} times (default 1) is skipped.
 *
 * <p>Run with the worker's Kafka jars and the plugin's jars on the class path: {@code java -cp
 * "$KAFKA_HOME/libs/*:$PLUGIN/lib/*" dev.eventkit.connect.dlq.replay.ReplayCommand --help}.
 */
public final class ReplayCommand {

  public static final String REPLAY_COUNT_HEADER = "eventkit.replay.count";
  public static final String REPLAYED_FROM_HEADER = "eventkit.replayed.from";

  /** Rows per page: what a run holds in memory and locks at a time. */
  static final int PAGE = 100;

  private static final int PROGRESS_EVERY = 1_000;

  private ReplayCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the process exit code (0 ok, 1 failures, 2 bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  /** As {@link #run(String[], PrintStream, PrintStream)}, reading variables from {@code env}. */
  public static int run(
      String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
    ReplayOptions options;
    try {
      options = ReplayOptions.parse(args, environment);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (options.help()) {
      out.println(ReplayOptions.USAGE);
      return 0;
    }
    ArchiveDialect dialect;
    ReplaySelection selection;
    try {
      dialect = ArchiveDialect.of(options.jdbcUrl());
      selection = new ReplaySelection(dialect, options);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    try (Connection db =
        ArchiveDialect.connect(options.jdbcUrl(), options.user(), options.password())) {
      String unsupported = unsupportedServer(db, dialect);
      if (unsupported != null) {
        err.println(unsupported);
        return 1;
      }
      // READ COMMITTED on both databases: on MariaDB/MySQL, REPEATABLE READ would make FOR UPDATE
      // lock every row it scans (matching or not) plus gaps, so a concurrent run with another
      // filter would skip rows this run does not replay, and new archive inserts would wait.
      db.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      return options.dryRun()
          ? dryRun(db, selection, options, out)
          : replay(db, dialect, selection, options, out, err);
    } catch (SQLException e) {
      err.println(
          "Archive database error: "
              + SecretRedaction.message(
                  SqlErrors.describe(e), options.jdbcUrl(), options.password()));
      return 1;
    } catch (Exception e) {
      err.println("Replay failed: " + e);
      return 1;
    }
  }

  /**
   * Why the server cannot run the replay, or null: claiming needs {@code FOR UPDATE SKIP LOCKED}
   * (MariaDB 10.6+, MySQL 8.0+).
   */
  static String unsupportedServer(Connection db, ArchiveDialect dialect) throws SQLException {
    if (dialect != ArchiveDialect.MARIADB) {
      return null;
    }
    String version = db.getMetaData().getDatabaseProductVersion();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version == null ? "" : version);
    if (!m.find()) {
      return null;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    boolean mariadb = version.toLowerCase(java.util.Locale.ROOT).contains("mariadb");
    boolean ok = mariadb ? major > 10 || (major == 10 && minor >= 6) : major >= 8;
    return ok
        ? null
        : "The replay command needs MariaDB 10.6+ or MySQL 8.0+ (FOR UPDATE SKIP LOCKED); the"
            + " archive server is "
            + (mariadb ? "MariaDB " : "MySQL ")
            + version;
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

  /** One page of rows after {@code afterId}; with {@code claim}, locked until the commit. */
  private static List<Row> page(
      Connection db, ReplaySelection selection, long afterId, boolean claim) throws SQLException {
    List<Row> rows = new ArrayList<>(PAGE);
    try (PreparedStatement ps = db.prepareStatement(selection.pageSql(claim))) {
      selection.bind(ps, afterId, PAGE);
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

  /** Why a row is not replayed, checked on the row as stored when this run holds it. */
  private static String refusal(Row row, ReplayOptions o) {
    if (row.replayCount() >= o.maxReplays()) {
      return "already replayed "
          + row.replayCount()
          + " times (--max-replays "
          + o.maxReplays()
          + "); --max-replays "
          + (row.replayCount() + 1)
          + " replays it again";
    }
    if (target(row, o) == null) {
      return "no origin topic in its error headers; use --to-topic";
    }
    return null;
  }

  private static int dryRun(
      Connection db, ReplaySelection selection, ReplayOptions o, PrintStream out)
      throws SQLException {
    long selected = 0;
    long would = 0;
    long afterId = Long.MIN_VALUE;
    for (List<Row> rows = page(db, selection, afterId, false);
        !rows.isEmpty();
        rows = page(db, selection, afterId, false)) {
      for (Row row : rows) {
        selected++;
        String refusal = refusal(row, o);
        if (refusal == null) {
          would++;
          out.printf(
              "would replay %s -> %s (event %s, %s, replayed %d times)%n",
              row.position(),
              target(row, o),
              row.eventId(),
              row.exceptionClass(),
              row.replayCount());
        } else {
          out.printf("would skip %s: %s%n", row.position(), refusal);
        }
      }
      afterId = rows.get(rows.size() - 1).id();
    }
    out.printf(
        "Dry run: %d selected, %d would be replayed, %d skipped%n",
        selected, would, selected - would);
    return 0;
  }

  /**
   * Replays page by page, each page one database transaction: claim the rows (locked, skipping rows
   * another run holds), send them, wait for Kafka's acknowledgements, count the acknowledged
   * replays, commit. A crash before the commit leaves the counts as they were, so the rows are
   * replayed again by the next run (at least once; consumers dedupe by event id).
   */
  private static int replay(
      Connection db,
      ArchiveDialect dialect,
      ReplaySelection selection,
      ReplayOptions o,
      PrintStream out,
      PrintStream err)
      throws SQLException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putAll(o.producerProperties());
    long selected = 0;
    long replayed = 0;
    long skipped = 0;
    long failed = 0;
    long nextProgress = PROGRESS_EVERY;
    db.setAutoCommit(false);
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        PreparedStatement count = db.prepareStatement(selection.countReplaySql())) {
      long afterId = Long.MIN_VALUE;
      while (true) {
        List<Row> rows = page(db, selection, afterId, true);
        if (rows.isEmpty()) {
          db.commit();
          break;
        }
        afterId = rows.get(rows.size() - 1).id();
        selected += rows.size();
        List<Row> sending = new ArrayList<>(rows.size());
        List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
        for (Row row : rows) {
          String refusal = refusal(row, o);
          if (refusal != null) {
            skipped++;
            err.printf("skipped %s: %s%n", row.position(), refusal);
            continue;
          }
          try {
            sent.add(producer.send(record(row, target(row, o))));
            sending.add(row);
          } catch (RuntimeException e) {
            failed++;
            err.printf("failed %s: %s%n", row.position(), e);
          }
        }
        Instant now = Instant.now();
        for (int i = 0; i < sending.size(); i++) {
          try {
            sent.get(i).get();
            dialect.setTimestamp(count, 1, now);
            count.setLong(2, sending.get(i).id());
            count.addBatch();
            replayed++;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            db.rollback();
            throw new SQLException("Interrupted while waiting for Kafka", e);
          } catch (ExecutionException e) {
            failed++;
            err.printf("failed %s: %s%n", sending.get(i).position(), e.getCause());
          }
        }
        count.executeBatch();
        db.commit();
        if (replayed + failed >= nextProgress) {
          out.printf("... %d replayed so far%n", replayed);
          nextProgress += PROGRESS_EVERY;
        }
      }
    }
    out.printf(
        "Replay: %d selected, %d replayed, %d skipped, %d failed%n",
        selected, replayed, skipped, failed);
    return failed == 0 ? 0 : 1;
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
