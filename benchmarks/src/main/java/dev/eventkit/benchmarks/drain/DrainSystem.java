package dev.eventkit.benchmarks.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.benchmarks.drain.DrainBenchmark.DrainOptions;
import dev.eventkit.connect.outbox.record.OutboxRecordFactory;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** One way of moving a backlog of outbox rows to a topic, measured the same way for all. */
public enum DrainSystem {
  EVENTKIT_POLL_1("Eventkit poll, 1 task") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {
      createConnector(cluster, name, eventkit(db, topic, 1));
    }
  },
  EVENTKIT_POLL_4("Eventkit poll, 4 tasks") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {
      db.execute(
          "CREATE INDEX ON outbox (((hashtextextended(coalesce(CAST(aggregateid AS text), ''), 0)"
              + " & 9223372036854775807) % 256), txid, seq)");
      createConnector(cluster, name, eventkit(db, topic, 4));
    }
  },
  EVENTKIT_POLL_NOTIFY("Eventkit poll + NOTIFY, 1 task") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {
      // README's trigger: a commit wakes the task instead of waiting for poll.interval.ms.
      db.execute(
          "CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN PERFORM pg_notify('outbox_events', ''); RETURN NULL; END $$",
          "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
              + " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()");
      ObjectNode body = eventkit(db, topic, 1);
      ((ObjectNode) body.get("config")).put("poll.notify.channel", "outbox_events");
      createConnector(cluster, name, body);
    }
  },
  EVENTKIT_LOG("Eventkit log, 1 task") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {
      ObjectNode body = eventkit(db, topic, 1);
      ObjectNode config = (ObjectNode) body.get("config");
      config.put("capture.mode", "log");
      config.put("log.snapshot.mode", "no_data");
      config.put("log.slot.name", name.replace('-', '_'));
      config.put("poll.max.rows", "2048");
      createConnector(cluster, name, body);
    }

    @Override
    boolean readsASlot() {
      return true;
    }
  },
  DEBEZIUM("Debezium + EventRouter") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {
      Map<String, String> config = new java.util.LinkedHashMap<>();
      config.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
      config.put("tasks.max", "1");
      config.put("database.hostname", db.server().host());
      config.put("database.port", Integer.toString(db.server().port()));
      config.put("database.user", db.user());
      config.put("database.password", db.password());
      config.put("database.dbname", db.name());
      config.put("topic.prefix", name);
      config.put("plugin.name", "pgoutput");
      config.put("slot.name", name.replace('-', '_'));
      config.put("publication.name", name.replace('-', '_') + "_pub");
      config.put("publication.autocreate.mode", "filtered");
      config.put("table.include.list", "public.outbox");
      config.put("snapshot.mode", "no_data");
      config.put("tombstones.on.delete", "false");
      config.put("transforms", "outbox");
      config.put("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
      config.put("transforms.outbox.route.topic.replacement", topic);
      createConnector(cluster, name, withCommon(config));
    }

    @Override
    boolean readsASlot() {
      return true;
    }
  },
  CEILING("Framework ceiling (in-memory source)") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {}

    /** Emits the records as soon as it runs: no backlog to write, no stop and resume. */
    @Override
    DrainRun drain(
        ConnectCluster cluster, TestDatabase db, String topic, int rows, DrainOptions options) {
      String name = "ceiling-" + UUID.randomUUID().toString().substring(0, 8);
      Map<String, String> config = new java.util.LinkedHashMap<>();
      config.put("connector.class", "dev.eventkit.benchmarks.ceiling.InMemorySourceConnector");
      config.put("tasks.max", "1");
      config.put("topic", topic);
      config.put("records", Integer.toString(rows));
      config.put("payload.bytes", Integer.toString(options.payloadBytes()));
      config.put("aggregates", Integer.toString(DrainOptions.AGGREGATES));
      createConnector(cluster, name, withCommon(config));
      try {
        return measure(cluster, null, topic, rows, options);
      } finally {
        cluster.delete("connectors/" + name).expectSuccess("delete " + name);
      }
    }
  },
  PRODUCER("Plain producer") {
    @Override
    void start(ConnectCluster cluster, TestDatabase db, String name, String topic) {}

    @Override
    DrainRun drain(
        ConnectCluster cluster, TestDatabase db, String topic, int rows, DrainOptions options) {
      cluster.kafka().createTopic(topic, 3, 1, Map.of("message.timestamp.type", "LogAppendTime"));
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      // As a Connect worker configures its source tasks' producers (without exactly-once).
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      props.putAll(producerOverrides);
      String filler = "x".repeat(options.payloadBytes());
      String eventTime = java.time.Instant.now().toString();
      CompletableFuture<Void> sent =
          CompletableFuture.runAsync(
              () -> {
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                  for (int i = 0; i < rows; i++) {
                    String aggregate = "agg-" + (i % DrainOptions.AGGREGATES);
                    ProducerRecord<String, String> record =
                        new ProducerRecord<>(
                            topic, aggregate, "{\"n\": " + i + ", \"data\": \"" + filler + "\"}");
                    // The headers an Eventkit outbox record carries.
                    header(
                        record, OutboxRecordFactory.HEADER_EVENT_ID, UUID.randomUUID().toString());
                    header(record, OutboxRecordFactory.HEADER_EVENT_TYPE, "Changed");
                    header(record, OutboxRecordFactory.HEADER_AGGREGATE_TYPE, "order");
                    header(record, OutboxRecordFactory.HEADER_AGGREGATE_ID, aggregate);
                    header(record, OutboxRecordFactory.HEADER_EVENT_TIME, eventTime);
                    producer.send(record);
                  }
                  producer.flush();
                }
              });
      DrainRun run = measure(cluster, topic, rows);
      sent.join();
      return run;
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
      record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }
  };

  /** What the drain scenario runs by default: the notify variant drains as plain polling does. */
  static final List<DrainSystem> DRAINS =
      List.of(EVENTKIT_POLL_1, EVENTKIT_POLL_4, EVENTKIT_LOG, DEBEZIUM, CEILING, PRODUCER);

  /**
   * What the latency scenario runs by default: the systems that read a database as it is written.
   */
  static final List<DrainSystem> LATENCIES =
      List.of(EVENTKIT_POLL_1, EVENTKIT_POLL_NOTIFY, EVENTKIT_LOG, DEBEZIUM);

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Producer settings every system gets alike for a run: {@code producer.override.*} of each
   * connector and the plain producer's own. Set once per run by {@link DrainBenchmark}.
   */
  static volatile Map<String, String> producerOverrides = Map.of();

  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(20);

  private final String label;

  DrainSystem(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  static List<DrainSystem> parse(String names) {
    return Arrays.stream(names.split(","))
        .map(n -> valueOf(n.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_')))
        .toList();
  }

  /** Creates and starts the connector for an empty outbox, so that it is ready when stopped. */
  abstract void start(ConnectCluster cluster, TestDatabase db, String name, String topic);

  /** Whether the system reads a replication slot named after its connector. */
  boolean readsASlot() {
    return false;
  }

  /** Drops what the system left in the database (its slot: it would keep WAL for nobody). */
  void cleanUp(TestDatabase db, String name) {
    if (readsASlot()) {
      dropSlot(db, name);
    }
  }

  /**
   * Waits until the system can capture what is written from now on: its tasks run and, for a slot
   * reader, the slot streams (it is created by the task, and the backlog must come after it).
   */
  void awaitReady(ConnectCluster cluster, TestDatabase db, String name) {
    cluster.awaitRunning(name, this == EVENTKIT_POLL_4 ? 4 : 1);
    if (readsASlot()) {
      awaitSlot(db, name, true);
    }
  }

  /** Waits until the system's replication slot is (or is no longer) streaming. */
  static void awaitSlot(TestDatabase db, String name, boolean active) {
    String slot = "'" + name.replace('-', '_') + "'";
    org.awaitility.Awaitility.await("slot " + slot + (active ? " streaming" : " released"))
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                db.queryForLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = "
                            + slot)
                    == (active ? 1 : 0));
  }

  /** The deleted connector's task lets go of its slot a moment later; then the slot goes. */
  static void dropSlot(TestDatabase db, String name) {
    awaitSlot(db, name, false);
    db.execute(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            + " WHERE slot_name = '"
            + name.replace('-', '_')
            + "'");
  }

  /**
   * Creates the outbox, starts the system on it and stops it, writes the backlog, resumes it and
   * returns the rate at which the topic received the backlog.
   */
  DrainRun drain(
      ConnectCluster cluster, TestDatabase db, String topic, int rows, DrainOptions options) {
    createOutbox(db);
    String name = "drain-" + UUID.randomUUID().toString().substring(0, 8);
    start(cluster, db, name, topic);
    awaitReady(cluster, db, name);
    cluster.put("connectors/" + name + "/stop", "").expectSuccess("stop " + name);
    awaitState(cluster, name, "STOPPED");
    writeBacklog(db, rows, options.payloadBytes());
    // Statistics, as autovacuum keeps them for an outbox table that lives longer than a benchmark
    // (a fresh table without them gets other plans); then the backlog's dirty pages written out
    // now, not by a checkpoint during the drain.
    db.execute("ANALYZE outbox", "CHECKPOINT");
    cluster.put("connectors/" + name + "/resume", "").expectSuccess("resume " + name);
    try {
      DrainRun run;
      try {
        run = measure(cluster, db, topic, rows, options);
      } finally {
        cluster.delete("connectors/" + name).expectSuccess("delete " + name);
      }
      return readsASlot() ? run : run.withOutboxReadsPerRow(outboxRowsRead(db) / rows);
    } finally {
      cleanUp(db, name);
      dropOutbox(db);
    }
  }

  /**
   * Rows the outbox's sequential scans read plus index entries its index scans read, from
   * PostgreSQL's statistics, once the deleted connector's sessions have ended (a session's counts
   * reach the statistics when it ends, if not before).
   */
  private static double outboxRowsRead(TestDatabase db) {
    try {
      org.awaitility.Awaitility.await("the outbox tasks' sessions ended")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  db.queryForLong(
                          "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                              + " current_database() AND application_name LIKE 'eventkit-outbox%'")
                      == 0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      System.err.println("Outbox rows read not counted, a task's session is still open: " + e);
      return Double.NaN;
    }
    return db.queryForLong(
        "SELECT coalesce(seq_tup_read, 0) + (SELECT coalesce(sum(idx_tup_read), 0)"
            + " FROM pg_stat_user_indexes i WHERE i.relid = t.relid)"
            + " FROM pg_stat_user_tables t WHERE relname = 'outbox'");
  }

  /**
   * Drops the drained outbox with its files, so that no autovacuum of an earlier backlog runs in a
   * later system's drain; a session the deleted connector has not closed yet is waited for.
   */
  private static void dropOutbox(TestDatabase db) {
    try {
      db.execute("SET lock_timeout = '60s'", "DROP TABLE outbox");
    } catch (RuntimeException e) {
      System.err.println("Could not drop the drained outbox of " + db + ": " + e);
    }
  }

  /** DESIGN.md's PostgreSQL outbox, with the (txid, seq) index. */
  static void createOutbox(TestDatabase db) {
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
            + " aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL,"
            + " payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial)",
        "CREATE INDEX outbox_position ON outbox (txid, seq)");
  }

  /** Rows in committed transactions of ten, over a thousand aggregates, one server-side loop. */
  static void writeBacklog(TestDatabase db, int rows, int payloadBytes) {
    db.execute(
        "DO $$ BEGIN FOR t IN 0.."
            + (rows / DrainOptions.ROWS_PER_TRANSACTION - 1)
            + " LOOP INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
            + " SELECT 'order', 'agg-' || ((t * 10 + g) % "
            + DrainOptions.AGGREGATES
            + "), 'Changed', jsonb_build_object('n', t * 10 + g, 'data', repeat('x', "
            + payloadBytes
            + ")) FROM generate_series(0, "
            + (DrainOptions.ROWS_PER_TRANSACTION - 1)
            + ") g; COMMIT; END LOOP; END $$");
  }

  private static ObjectNode eventkit(TestDatabase db, String topic, int tasks) {
    Map<String, String> config = new java.util.LinkedHashMap<>();
    config.put("connector.class", "dev.eventkit.connect.outbox.OutboxSourceConnector");
    config.put("tasks.max", Integer.toString(tasks));
    config.put("connection.url", db.jdbcUrl());
    config.put("connection.user", db.user());
    config.put("connection.password", db.password());
    config.put("table.name", "outbox");
    config.put("topic.template", topic);
    config.put("payload.format", "string");
    config.put("poll.interval.ms", "200");
    return withCommon(config);
  }

  /** What every connector gets alike: converters and the topic it creates. */
  private static ObjectNode withCommon(Map<String, String> config) {
    producerOverrides.forEach((key, value) -> config.put("producer.override." + key, value));
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("topic.creation.default.partitions", "3");
    config.put("topic.creation.default.replication.factor", "-1");
    config.put("topic.creation.default.message.timestamp.type", "LogAppendTime");
    ObjectNode body = JSON.createObjectNode();
    ObjectNode node = body.putObject("config");
    config.forEach(node::put);
    return body;
  }

  private static void createConnector(ConnectCluster cluster, String name, ObjectNode body) {
    body.put("name", name);
    cluster.post("connectors", body.toString()).expectSuccess("create " + name);
  }

  private static void awaitState(ConnectCluster cluster, String name, String state) {
    org.awaitility.Awaitility.await(name + " " + state)
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> state.equals(cluster.status(name).path("connector").path("state").asText()));
  }

  /**
   * {@link #measure(ConnectCluster, String, int)}, with what the database's sessions ({@code db},
   * when the system reads one) and Connect's task threads did meanwhile, as the options ask.
   */
  static DrainRun measure(
      ConnectCluster cluster, TestDatabase db, String topic, int rows, DrainOptions options) {
    DatabaseWaits waits = options.databaseWaits() && db != null ? DatabaseWaits.start(db) : null;
    TaskThreads tasks = options.taskThreads() ? TaskThreads.start() : null;
    try {
      DrainRun run = measure(cluster, topic, rows);
      if (waits != null) {
        waits.close();
        run = run.withDatabaseSessions(waits.report());
      }
      if (tasks != null) {
        tasks.close();
        run = run.withTaskThreads(tasks.report(run.firstAppendMs(), run.lastAppendMs()));
      }
      return run;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      try {
        if (waits != null) {
          waits.close();
        }
        if (tasks != null) {
          tasks.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Reads the topic until it holds {@code rows} records; the rate is taken between the broker's
   * append times of the first and the last of them, the cost from the first record read to the
   * last.
   */
  static DrainRun measure(ConnectCluster cluster, String topic, int rows) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "drain-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    int seen = 0;
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    DrainMeter meter = null;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (seen < rows) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              topic + " received " + seen + " of " + rows + " records in " + DRAIN_LIMIT);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (meter == null) {
            meter = DrainMeter.start();
          }
          seen++;
          first = Math.min(first, record.timestamp());
          last = Math.max(last, record.timestamp());
        }
      }
      DrainMeter.Cost cost = meter.stop(rows);
      return new DrainRun((rows - 1) * 1000.0 / Math.max(1, last - first), cost, first, last);
    } finally {
      if (meter != null) {
        meter.close();
      }
    }
  }

  /**
   * One drain: records per second, the broker's append times of its first and last record, what it
   * cost, and (with {@code --database-waits} and {@code --task-threads}) what the database's
   * sessions and Connect's task threads did meanwhile, as Markdown; null without. For a system that
   * queries the outbox table, the rows and index entries it read there per row published (NaN for
   * the others, or when not counted): about 2 when each row is read once for the safe cuts and once
   * in its batch, plus what the task's backlog metric counts (up to 10,000 rows every 5 s).
   */
  record DrainRun(
      double rate,
      DrainMeter.Cost cost,
      long firstAppendMs,
      long lastAppendMs,
      String databaseSessions,
      String taskThreads,
      double outboxReadsPerRow) {

    DrainRun(double rate, DrainMeter.Cost cost, long firstAppendMs, long lastAppendMs) {
      this(rate, cost, firstAppendMs, lastAppendMs, null, null, Double.NaN);
    }

    DrainRun withDatabaseSessions(String report) {
      return new DrainRun(
          rate, cost, firstAppendMs, lastAppendMs, report, taskThreads, outboxReadsPerRow);
    }

    DrainRun withTaskThreads(String report) {
      return new DrainRun(
          rate, cost, firstAppendMs, lastAppendMs, databaseSessions, report, outboxReadsPerRow);
    }

    /** For a system that queries the outbox table: rows it read there per row it published. */
    DrainRun withOutboxReadsPerRow(double perRow) {
      return new DrainRun(
          rate, cost, firstAppendMs, lastAppendMs, databaseSessions, taskThreads, perRow);
    }
  }
}
