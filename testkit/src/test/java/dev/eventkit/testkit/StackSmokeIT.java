package dev.eventkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the test stack itself: Connect answers over REST, both databases work, Kafka carries
 * headers.
 */
class StackSmokeIT {

  private static ConnectCluster cluster;
  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.start();
    mariadb = MariaDbServer.start();
    cluster = ConnectCluster.builder().start();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void connectWorkerListsItsPluginsOverRest() {
    var response = cluster.get("connector-plugins?connectorsOnly=false").expectSuccess("plugins");

    assertThat(response.json().findValuesAsText("class"))
        .contains(
            "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
            "org.apache.kafka.connect.transforms.InsertField$Value");
  }

  @Test
  void postgresRoundTripWithLogicalWal() {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'pg')");

    assertThat(db.query("SELECT v FROM t WHERE id = 1")).containsExactly(Map.of("v", "pg"));
    assertThat(db.query("SHOW wal_level")).containsExactly(Map.of("wal_level", "logical"));
  }

  @Test
  void mariadbRoundTripWithRowBinlog() {
    TestDatabase db = mariadb.createDatabase();
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'maria')");

    assertThat(db.query("SELECT v FROM t WHERE id = 1")).containsExactly(Map.of("v", "maria"));
    assertThat(db.query("SELECT @@binlog_format AS f")).containsExactly(Map.of("f", "ROW"));
  }

  @Test
  void restrictedRoleSeesOnlyWhatWasGranted() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute("CREATE TABLE granted (id int)", "CREATE TABLE hidden (id int)");
    db.createRole("reader_" + db.name(), "secret", "SELECT ON granted");

    try (var connection = db.connect("reader_" + db.name(), "secret");
        var statement = connection.createStatement()) {
      statement.executeQuery("SELECT * FROM granted").close();
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> statement.executeQuery("SELECT * FROM hidden")))
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  void terminatingSessionsBreaksOpenConnections() throws Exception {
    TestDatabase db = postgres.createDatabase();
    try (var victim = db.connect()) {
      assertThat(db.terminateOtherSessions()).isEqualTo(1);
      assertThat(victim.isValid(2)).isFalse();
    }
  }

  @Test
  void recordWithHeadersRoundTripsThroughTheBroker() throws Exception {
    cluster.topics().create("smoke", 1);
    try (KafkaProducer<byte[], byte[]> producer = cluster.kafka().createProducer(Map.of())) {
      var record =
          new ProducerRecord<>(
              "smoke",
              "key-1".getBytes(StandardCharsets.UTF_8),
              "value-1".getBytes(StandardCharsets.UTF_8));
      record.headers().add("event.id", "e-1".getBytes(StandardCharsets.UTF_8));
      producer.send(record).get();
    }

    List<ConsumerRecord<byte[], byte[]>> records =
        cluster.topics().consume("smoke", 1, Duration.ofSeconds(30), IsolationLevel.READ_COMMITTED);

    assertThat(records).hasSize(1);
    ConsumerRecord<byte[], byte[]> consumed = records.get(0);
    assertThat(new String(consumed.key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
    assertThat(new String(consumed.value(), StandardCharsets.UTF_8)).isEqualTo("value-1");
    Header header = consumed.headers().lastHeader("event.id");
    assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo("e-1");
  }

  @Test
  void logBatchesShowWhoWroteEachBatchAndTheMarkersAfterThem() throws Exception {
    cluster.topics().create("batches", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.kafka().createProducer(Map.of("transactional.id", "smoke-batches"))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("batches", "kept".getBytes(StandardCharsets.UTF_8)));
      producer.commitTransaction();
      producer.beginTransaction();
      // Appended before the abort, so that the abort has a record to mark.
      producer
          .send(new ProducerRecord<>("batches", "dropped".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer.abortTransaction();
    }

    // The coordinator writes the markers after the commit or abort returns.
    var partition = new org.apache.kafka.common.TopicPartition("batches", 0);
    List<String> batches =
        org.awaitility.Awaitility.await("the abort marker written")
            .atMost(Duration.ofSeconds(30))
            .until(() -> cluster.logBatches(partition, 0, 10), found -> found.size() == 4);

    // One record and its COMMIT marker, one record and its ABORT marker, in that order, all of
    // one producer, transactional.
    assertThat(batches.get(0)).contains("batches-0 offsets 0-0: producer ", ", transactional");
    assertThat(batches.get(1)).contains("offsets 1-1", ", control COMMIT");
    assertThat(batches.get(2)).contains("offsets 2-2").doesNotContain("control");
    assertThat(batches.get(3)).contains("offsets 3-3", ", control ABORT");
    String producer = batches.get(0).replaceAll(".*: (producer \\d+) .*", "$1");
    assertThat(batches).allMatch(batch -> batch.contains(producer + " "));
    assertThat(batches).allMatch(batch -> batch.matches(".*, written \\d{4}-\\d\\d-\\d\\dT.*Z"));
  }
}
