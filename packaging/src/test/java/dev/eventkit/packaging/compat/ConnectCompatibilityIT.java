package dev.eventkit.packaging.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.packaging.ComponentArchive;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.connect.KafkaBroker;
import dev.eventkit.testkit.connect.process.ConnectWorkerProcess;
import dev.eventkit.testkit.connect.process.WorkerDistribution;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.AppInfoParser;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packaged zip on real distributed workers of every Kafka Connect version the README claims,
 * each in a JVM of its own with that version's runtime alone on the class path ({@code
 * ConnectDistributed} with a worker properties file, plugins from an isolated {@code plugin.path}
 * found through {@code META-INF/services} only), all against one real broker and one embedded
 * PostgreSQL. On each: the plugin's sources compile against the worker's API; validate errors land
 * on the option at fault; outbox (poll) → EventMetadata → EventVersion → topic, exactly once; a
 * sink dead-letters a poison event, which the DLQ sink archives; stop, offsets read over REST,
 * resume without loss or duplicates. Then the README's compatibility table and the manifest are
 * checked against what ran, so neither can claim more.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectCompatibilityIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"));
  private static final Path README = Path.of(System.getProperty("eventkit.readme", "../README.md"));
  private static final Duration RECORDS_TIMEOUT = Duration.ofSeconds(90);

  private static final List<String> PLUGIN_CLASSES =
      List.of(
          "dev.eventkit.connect.outbox.OutboxSourceConnector",
          "dev.eventkit.connect.dlq.DlqSinkConnector",
          "dev.eventkit.connect.enrich.EventMetadata$Value",
          "dev.eventkit.connect.enrich.EventMetadata$Key",
          "dev.eventkit.connect.enrich.EventVersion$Value",
          "dev.eventkit.connect.enrich.EventVersion$Key");

  /** What each worker version proved: version → manifest features it ran. */
  private static final SortedMap<String, Set<String>> PASSED = new TreeMap<>();

  private static Path workRoot;
  private static Path pluginPath;
  private static Path component;
  private static KafkaBroker broker;
  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  static List<WorkerDistribution> workers() {
    return WorkerDistribution.configured("eventkit.compat.workers");
  }

  @BeforeAll
  static void installAndStart() throws IOException {
    workRoot = Path.of(System.getProperty("eventkit.compat.dir", "target/compat"));
    Files.createDirectories(workRoot);
    pluginPath = Files.createTempDirectory(workRoot, "plugins");
    component = ComponentArchive.install(pluginPath);
    broker = KafkaBroker.start();
    postgres = PostgresServer.start();
    mariadb = MariaDbServer.start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("workers")
  void theCorePathRunsOnTheWorker(WorkerDistribution worker) throws Exception {
    Set<String> proven = new TreeSet<>();
    thePluginCompilesAgainstTheWorkerApi(worker);

    String prefix = worker.topicPrefix();
    TestDatabase db = postgres.createDatabase();
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text NOT NULL,"
            + " aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX outbox_position ON outbox (txid, seq)",
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES ('order', 'o-1', 'OrderPlaced', '{\"total\": 1}', 'c-1')",
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES ('order', 'o-2', 'OrderCancelled', '{\"reason\": \"poison\"}', 'c-2')");
    Map<String, String> connection = new HashMap<>();
    connection.put("connection.url", db.jdbcUrl());
    connection.put("connection.user", db.user());
    connection.put("connection.password", db.password());
    String eventsTopic = prefix + ".order.events";
    String dlqTopic = prefix + ".order.dlq";

    Path workDir = workRoot.resolve(worker.topicPrefix());
    try (ConnectWorkerProcess connect =
        ConnectWorkerProcess.start(
            worker,
            broker.bootstrapServers(),
            pluginPath,
            workDir,
            Map.of("exactly.once.source.support", "enabled"))) {
      try {
        // The worker is the version it claims, and found every plugin through its manifests.
        assertThat(connect.get("").expectSuccess("GET /").json().get("version").asText())
            .isEqualTo(worker.version());
        Map<String, String> plugins = new HashMap<>();
        for (JsonNode p :
            connect.get("connector-plugins?connectorsOnly=false").expectSuccess("plugins").json()) {
          plugins.put(p.get("class").asText(), p.path("version").asText());
        }
        String version = plugins.get(PLUGIN_CLASSES.get(0));
        assertThat(version).isNotBlank().isNotEqualTo("unknown");
        PLUGIN_CLASSES.forEach(c -> assertThat(plugins).containsEntry(c, version));
        proven.add("kafka_connect_api");

        // Validate: errors land on the option at fault.
        Path outboxExample = EXAMPLES.resolve("outbox-postgres-cloudevents.json");
        Map<String, String> outbox = new HashMap<>(connection);
        outbox.put("name", "orders-outbox");
        outbox.put("topic.template", prefix + ".${aggregate_type}.events");
        outbox.put("errors.invalid.topic", prefix + ".outbox.invalid");
        outbox.put("poll.interval.ms", "200");
        outbox.put("exactly.once.support", "required");
        outbox.put("transaction.boundary", "connector");
        Map<String, String> missingTable = new HashMap<>(outbox);
        missingTable.put("table.name", "no_such_outbox");
        assertThat(errorsByOption(validate(connect, outboxExample, missingTable)))
            .containsOnlyKeys("table.name");
        Path archiveExample = EXAMPLES.resolve("dlq-archive-postgres.json");
        Map<String, String> archive = new HashMap<>(connection);
        archive.put("topics.regex", prefix + "\\.order\\.dlq");
        Map<String, String> reEncoding = new HashMap<>(archive);
        reEncoding.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        assertThat(errorsByOption(validate(connect, archiveExample, reEncoding)))
            .containsOnlyKeys("value.converter");
        assertThat(errorsByOption(validate(connect, outboxExample, outbox))).isEmpty();
        assertThat(errorsByOption(validate(connect, archiveExample, archive))).isEmpty();
        // Log mode: the embedded Debezium links on this worker, or validate says it cannot.
        Map<String, String> logMode = new HashMap<>(outbox);
        logMode.put("capture.mode", "log");
        Map<String, List<String>> logErrors =
            errorsByOption(validate(connect, outboxExample, logMode));
        if (worker.version().startsWith("4.4")) {
          assertThat(logErrors).containsOnlyKeys("capture.mode");
          assertThat(logErrors.get("capture.mode").get(0))
              .contains("org.apache.kafka.common.utils.Sanitizer");
        } else {
          assertThat(logErrors).isEmpty();
        }

        // Outbox (poll) → EventMetadata → EventVersion → topic, in Kafka transactions.
        create(connect, outboxExample, outbox);
        connect.awaitState("orders-outbox", "RUNNING", 1);
        List<ConsumerRecord<byte[], byte[]>> events =
            broker.topics().consume(eventsTopic, 2, RECORDS_TIMEOUT, IsolationLevel.READ_COMMITTED);
        ConsumerRecord<byte[], byte[]> placed = events.get(0);
        assertThat(text(placed.key())).isEqualTo("o-1");
        assertThat(header(placed, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(placed, "ce_type")).isEqualTo("OrderPlaced");
        assertThat(header(placed, "ce_source")).isEqualTo("/orders-service");
        assertThat(header(placed, "ce_dataschema"))
            .isEqualTo("https://schemas.example.com/OrderPlaced/v3.json");
        assertThat(header(placed, "correlation.id")).isEqualTo("c-1");
        assertThat(JSON.readTree(placed.value()).get("total").asInt()).isEqualTo(1);
        assertThat(text(events.get(1).key())).isEqualTo("o-2");
        proven.add("single_message_transforms");
        proven.add("exactly_once");

        // A sink dead-letters what its EventVersion cannot version; the DLQ sink archives it.
        broker.topics().create(dlqTopic, 1);
        Map<String, String> consumer = new HashMap<>();
        consumer.put("name", "orders-consumer");
        consumer.put("topics", eventsTopic);
        consumer.put("archive.type", "file");
        consumer.put("file.directory", workDir.resolve("consumed").toAbsolutePath().toString());
        // Events EventVersion can version are then dropped (Filter): this sink only has to
        // dead-letter; the archive keeps raw bytes and refuses headers a transform re-encoded.
        consumer.put("transforms", "version,drop");
        consumer.put("transforms.version.type", "dev.eventkit.connect.enrich.EventVersion$Value");
        consumer.put("transforms.version.versions", "OrderPlaced:3");
        consumer.put("transforms.drop.type", "org.apache.kafka.connect.transforms.Filter");
        consumer.put("errors.tolerance", "all");
        consumer.put("errors.deadletterqueue.topic.name", dlqTopic);
        consumer.put("errors.deadletterqueue.topic.replication.factor", "1");
        consumer.put("errors.deadletterqueue.context.headers.enable", "true");
        consumer.put("topics.regex", null);
        create(connect, EXAMPLES.resolve("dlq-archive-files.json"), consumer);
        create(connect, archiveExample, archive);
        connect.awaitState("orders-consumer", "RUNNING", 1);
        connect.awaitState("dead-letter-archive", "RUNNING", 1);
        Map<String, Object> archived =
            Awaitility.await("the poison event in the archive on Connect " + worker.version())
                .atMost(RECORDS_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(
                    () ->
                        db.query(
                            "SELECT origin_topic, error_dialect, exception_class, event_type,"
                                + " connector_name FROM dead_letter_archive"),
                    rows -> !rows.isEmpty())
                .get(0);
        assertThat(archived)
            .containsEntry("origin_topic", eventsTopic)
            .containsEntry("error_dialect", "connect")
            .containsEntry("event_type", "OrderCancelled")
            .containsEntry("connector_name", "orders-consumer");
        assertThat((String) archived.get("exception_class")).endsWith("DataException");
        for (String connector :
            List.of("orders-outbox", "orders-consumer", "dead-letter-archive")) {
          assertThat(connect.status(connector).path("tasks").get(0).path("state").asText())
              .as("task of %s on Connect %s", connector, worker.version())
              .isEqualTo("RUNNING");
        }
        proven.add("at_least_once");

        // Offsets over REST; stop, offsets unchanged while rows arrive, resume without loss.
        Map<String, Object> last =
            db.query("SELECT txid::text AS txid, seq FROM outbox ORDER BY seq DESC LIMIT 1").get(0);
        awaitOffset(connect, last);
        connect.put("connectors/orders-outbox/stop", "").expectSuccess("stop");
        connect.awaitState("orders-outbox", "STOPPED", 0);
        db.execute(
            "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
                + " VALUES ('order', 'o-3', 'OrderPlaced', '{\"total\": 3}')");
        assertThat(offset(connect)).isEqualTo(expectedOffset(last));
        connect.put("connectors/orders-outbox/resume", "").expectSuccess("resume");
        connect.awaitState("orders-outbox", "RUNNING", 1);
        broker.topics().consume(eventsTopic, 3, RECORDS_TIMEOUT, IsolationLevel.READ_COMMITTED);
        awaitOffset(
            connect,
            db.query("SELECT txid::text AS txid, seq FROM outbox ORDER BY seq DESC LIMIT 1")
                .get(0));
        List<String> keys =
            broker.topics().consumeAll(eventsTopic, IsolationLevel.READ_COMMITTED).stream()
                .map(r -> text(r.key()))
                .toList();
        assertThat(keys).containsExactlyInAnyOrder("o-1", "o-2", "o-3");

        theMariaDbPollModeRuns(connect, prefix);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            e.getMessage() + "\n--- worker log (" + connect.log() + ") ---\n" + connect.tail(), e);
      }
    }
    synchronized (PASSED) {
      PASSED.put(worker.version(), proven);
    }
  }

  /** MariaDB poll mode from its example config: validated, run, its offset read over REST. */
  private static void theMariaDbPollModeRuns(ConnectWorkerProcess connect, String prefix)
      throws IOException {
    TestDatabase db = mariadb.createDatabase();
    db.execute(
        "CREATE TABLE outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " id CHAR(36) NOT NULL UNIQUE, aggregatetype VARCHAR(255) NOT NULL,"
            + " aggregateid VARCHAR(255) NOT NULL, type VARCHAR(255) NOT NULL, payload JSON,"
            + " timestamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
            + " correlation_id VARCHAR(255)) ENGINE=InnoDB",
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES (UUID(), 'invoice', 'i-1', 'InvoiceIssued', '{\"total\": 7}', 'c-9')");
    Map<String, String> overrides = new HashMap<>();
    overrides.put("name", "invoices-outbox");
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", db.user());
    overrides.put("connection.password", db.password());
    overrides.put("topic.template", prefix + ".${aggregate_type}.events");
    overrides.put("errors.invalid.topic", prefix + ".invoice.invalid");
    overrides.put("poll.interval.ms", "200");
    Path example = EXAMPLES.resolve("outbox-mariadb-poll.json");
    assertThat(errorsByOption(validate(connect, example, overrides))).isEmpty();
    create(connect, example, overrides);
    connect.awaitState("invoices-outbox", "RUNNING", 1);
    ConsumerRecord<byte[], byte[]> invoice =
        broker.topics().consume(prefix + ".invoice.events", 1, RECORDS_TIMEOUT).get(0);
    assertThat(text(invoice.key())).isEqualTo("i-1");
    assertThat(header(invoice, "event.type")).isEqualTo("InvoiceIssued");
    assertThat(header(invoice, "correlation.id")).isEqualTo("c-9");
    Awaitility.await("the MariaDB connector's committed offset")
        .atMost(RECORDS_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              JsonNode offsets =
                  connect.get("connectors/invoices-outbox/offsets").expectSuccess("offsets").json();
              assertThat(offsets.get("offsets")).hasSize(1);
              assertThat(offsets.get("offsets").get(0).get("partition").toString())
                  .isEqualTo("{\"bucket\":0,\"buckets\":1,\"table\":\"outbox\"}");
              assertThat(offsets.get("offsets").get(0).get("offset").toString())
                  .isEqualTo("{\"id\":1}");
            });
  }

  /**
   * The plugin's own sources compile against the API this worker gives plugins (its Kafka and SLF4J
   * classes; everything else comes from lib/): no method newer than the worker is called, so no
   * NoSuchMethodError waits on a path the suite does not run.
   */
  private static void thePluginCompilesAgainstTheWorkerApi(WorkerDistribution worker)
      throws IOException {
    List<Path> classpath = new ArrayList<>();
    try (Stream<Path> libs = Files.list(component.resolve("lib"))) {
      libs.filter(p -> !ownJar(p.getFileName().toString())).sorted().forEach(classpath::add);
    }
    // Debezium ships relocated inside the outbox source connector's jar; the sources name its
    // original packages, so they compile against Debezium's own jars.
    for (String jar :
        System.getProperty("eventkit.debezium.classpath", "").split(java.io.File.pathSeparator)) {
      if (!jar.isBlank()) {
        classpath.add(Path.of(jar.trim()));
      }
    }
    worker.entries().stream()
        .filter(
            p -> {
              String name = p.getFileName().toString();
              return name.startsWith("connect-")
                  || name.startsWith("kafka-clients-")
                  || name.startsWith("slf4j-api-");
            })
        .forEach(classpath::add);
    List<Path> sources = new ArrayList<>();
    for (String dir : System.getProperty("eventkit.plugin.sources", "").split(",")) {
      try (Stream<Path> files = Files.walk(Path.of(dir.trim()))) {
        files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
      }
    }
    assertThat(sources).as("plugin sources").hasSizeGreaterThan(50);
    Path out = Files.createTempDirectory(workRoot, "classes-" + worker.topicPrefix());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "--release",
              "17",
              "-proc:none",
              "-nowarn",
              "-d",
              out.toString(),
              "-classpath",
              String.join(
                  java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
      boolean ok =
          javac
              .getTask(
                  null,
                  files,
                  diagnostics,
                  options,
                  null,
                  files.getJavaFileObjectsFromPaths(sources))
              .call();
      assertThat(ok)
          .as(
              "the plugin compiles against the API of Kafka Connect %s: %s",
              worker.version(), diagnostics.getDiagnostics())
          .isTrue();
    }
  }

  private static boolean ownJar(String name) {
    return name.startsWith("outbox-source-connector-")
        || name.startsWith("dlq-sink-connector-")
        || name.startsWith("event-enrichment-smt-")
        || name.startsWith("eventkit-jdbc-");
  }

  @Order(2)
  @Test
  void theReadmeCompatibilityTableListsExactlyWhatRan() throws IOException {
    List<String> configured = workers().stream().map(WorkerDistribution::version).toList();
    assertThat(PASSED.keySet())
        .as("every configured worker version passed the core path")
        .containsExactlyInAnyOrderElementsOf(configured);

    assertThat(PASSED.keySet())
        .as(
            "the Kafka version the plugin is built against (kafka.version) is among the tested workers")
        .contains(AppInfoParser.getVersion());

    Map<String, String> table = CompatibilityTable.read(README);
    assertThat(table.get(CompatibilityTable.CONNECT_ROW))
        .as("README compatibility table, row '%s'", CompatibilityTable.CONNECT_ROW)
        .isEqualTo(String.join(", ", PASSED.keySet()));
    assertThat(table.get(CompatibilityTable.BROKER_ROW))
        .as("README compatibility table, row '%s'", CompatibilityTable.BROKER_ROW)
        .isEqualTo(AppInfoParser.getVersion());
    assertThat(table.get(CompatibilityTable.JAVA_ROW))
        .as("README compatibility table, row '%s'", CompatibilityTable.JAVA_ROW)
        .isEqualTo(Integer.toString(Runtime.version().feature()));
    TestDatabase db = postgres.createDatabase();
    String postgresVersion =
        db.query("SHOW server_version").get(0).values().iterator().next().toString();
    assertThat(postgresVersion).startsWith(table.get(CompatibilityTable.POSTGRES_ROW));
    String mariadbVersion =
        mariadb
            .createDatabase()
            .query("SELECT VERSION()")
            .get(0)
            .values()
            .iterator()
            .next()
            .toString();
    assertThat(mariadbVersion)
        .as("README compatibility table, row '%s'", CompatibilityTable.MARIADB_ROW)
        .startsWith(CompatibilityTable.exactVersion(table.get(CompatibilityTable.MARIADB_ROW)));
  }

  @Order(3)
  @Test
  void theManifestClaimsOnlyWhatTheSuiteProved() throws IOException {
    JsonNode manifest = JSON.readTree(component.resolve("manifest.json").toFile());
    Set<String> proven = new HashSet<>();
    PASSED.values().forEach(proven::addAll);
    JsonNode features = manifest.get("features");
    features
        .properties()
        .forEach(
            f -> {
              if (f.getValue().isBoolean() && f.getValue().asBoolean()) {
                assertThat(proven)
                    .as("manifest feature %s is true", f.getKey())
                    .contains(f.getKey());
              }
            });
    for (JsonNode guarantee : features.get("delivery_guarantee")) {
      assertThat(proven).as("manifest delivery_guarantee").contains(guarantee.asText());
    }
    String requirements = manifest.get("requirements").toString();
    PASSED.keySet().forEach(v -> assertThat(requirements).contains(v));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static JsonNode validate(
      ConnectWorkerProcess connect, Path example, Map<String, String> overrides)
      throws IOException {
    ObjectNode body = ConnectCluster.withOverrides(Files.readString(example), overrides);
    ObjectNode config = (ObjectNode) body.get("config");
    config.put("name", body.get("name").asText());
    return connect
        .put(
            "connector-plugins/" + config.get("connector.class").asText() + "/config/validate",
            config.toString())
        .expectSuccess("validate " + example.getFileName())
        .json();
  }

  private static Map<String, List<String>> errorsByOption(JsonNode validation) {
    Map<String, List<String>> errors = new TreeMap<>();
    for (JsonNode config : validation.get("configs")) {
      JsonNode value = config.get("value");
      for (JsonNode error : value.get("errors")) {
        errors
            .computeIfAbsent(value.get("name").asText(), k -> new ArrayList<>())
            .add(error.asText());
      }
    }
    return errors;
  }

  private static void create(
      ConnectWorkerProcess connect, Path example, Map<String, String> overrides)
      throws IOException {
    ObjectNode body = ConnectCluster.withOverrides(Files.readString(example), overrides);
    String name = overrides.getOrDefault("name", body.get("name").asText());
    body.put("name", name);
    ((ObjectNode) body.get("config")).remove("name");
    connect.post("connectors", body.toString()).expectSuccess("POST /connectors " + name);
  }

  private static Map<String, Object> expectedOffset(Map<String, Object> row) {
    return Map.of(
        "txid",
        Long.parseLong((String) row.get("txid")),
        "seq",
        ((Number) row.get("seq")).longValue());
  }

  /** The outbox connector's one offset, as GET /connectors/x/offsets shows it. */
  private static Map<String, Object> offset(ConnectWorkerProcess connect) {
    JsonNode offsets =
        connect.get("connectors/orders-outbox/offsets").expectSuccess("offsets").json();
    assertThat(offsets.get("offsets")).hasSize(1);
    JsonNode entry = offsets.get("offsets").get(0);
    assertThat(entry.get("partition").get("table").asText()).isEqualTo("outbox");
    assertThat(entry.get("partition").get("buckets").asInt()).isEqualTo(1);
    assertThat(entry.get("partition").get("bucket").asInt()).isZero();
    Map<String, Object> offset = new TreeMap<>();
    entry.get("offset").properties().forEach(f -> offset.put(f.getKey(), f.getValue().asLong()));
    return offset;
  }

  private static void awaitOffset(ConnectWorkerProcess connect, Map<String, Object> row) {
    Map<String, Object> expected = new TreeMap<>(expectedOffset(row));
    Awaitility.await("the committed offset at the last row")
        .atMost(RECORDS_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(offset(connect)).isEqualTo(expected));
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    var header = record.headers().lastHeader(key);
    return header == null ? null : text(header.value());
  }
}
