package dev.eventkit.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import dev.eventkit.testkit.logs.CapturedLogs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No password reaches the worker's logs (with Eventkit, its Debezium and the MariaDB driver at
 * DEBUG), a validate answer, a task's status trace or any JMX attribute: across runs that fail on a
 * wrong password and runs that succeed with the right one, in each connector and capture mode, on
 * PostgreSQL and on MariaDB, from the packaged plugin as users install it. The roles and users hold
 * exactly the grants the README documents.
 */
class SecretsStayHiddenIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String FIRST = "First-Pass-7f3c91e0";
  private static final String ROTATED = "Rotated-Pass-52ad0e6b";
  private static final String NEVER = "Never-Pass-9e14aa03";
  private static final String IN_URL = "Url-Pass-c41b77d2";
  private static final String WRONG_IN_URL = "Wrong-Url-Pass-3b9d61f4";
  private static final List<String> SECRETS = List.of(FIRST, ROTATED, NEVER, IN_URL, WRONG_IN_URL);
  private static final String PG_REFUSAL = "password authentication failed";
  private static final String MARIADB_REFUSAL = "Access denied for user";
  private static final Path EXAMPLES =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"));

  private static Path pluginPath;
  private static PostgresServer postgres;
  private static MariaDbServer mariadb;
  private static ConnectCluster cluster;

  @BeforeAll
  static void start() throws IOException {
    pluginPath = Files.createTempDirectory("plugins");
    ComponentArchive.install(pluginPath);
    postgres = PostgresServer.start();
    mariadb = MariaDbServer.start();
    cluster = ConnectCluster.builder().name("eventkit-secrets").pluginPath(pluginPath).start();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  @Test
  void noPasswordReachesLogsValidateAnswersStatusTracesOrJmx() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text"
            + " NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp"
            + " timestamptz NOT NULL DEFAULT now(), txid xid8 NOT NULL DEFAULT"
            + " pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX ON outbox (txid, seq)",
        // The README's log-mode setup: the owner creates the publication.
        "CREATE PUBLICATION secrets_pub FOR TABLE outbox WITH (publish = 'insert, update')");
    String relay = "relay_" + db.name();
    db.createRole(relay, FIRST, "SELECT ON outbox");
    db.execute("ALTER ROLE " + relay + " REPLICATION");
    String archiver = "archiver_" + db.name();
    db.createRole(archiver, FIRST, "CREATE ON SCHEMA public");
    db.requirePassword(relay);
    db.requirePassword(archiver);
    cluster.topics().create("orders.dlq", 1);
    Map<String, Path> examples =
        Map.of(
            "poll", EXAMPLES.resolve("outbox-postgres-cloudevents.json"),
            "log", EXAMPLES.resolve("outbox-postgres-log.json"),
            "archive", EXAMPLES.resolve("dlq-archive-postgres.json"));
    Map<String, Map<String, String>> configs =
        Map.of("poll", outbox(db, relay), "log", log(db, relay), "archive", archive(db, archiver));

    List<String> answers = new ArrayList<>();
    // A role whose password only ever travels in the URL's query string.
    String urlRelay = "url_relay_" + db.name();
    db.createRole(urlRelay, IN_URL, "SELECT ON outbox");
    db.requirePassword(urlRelay);

    // Eventkit and its bundled Debezium (dev.eventkit.shaded.debezium) at DEBUG, the rest at INFO.
    try (CapturedLogs logs = CapturedLogs.start("dev.eventkit")) {
      answers.addAll(refuseWrongThenDeploy(configs, examples, PG_REFUSAL));
      cluster.awaitRunning("log", 1);
      awaitFlow(db, 1);

      // The passwords rotated in the database: every restarted task fails on its old one...
      db.execute(
          "ALTER ROLE " + relay + " PASSWORD '" + ROTATED + "'",
          "ALTER ROLE " + archiver + " PASSWORD '" + ROTATED + "'");
      for (String name : configs.keySet()) {
        cluster.post("connectors/" + name + "/restart?includeTasks=true", "");
      }
      deadLetter(); // the archive connects when a letter arrives
      for (String name : configs.keySet()) {
        answers.add(awaitFailed(name, PG_REFUSAL));
      }

      // ...until its config carries the new one.
      redeployWith(ROTATED, configs, examples);
      awaitFlow(db, 2);

      // A password in the URL's query string, wrong and then right, deployed and running.
      answers.addAll(
          deployWithPasswordInUrl(
              "url", examples.get("poll"), outbox(db, urlRelay), "url", PG_REFUSAL));
      for (String name : configs.keySet()) {
        answers.add(cluster.status(name).toString());
      }
      cluster.delete("connectors/log").expectSuccess("delete");
      Awaitility.await("the log task stopped")
          .atMost(TIMEOUT)
          .until(
              () ->
                  db.queryForLong(
                          "SELECT count(*) FROM pg_replication_slots WHERE slot_name ="
                              + " 'secrets_slot' AND active")
                      == 0);

      assertThat(logs.containing(relay)).as("the run was logged at all").isNotEmpty();
      assertThat(logs.events())
          .as("Eventkit's and Debezium's DEBUG output was captured")
          .anyMatch(e -> e.startsWith("DEBUG dev.eventkit.connect"))
          .anyMatch(e -> e.startsWith("DEBUG dev.eventkit.shaded.debezium"));
      assertNoSecretIn(logs, answers);
    }
  }

  /**
   * The same on MariaDB: outbox poll mode and the archive, as users with exactly the README's
   * grants, with the MariaDB driver at DEBUG too. A wrong password in connection.password and in
   * the URL's query string is refused, the right one runs; a password changed in the database fails
   * the restarted tasks until their config carries it.
   */
  @Test
  void noMariaDbPasswordReachesLogsValidateAnswersStatusTracesOrJmx() throws Exception {
    TestDatabase db = mariadb.createDatabase();
    db.execute(
        "CREATE TABLE outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, id CHAR(36) NOT NULL"
            + " UNIQUE, aggregatetype VARCHAR(255) NOT NULL, aggregateid VARCHAR(255) NOT NULL,"
            + " type VARCHAR(255) NOT NULL, payload JSON, timestamp TIMESTAMP(6) NOT NULL DEFAULT"
            + " CURRENT_TIMESTAMP(6), correlation_id VARCHAR(255)) ENGINE=InnoDB");
    String relay = "m_relay";
    db.createRole(relay, FIRST, "SELECT ON outbox");
    String archiver = "m_archiver";
    db.createRole(archiver, FIRST, "CREATE, SELECT, INSERT, UPDATE ON dead_letter_archive");
    cluster.topics().create("maria.dlq", 1);
    Map<String, Path> examples =
        Map.of(
            "maria-poll", EXAMPLES.resolve("outbox-mariadb-poll.json"),
            "maria-archive", EXAMPLES.resolve("dlq-archive-postgres.json"));
    Map<String, String> poll = outbox(db, relay);
    poll.put("topic.template", "maria.${aggregate_type}.events");
    poll.put("poll.interval.ms", "200");
    Map<String, String> archive = outbox(db, archiver);
    archive.put("topics.regex", "maria\\.dlq");
    Map<String, Map<String, String>> configs = Map.of("maria-poll", poll, "maria-archive", archive);
    List<String> answers = new ArrayList<>();
    String urlUser = "m_url_relay";
    db.createRole(urlUser, IN_URL, "SELECT ON outbox");

    try (CapturedLogs logs = CapturedLogs.start("dev.eventkit", "org.mariadb")) {
      answers.addAll(refuseWrongThenDeploy(configs, examples, MARIADB_REFUSAL));
      awaitMariaDbFlow(db, 1);

      // By its hash: the test's own driver logs its statements at DEBUG too.
      for (String user : List.of(relay, archiver)) {
        for (String host : List.of("%", "localhost")) {
          db.execute(
              "ALTER USER '"
                  + user
                  + "'@'"
                  + host
                  + "' IDENTIFIED BY PASSWORD '"
                  + nativePasswordHash(ROTATED)
                  + "'");
        }
      }
      for (String name : configs.keySet()) {
        cluster.post("connectors/" + name + "/restart?includeTasks=true", "");
      }
      deadLetter("maria.dlq");
      for (String name : configs.keySet()) {
        answers.add(awaitFailed(name, MARIADB_REFUSAL));
      }

      redeployWith(ROTATED, configs, examples);
      awaitMariaDbFlow(db, 2);

      Map<String, String> urlConfig = outbox(db, urlUser);
      urlConfig.put("poll.interval.ms", "200");
      answers.addAll(
          deployWithPasswordInUrl(
              "maria-url", examples.get("maria-poll"), urlConfig, "maria.url", MARIADB_REFUSAL));
      for (String name : configs.keySet()) {
        answers.add(cluster.status(name).toString());
      }

      assertThat(logs.containing(relay)).as("the run was logged at all").isNotEmpty();
      assertThat(logs.events())
          .as(
              "Eventkit's DEBUG output, and the plugin's MariaDB driver's in a connector's context,"
                  + " was captured (the test's own driver logs outside any)")
          .anyMatch(e -> e.startsWith("DEBUG dev.eventkit.connect"))
          .anyMatch(e -> e.startsWith("DEBUG org.mariadb") && e.contains("connector.context"));
      assertNoSecretIn(logs, answers);
    }
  }

  /** MariaDB's mysql_native_password hash: {@code *} and the hex of SHA-1 of SHA-1. */
  private static String nativePasswordHash(String password) throws Exception {
    java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
    byte[] twice =
        sha1.digest(sha1.digest(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return "*" + java.util.HexFormat.of().withUpperCase().formatHex(twice);
  }

  /** Waits until {@code n} outbox events reached the topic and {@code n} letters the archive. */
  private static void awaitMariaDbFlow(TestDatabase db, int n) {
    db.execute(
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)"
            + " VALUES (UUID(), 'order', 'o-"
            + n
            + "', 'OrderPlaced', '{}')");
    if (n == 1) {
      deadLetter("maria.dlq");
    }
    cluster.topics().consume("maria.order.events", n, TIMEOUT);
    Awaitility.await(n + " dead letters archived in MariaDB")
        .atMost(TIMEOUT)
        .until(
            () ->
                db.queryForLong(
                            "SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                                + " DATABASE() AND table_name = 'dead_letter_archive'")
                        == 1
                    && db.queryForLong("SELECT count(*) FROM dead_letter_archive") == n);
  }

  /** Waits until {@code n} events went each way and {@code n} dead letters are archived. */
  private static void awaitFlow(TestDatabase db, int n) {
    db.execute(
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload)"
            + " VALUES ('order', 'o-"
            + n
            + "', 'OrderPlaced', '{}')");
    if (n == 1) {
      deadLetter();
    }
    cluster.topics().consume("order.events", n, TIMEOUT);
    cluster.topics().consume("log.order.events", n, TIMEOUT);
    Awaitility.await(n + " dead letters archived")
        .atMost(TIMEOUT)
        .until(
            () ->
                db.queryForLong(
                            "SELECT count(*) FROM pg_tables WHERE tablename = 'dead_letter_archive'")
                        == 1
                    && db.queryForLong("SELECT count(*) FROM dead_letter_archive") == n);
  }

  private static Map<String, String> outbox(TestDatabase db, String role) {
    Map<String, String> config = new HashMap<>();
    config.put("connection.url", db.jdbcUrl());
    config.put("connection.user", role);
    config.put("connection.password", FIRST);
    return config;
  }

  private static Map<String, String> log(TestDatabase db, String role) {
    Map<String, String> config = outbox(db, role);
    config.put("log.slot.name", "secrets_slot");
    config.put("log.publication.name", "secrets_pub");
    config.put("topic.template", "log.${aggregate_type}.events");
    return config;
  }

  private static Map<String, String> archive(TestDatabase db, String role) {
    Map<String, String> config = outbox(db, role);
    config.put("topics.regex", "orders\\.dlq");
    return config;
  }

  private static Map<String, String> with(Map<String, String> config, String password) {
    Map<String, String> changed = new HashMap<>(config);
    changed.put("connection.password", password);
    return changed;
  }

  /** The password in the URL's query string instead of connection.password, and wrong. */
  private static Map<String, String> inUrl(Map<String, String> config) {
    Map<String, String> changed = new HashMap<>(config);
    changed.put("connection.password", null); // removes the example's own
    changed.put("connection.url", config.get("connection.url") + "?password=" + IN_URL);
    return changed;
  }

  /**
   * Each connector validated with a password never valid, in connection.password and in the URL's
   * query string (refused), then validated without errors and created with its own config, as a
   * role with exactly the README's grants. Returns the answers.
   */
  private static List<String> refuseWrongThenDeploy(
      Map<String, Map<String, String>> configs, Map<String, Path> examples, String refusal) {
    List<String> answers = new ArrayList<>();
    for (String name : configs.keySet()) {
      answers.add(refused(examples.get(name), with(configs.get(name), NEVER), refusal));
      answers.add(refused(examples.get(name), inUrl(configs.get(name)), refusal));
    }
    for (String name : configs.keySet()) {
      JsonNode answer = cluster.validateConnector(examples.get(name), configs.get(name));
      assertThat(ConnectCluster.validationErrors(answer))
          .as("validate %s with the README's grants", name)
          .isEmpty();
      answers.add(answer.toString());
      cluster.createConnector(name, examples.get(name), configs.get(name));
    }
    return answers;
  }

  /** Puts each connector's config again with {@code password}, and restarts what failed. */
  private static void redeployWith(
      String password, Map<String, Map<String, String>> configs, Map<String, Path> examples)
      throws IOException {
    for (String name : configs.keySet()) {
      cluster
          .put(
              "connectors/" + name + "/config",
              ConnectCluster.withOverrides(
                      Files.readString(examples.get(name)), with(configs.get(name), password))
                  .get("config")
                  .toString())
          .expectSuccess("new password for " + name);
      cluster.post("connectors/" + name + "/restart?includeTasks=true&onlyFailed=true", "");
    }
  }

  /**
   * An outbox connector whose password travels only in the URL's query string: validated with a
   * wrong one (refused), then created with the right one and awaited on {@code
   * <prefix>.order.events} (two events are in the outbox by then). Returns the answers.
   */
  private static List<String> deployWithPasswordInUrl(
      String name, Path example, Map<String, String> base, String prefix, String refusal) {
    Map<String, String> config = new HashMap<>(base);
    config.put("connection.password", null);
    config.put("topic.template", prefix + ".${aggregate_type}.events");
    String url = base.get("connection.url");
    config.put("connection.url", url + "?password=" + WRONG_IN_URL);
    List<String> answers = new ArrayList<>();
    answers.add(refused(example, config, refusal));
    config.put("connection.url", url + "?password=" + IN_URL);
    cluster.createConnector(name, example, config);
    cluster.topics().consume(prefix + ".order.events", 2, TIMEOUT);
    answers.add(cluster.status(name).toString());
    return answers;
  }

  /** Validates a config that must fail to connect; returns the answer. */
  private static String refused(Path example, Map<String, String> config, String refusal) {
    JsonNode answer = cluster.validateConnector(example, config);
    assertThat(ConnectCluster.validationErrors(answer))
        .as("validate with a wrong password")
        .anyMatch(e -> e.contains(refusal));
    return answer.toString();
  }

  /** Waits until the connector or a task of it FAILED on its password; returns the status. */
  private static String awaitFailed(String name, String refusal) {
    JsonNode status =
        Awaitility.await(name + " failing on its old password")
            .atMost(TIMEOUT)
            .until(() -> cluster.status(name), s -> s.toString().contains("\"FAILED\""));
    assertThat(status.toString()).contains(refusal);
    return status.toString();
  }

  private static void deadLetter() {
    deadLetter("orders.dlq");
  }

  private static void deadLetter(String topic) {
    try (KafkaProducer<byte[], byte[]> producer = cluster.kafka().createProducer(Map.of())) {
      producer.send(new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes()));
    }
  }

  /** What the logs, answers and JMX attributes hold of the secrets: nothing. */
  private static void assertNoSecretIn(CapturedLogs logs, List<String> answers) throws Exception {
    for (String secret : SECRETS) {
      assertThat(logs.containing(secret)).as("log events holding " + secret).isEmpty();
      assertThat(answers).as("REST answers holding " + secret).noneMatch(a -> a.contains(secret));
      assertThat(jmxAttributesHolding(secret)).as("JMX attributes holding " + secret).isEmpty();
    }
  }

  private static List<String> jmxAttributesHolding(String secret) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    List<String> holding = new ArrayList<>();
    for (ObjectName name : server.queryNames(null, null)) {
      if (name.toString().contains(secret)) {
        holding.add(name.toString());
      }
      MBeanAttributeInfo[] attributes;
      try {
        attributes = server.getMBeanInfo(name).getAttributes();
      } catch (Exception gone) {
        continue;
      }
      for (MBeanAttributeInfo attribute : attributes) {
        try {
          Object value = server.getAttribute(name, attribute.getName());
          if (String.valueOf(value).contains(secret)) {
            holding.add(name + " " + attribute.getName());
          }
        } catch (Exception | LinkageError unreadable) {
          // Some platform attributes are unsupported or computed on demand; none is a config.
        }
      }
    }
    return holding;
  }
}
