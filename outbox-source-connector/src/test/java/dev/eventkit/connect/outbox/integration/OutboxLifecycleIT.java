package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.createOutbox;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.insert;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresBuckets;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresPosition;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operating the connector: stop/resume, re-creation, the offsets API, tasks.max changes, outages.
 */
class OutboxLifecycleIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  private TestDatabase db;

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  @BeforeEach
  void freshDatabase() {
    db = STACK.postgres().createDatabase();
    createOutbox(db);
  }

  private List<String> eventIds(String topic) {
    return STACK.cluster().topics().consumeAll(topic, IsolationLevel.READ_UNCOMMITTED).stream()
        .map(r -> header(r, "event.id"))
        .collect(Collectors.toList());
  }

  private List<String> awaitEventIds(String topic, int count) {
    return Awaitility.await(count + " records on " + topic)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> eventIds(topic), ids -> ids.size() >= count);
  }

  private Map<String, Object> rowPosition(String eventId) {
    Map<String, Object> row =
        db.query("SELECT CAST(txid AS text) AS txid, seq FROM outbox WHERE id = '" + eventId + "'")
            .get(0);
    return Map.of("txid", Long.parseLong((String) row.get("txid")), "seq", row.get("seq"));
  }

  /** The events that the committed offsets of a connector's {@code buckets}-task layout cover. */
  private Set<String> coveredByOffsets(String connector, int buckets) {
    JsonNode offsets =
        STACK
            .cluster()
            .get("connectors/" + connector + "/offsets")
            .expectSuccess("GET offsets")
            .json()
            .get("offsets");
    Set<String> covered = new HashSet<>();
    for (JsonNode entry : offsets) {
      JsonNode partition = entry.get("partition");
      if (partition.get("buckets").asInt() != buckets || entry.get("offset").isNull()) {
        continue;
      }
      @SuppressWarnings("unchecked")
      PostgresPosition position =
          PostgresPosition.fromOffset(JSON.convertValue(entry.get("offset"), Map.class));
      StringBuilder published =
          new StringBuilder(
              "(txid, seq) <= (CAST('" + position.txid() + "' AS xid8), " + position.seq() + ")");
      for (PostgresPosition.TxidRange done : position.done()) {
        published.append(
            " OR txid BETWEEN CAST('"
                + done.first()
                + "' AS xid8) AND CAST('"
                + done.last()
                + "' AS xid8)");
      }
      db.query(
              "SELECT CAST(id AS text) AS id FROM outbox WHERE "
                  + PostgresBuckets.virtualBucket("aggregateid")
                  + " % "
                  + buckets
                  + " = "
                  + partition.get("bucket").asInt()
                  + " AND ("
                  + published
                  + ")")
          .forEach(row -> covered.add((String) row.get("id")));
    }
    return covered;
  }

  @Test
  void stopResumeRecreateAndTheOffsetsApi() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(insert(db, "outbox", "ledger", "l-1", "Posted", "{\"n\": " + i + "}"));
    }
    STACK.cluster().createConnector("lifecycle", EXAMPLE, overrides(db));
    STACK.cluster().awaitRunning("lifecycle", 1);
    assertThat(awaitEventIds("ledger.events", 3)).containsExactlyElementsOf(ids);

    // Stopped: nothing is read; resumed: it continues where it stood.
    STACK.cluster().put("connectors/lifecycle/stop", "").expectSuccess("stop");
    STACK
        .cluster()
        .connect()
        .assertions()
        .assertConnectorIsStopped("lifecycle", "connector did not stop");
    ids.add(insert(db, "outbox", "ledger", "l-1", "Posted", "{\"n\": 3}"));
    ids.add(insert(db, "outbox", "ledger", "l-1", "Posted", "{\"n\": 4}"));
    JsonNode offsets =
        STACK.cluster().get("connectors/lifecycle/offsets").expectSuccess("GET offsets").json();
    JsonNode stored = offsets.get("offsets").get(0);
    assertThat(JSON.convertValue(stored.get("partition"), Map.class))
        .isEqualTo(Map.of("table", "outbox", "buckets", 1, "bucket", 0));
    assertThat(stored.get("offset").get("txid").asLong())
        .isEqualTo(rowPosition(ids.get(2)).get("txid"));
    STACK.cluster().put("connectors/lifecycle/resume", "").expectSuccess("resume");
    assertThat(awaitEventIds("ledger.events", 5)).containsExactlyElementsOf(ids);

    // Deleted and re-created under the same name: resumes at the committed offset.
    STACK.cluster().delete("connectors/lifecycle").expectSuccess("delete");
    STACK
        .cluster()
        .connect()
        .assertions()
        .assertConnectorDoesNotExist("lifecycle", "connector not deleted");
    ids.add(insert(db, "outbox", "ledger", "l-1", "Posted", "{\"n\": 5}"));
    STACK.cluster().createConnector("lifecycle", EXAMPLE, overrides(db));
    STACK.cluster().awaitRunning("lifecycle", 1);
    assertThat(awaitEventIds("ledger.events", 6)).containsExactlyElementsOf(ids);

    // PATCH: rewind to just after the second event; the rest is published again.
    STACK.cluster().put("connectors/lifecycle/stop", "").expectSuccess("stop");
    STACK
        .cluster()
        .connect()
        .assertions()
        .assertConnectorIsStopped("lifecycle", "connector did not stop");
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode entry = patch.putArray("offsets").addObject();
    entry.set("partition", stored.get("partition"));
    entry.set("offset", JSON.valueToTree(rowPosition(ids.get(1))));
    STACK
        .cluster()
        .patch("connectors/lifecycle/offsets", patch.toString())
        .expectSuccess("PATCH offsets");
    STACK.cluster().put("connectors/lifecycle/resume", "").expectSuccess("resume");
    List<String> afterPatch = awaitEventIds("ledger.events", 10);
    assertThat(afterPatch.subList(6, 10)).containsExactlyElementsOf(ids.subList(2, 6));

    // A malformed position is refused, naming the key.
    STACK.cluster().put("connectors/lifecycle/stop", "").expectSuccess("stop");
    STACK
        .cluster()
        .connect()
        .assertions()
        .assertConnectorIsStopped("lifecycle", "connector did not stop");
    entry.set("offset", JSON.valueToTree(Map.of("txid", "yesterday", "seq", 1)));
    ConnectCluster.RestResponse refused =
        STACK.cluster().patch("connectors/lifecycle/offsets", patch.toString());
    assertThat(refused.status()).isGreaterThanOrEqualTo(400);
    assertThat(refused.body()).contains("'txid' must be a non-negative integer");

    // DELETE: back to the start of the table.
    STACK.cluster().delete("connectors/lifecycle/offsets").expectSuccess("DELETE offsets");
    STACK.cluster().put("connectors/lifecycle/resume", "").expectSuccess("resume");
    List<String> afterReset = awaitEventIds("ledger.events", 16);
    assertThat(afterReset.subList(10, 16)).containsExactlyElementsOf(ids);
    STACK.cluster().delete("connectors/lifecycle").expectSuccess("delete");
  }

  @Test
  void
      threeTasksKeepEachAggregateInOrderAndGoingToOneTaskLosesNothingAndRepublishesNothingConfirmed()
          throws Exception {
    ConcurrentOutboxWriters writers = new ConcurrentOutboxWriters(db, 30);
    Map<String, String> config =
        overrides(db, "tasks.max", "3", "poll.interval.ms", "50", "poll.max.rows", "100");
    STACK.cluster().createConnector("buckets", EXAMPLE, config);
    STACK.cluster().awaitRunning("buckets", 3);

    CompletableFuture<Void> writing =
        CompletableFuture.runAsync(
            () -> {
              try {
                writers.run(4, 2_000, 10);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await("a third of the events published by three tasks")
        .atMost(TIMEOUT)
        .until(() -> eventIds("account.events").size() >= 700);
    ObjectNode body =
        ConnectCluster.withOverrides(Files.readString(EXAMPLE), Map.of("tasks.max", "1"));
    Map<String, String> oneTask = new HashMap<>(config);
    oneTask.put("tasks.max", "1");
    oneTask.put("connector.class", body.get("config").get("connector.class").asText());
    ObjectNode newConfig = (ObjectNode) body.get("config");
    oneTask.forEach(newConfig::put);
    STACK
        .cluster()
        .put("connectors/buckets/config", newConfig.toString())
        .expectSuccess("PUT config");
    writing.get(3, TimeUnit.MINUTES);
    STACK.cluster().awaitRunning("buckets", 1);

    List<ConsumerRecord<byte[], byte[]>> all =
        Awaitility.await("every committed event")
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    STACK
                        .cluster()
                        .topics()
                        .consumeAll("account.events", IsolationLevel.READ_UNCOMMITTED),
                records ->
                    records.stream()
                        .map(r -> header(r, "event.id"))
                        .collect(Collectors.toSet())
                        .containsAll(writers.committed));

    Set<String> published = new LinkedHashSet<>();
    Set<String> publishedTwice = new HashSet<>();
    Map<String, List<Long>> firstSeenVersions = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : all) {
      String id = header(record, "event.id");
      assertThat(writers.rolledBack).doesNotContain(id);
      if (!published.add(id)) {
        publishedTwice.add(id);
      } else {
        firstSeenVersions
            .computeIfAbsent(text(record.key()), k -> new ArrayList<>())
            .add(JSON.readTree(record.value()).get("version").asLong());
      }
    }
    assertThat(published).containsExactlyInAnyOrderElementsOf(writers.committed);
    firstSeenVersions.forEach(
        (aggregate, versions) ->
            assertThat(versions).as(aggregate).isSorted().doesNotHaveDuplicates());
    // The single task skipped every row the three tasks' offsets confirmed: only rows they had
    // published but not yet committed an offset for may appear twice.
    Set<String> confirmedByThreeTasks = coveredByOffsets("buckets", 3);
    assertThat(confirmedByThreeTasks).hasSizeGreaterThanOrEqualTo(700);
    assertThat(publishedTwice).doesNotContainAnyElementsOf(confirmedByThreeTasks);
    STACK.cluster().delete("connectors/buckets").expectSuccess("delete");
  }

  @Test
  void killedDatabaseSessionsAreRetriedWithoutLosingEvents() throws Exception {
    STACK
        .cluster()
        .createConnector(
            "outage",
            EXAMPLE,
            overrides(db, "retry.backoff.ms", "100", "retry.backoff.max.ms", "1000"));
    STACK.cluster().awaitRunning("outage", 1);
    Set<String> written = new LinkedHashSet<>();
    try (Connection writer = db.connect()) {
      for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 50; i++) {
          written.add(
              insert(
                  writer,
                  "outbox",
                  "treasury",
                  "t-" + (i % 7),
                  "Posted",
                  "{\"round\": " + round + "}",
                  null));
        }
        Awaitility.await("the connector's database session")
            .atMost(TIMEOUT)
            .until(
                () ->
                    db.queryForLong(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'eventkit-outbox%'")
                        > 0);
        assertThat(db.terminateSessions("eventkit-outbox")).isPositive();
      }
    }

    List<String> ids = awaitEventIds("treasury.events", written.size());
    assertThat(Set.copyOf(ids)).isEqualTo(written);
    STACK.cluster().awaitRunning("outage", 1);
    STACK.cluster().delete("connectors/outage").expectSuccess("delete");
  }
}
