package dev.eventkit.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.quickstart.QuickstartOptions.Database;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.connect.OrdersConsumer;
import dev.eventkit.testkit.connect.PackagedPlugin;
import dev.eventkit.testkit.db.DatabaseServer;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** The whole pipeline on embedded defaults (PostgreSQL, or MariaDB), in one process. */
public final class Quickstart {

  /** What the run did, and whether every count adds up. */
  public record Summary(
      long written,
      long committed,
      long rolledBack,
      long poison,
      long published,
      long deadLettered,
      long archived,
      String sampleEvent,
      String sampleArchiveRow) {
    public boolean consistent() {
      return published == committed && deadLettered == poison && archived == poison;
    }
  }

  private Quickstart() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("log4j2.configurationFile", "log4j2-quickstart.xml");
    QuickstartOptions options;
    try {
      options = QuickstartOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(QuickstartOptions.USAGE);
      return;
    }
    Summary summary = run(options, System.out);
    System.exit(summary.consistent() ? 0 : 1);
  }

  /** Runs the quickstart; returns its summary once everything has shut down. */
  public static Summary run(QuickstartOptions options, PrintStream out) throws Exception {
    Path home = Path.of(System.getProperty("eventkit.quickstart.home", "."));
    Path pluginPath = PackagedPlugin.unpack(home, System.getProperty("eventkit.version"));
    Database database = options.database();
    out.println(
        "Starting embedded " + database.label() + ", a Kafka broker and a Connect worker ...");
    DatabaseServer server =
        database == Database.MARIADB ? MariaDbServer.start() : PostgresServer.start();
    ConnectCluster cluster;
    try {
      cluster =
          ConnectCluster.builder()
              .name("eventkit-quickstart")
              .pluginPath(pluginPath)
              .restPort(options.port())
              .envConfigProvider()
              .start();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    // Ctrl-C at any point shuts the worker, the broker and the database down cleanly.
    Shutdown shutdown = new Shutdown(cluster, server);
    Thread hook = new Thread(shutdown::run, "eventkit-quickstart-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      TestDatabase db = server.createDatabase();
      createOutbox(db, database);
      deploy(cluster, db, options, home.resolve("config-examples"));
      String rest = cluster.fixedPortUrl().map(Object::toString).orElse(cluster.restUrl(""));
      out.println("Connect REST API: " + rest);
      out.println("Database: " + db.jdbcUrl() + " (user " + db.user() + ")");
      try (OrderService orders = new OrderService(db, database)) {
        runOrderService(orders, cluster, db, options, out);
        Summary summary = settle(orders, cluster, db, out);
        print(summary, out);
        if (options.keepRunning()) {
          keepRunning(rest, out);
        }
        return summary;
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(hook);
      shutdown.run();
    }
  }

  /** Closes the stack once, whether the run ends or the JVM is asked to stop. */
  private static final class Shutdown {
    private final ConnectCluster cluster;
    private final DatabaseServer server;
    private final java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();

    Shutdown(ConnectCluster cluster, DatabaseServer server) {
      this.cluster = cluster;
      this.server = server;
    }

    void run() {
      if (done.compareAndSet(false, true)) {
        try {
          cluster.close();
        } finally {
          server.close();
        }
      }
    }
  }

  private static void createOutbox(TestDatabase db, Database database) {
    if (database == Database.MARIADB) {
      // The README's MariaDB / MySQL outbox table.
      db.execute(
          "CREATE TABLE outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
              + " id CHAR(36) NOT NULL UNIQUE, aggregatetype VARCHAR(255) NOT NULL,"
              + " aggregateid VARCHAR(255) NOT NULL, type VARCHAR(255) NOT NULL, payload JSON,"
              + " timestamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
              + " correlation_id VARCHAR(255)) ENGINE=InnoDB");
      return;
    }
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text NOT NULL,"
            + " aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX outbox_position ON outbox (txid, seq)",
        "CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN PERFORM pg_notify('outbox_events', ''); RETURN NULL; END $$",
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()");
  }

  /** Deploys the three connectors over REST, from config-examples where one exists. */
  private static void deploy(
      ConnectCluster cluster, TestDatabase db, QuickstartOptions options, Path examples)
      throws IOException {
    Database database = options.database();
    Map<String, String> connection = new HashMap<>();
    connection.put("connection.url", db.jdbcUrl());
    connection.put("connection.user", db.user());
    connection.put("connection.password", db.password());

    Path cloudEvents = examples.resolve("outbox-postgres-cloudevents.json");
    Map<String, String> outbox = new HashMap<>(connection);
    if (database == Database.MARIADB) {
      // The MariaDB example, with the same transforms, payload format and converter as the
      // PostgreSQL one, so everything downstream is the same.
      outbox.putAll(enrichment(cloudEvents));
      cluster.createConnector(
          "orders-outbox", examples.resolve("outbox-mariadb-poll.json"), outbox);
    } else if (options.logMode()) {
      // The log-mode example with the same transforms: the records downstream are the same.
      outbox.putAll(enrichment(cloudEvents));
      cluster.createConnector(
          "orders-outbox", examples.resolve("outbox-postgres-log.json"), outbox);
    } else {
      outbox.put("poll.notify.channel", "outbox_events");
      cluster.createConnector("orders-outbox", cloudEvents, outbox);
    }

    // The archive subscribes by regex: a topic created later is only noticed at the next metadata
    // refresh (metadata.max.age.ms, 5 minutes by default), so the DLQ topic exists up front.
    cluster.topics().create("order.dlq", 1);
    Path consumed = Files.createTempFile("orders-consumer", ".txt");
    String consumer = OrdersConsumer.config(consumed, Map.of());
    cluster.createConnector(consumer, Map.of());

    Map<String, String> archive = new HashMap<>(connection);
    archive.put("topics.regex", "order\\.dlq");
    cluster.createConnector(
        "dead-letter-archive", examples.resolve("dlq-archive-postgres.json"), archive);
    cluster.awaitRunning("orders-outbox", 1);
    cluster.awaitRunning("orders-consumer", 1);
    cluster.awaitRunning("dead-letter-archive", 1);
  }

  /** The transforms, payload format and value converter of an outbox example. */
  private static Map<String, String> enrichment(Path example) throws IOException {
    JsonNode config =
        ConnectCluster.withOverrides(Files.readString(example), Map.of()).get("config");
    Map<String, String> settings = new HashMap<>();
    config
        .properties()
        .forEach(
            entry -> {
              String key = entry.getKey();
              if (key.startsWith("transforms")
                  || key.startsWith("value.converter")
                  || key.equals("payload.format")) {
                settings.put(key, entry.getValue().asText());
              }
            });
    return settings;
  }

  private static void runOrderService(
      OrderService orders,
      ConnectCluster cluster,
      TestDatabase db,
      QuickstartOptions options,
      PrintStream out)
      throws InterruptedException {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    try {
      scheduler.scheduleAtFixedRate(
          orders::writeOne, 0, 1_000_000 / options.rate(), TimeUnit.MICROSECONDS);
      long[] last = new long[4];
      scheduler.scheduleAtFixedRate(
          () -> {
            long[] now = {
              orders.written.get(), published(cluster), deadLettered(cluster), archived(db)
            };
            out.printf(
                "written %6d (+%d/s)  published %6d (+%d/s)  dead-lettered %4d (+%d/s)  archived %4d (+%d/s)%n",
                now[0],
                now[0] - last[0],
                now[1],
                now[1] - last[1],
                now[2],
                now[2] - last[2],
                now[3],
                now[3] - last[3]);
            System.arraycopy(now, 0, last, 0, now.length);
          },
          1,
          1,
          TimeUnit.SECONDS);
      scheduler.schedule(scheduler::shutdown, options.duration().toMillis(), TimeUnit.MILLISECONDS);
      scheduler.awaitTermination(options.duration().toSeconds() + 60, TimeUnit.SECONDS);
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** Waits until every committed event is published and every poison event archived. */
  private static Summary settle(
      OrderService orders, ConnectCluster cluster, TestDatabase db, PrintStream out) {
    out.println("Order service stopped; waiting for the pipeline to drain ...");
    Summary counts;
    try {
      counts =
          Awaitility.await("the pipeline to drain")
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> counts(orders, cluster, db), Summary::consistent);
    } catch (ConditionTimeoutException e) {
      counts = counts(orders, cluster, db);
    }
    return withSamples(counts, cluster, db);
  }

  private static Summary counts(OrderService orders, ConnectCluster cluster, TestDatabase db) {
    return new Summary(
        orders.written.get(),
        orders.committed.get(),
        orders.rolledBack.get(),
        orders.poison.get(),
        published(cluster),
        deadLettered(cluster),
        archived(db),
        "",
        "");
  }

  private static Summary withSamples(Summary counts, ConnectCluster cluster, TestDatabase db) {
    String sampleEvent = "";
    String sampleRow = "";
    if (counts.published() > 0) {
      ConsumerRecord<byte[], byte[]> record =
          cluster.topics().consume("order.events", 1, Duration.ofSeconds(10)).get(0);
      StringBuilder event =
          new StringBuilder("key ")
              .append(new String(record.key(), StandardCharsets.UTF_8))
              .append(", value ")
              .append(new String(record.value(), StandardCharsets.UTF_8));
      record
          .headers()
          .forEach(
              h ->
                  event
                      .append("\n    ")
                      .append(h.key())
                      .append(": ")
                      .append(new String(h.value(), StandardCharsets.UTF_8)));
      sampleEvent = event.toString();
    }
    if (counts.archived() > 0) {
      sampleRow =
          db.query(
                  "SELECT dlq_topic, dlq_offset, origin_topic, origin_offset, error_dialect, stage, failing_class,"
                      + " exception_class, event_id, event_type FROM dead_letter_archive ORDER BY id LIMIT 1")
              .get(0)
              .toString();
    }
    return new Summary(
        counts.written(),
        counts.committed(),
        counts.rolledBack(),
        counts.poison(),
        counts.published(),
        counts.deadLettered(),
        counts.archived(),
        sampleEvent,
        sampleRow);
  }

  private static void print(Summary s, PrintStream out) {
    out.println();
    out.println("Summary");
    out.printf(
        "  transactions written %d: committed %d, rolled back %d (never published)%n",
        s.written(), s.committed(), s.rolledBack());
    out.printf(
        "  committed events = published events: %d = %d  %s%n",
        s.committed(), s.published(), s.published() == s.committed() ? "OK" : "MISMATCH");
    out.printf(
        "  poison events = dead-lettered = archived rows: %d = %d = %d  %s%n",
        s.poison(),
        s.deadLettered(),
        s.archived(),
        s.deadLettered() == s.poison() && s.archived() == s.poison() ? "OK" : "MISMATCH");
    out.println("  sample event: " + s.sampleEvent());
    out.println("  sample archive row: " + s.sampleArchiveRow());
    out.println(s.consistent() ? "Everything adds up." : "Counts do not add up: see above.");
  }

  private static void keepRunning(String rest, PrintStream out) throws InterruptedException {
    out.println();
    out.println("Still running; explore with:");
    out.println("  curl " + rest + "connectors?expand=status");
    out.println("  curl " + rest + "connectors/orders-outbox/offsets");
    out.println("  curl '" + rest + "connector-plugins?connectorsOnly=false'");
    out.println("Press Ctrl-C to stop.");
    new CountDownLatch(1).await();
  }

  private static long published(ConnectCluster cluster) {
    return endOffsets(cluster, "order.events");
  }

  private static long deadLettered(ConnectCluster cluster) {
    return endOffsets(cluster, "order.dlq");
  }

  private static long endOffsets(ConnectCluster cluster, String topic) {
    try (Admin admin = cluster.kafka().createAdminClient()) {
      var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      description
          .partitions()
          .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      long total = 0;
      for (ListOffsetsResult.ListOffsetsResultInfo info :
          admin.listOffsets(request).all().get().values()) {
        total += info.offset();
      }
      return total;
    } catch (Exception e) {
      return 0; // the topic does not exist yet
    }
  }

  private static long archived(TestDatabase db) {
    try {
      return db.queryForLong("SELECT count(*) FROM dead_letter_archive");
    } catch (IllegalStateException e) {
      return 0; // the archive table is created with the first dead letter
    }
  }
}
