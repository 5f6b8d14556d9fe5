package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.header;
import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.overrides;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rows no application should write, and the one Connect setting that would lose them: every row is
 * published, routed to the invalid topic naming its fault, or stops the task while it stays in the
 * outbox. None is dropped.
 */
class OutboxHostileRowsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  private TestDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = STACK.postgres().createDatabase();
  }

  @Test
  void errorsToleranceAllIsRefusedBecauseConnectWouldSkipAndCommitPastAnEvent() throws Exception {
    OutboxTestSupport.createOutbox(db);
    Map<String, String> tolerant = overrides(db, "errors.tolerance", "all");

    List<String> errors =
        ConnectCluster.validationErrors(STACK.cluster().validateConnector(EXAMPLE, tolerant));

    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("errors.tolerance: errors.tolerance=all would make Connect skip an event")
        .contains("errors.tolerance=none");
    ConnectCluster.RestResponse created =
        STACK
            .cluster()
            .post(
                "connectors",
                ConnectCluster.withOverrides(Files.readString(EXAMPLE), tolerant).toString());
    assertThat(created.status()).as(created.body()).isEqualTo(400);
    assertThat(created.body()).contains("errors.tolerance=all would make Connect skip an event");
  }

  /**
   * A table whose every column but the key and the position may be NULL, and rows with NULLs and
   * blanks in each (poll.max.rows=2, so they span polls): every row is published or on the invalid
   * topic with its fault and column.
   */
  @Test
  void nullsAndBlanksInEveryColumnArePublishedOrRoutedNeverDropped() throws Exception {
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text,"
            + " aggregateid text, type text, payload jsonb, timestamp timestamptz,"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial,"
            + " correlation_id text)",
        "CREATE INDEX outbox_position ON outbox (txid, seq)");
    List<String> rows = new ArrayList<>();
    rows.add(insert(null, null, null, null, null, null));
    rows.add(insert("order", "o-1", null, "{}", "now()", "c-1"));
    rows.add(insert(null, "o-1", "OrderPlaced", "{}", "now()", "c-1"));
    rows.add(insert("order", "o-1", "OrderPlaced", "{}", null, "c-1"));
    rows.add(insert("order", "o-1", "OrderPlaced", null, "now()", "c-1"));
    rows.add(insert("", " ", "", "\"\"", "now()", ""));
    rows.add(insert("order", "o-2", "OrderPlaced", "{}", "now()", null));
    rows.add(insert("order", "o-3", "OrderPlaced", "{\"ok\": true}", "now()", "c-3"));

    String events = db.name() + ".order";
    String invalid = db.name() + ".invalid";
    STACK
        .cluster()
        .createConnector(
            "nulls",
            EXAMPLE,
            overrides(
                db,
                "poll.max.rows",
                "2",
                "topic.template",
                db.name() + ".${aggregate_type}",
                "errors.invalid.topic",
                invalid));

    Set<String> accounted = new LinkedHashSet<>();
    Map<String, String> reasons = new HashMap<>();
    Awaitility.await("every row published or routed")
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              accounted.clear();
              for (String topic : List.of(events, invalid)) {
                if (!STACK.cluster().topics().exists(topic)) {
                  continue;
                }
                for (ConsumerRecord<byte[], byte[]> r :
                    STACK.cluster().topics().consumeAll(topic, IsolationLevel.READ_UNCOMMITTED)) {
                  accounted.add(header(r, "event.id"));
                  if (topic.equals(invalid)) {
                    reasons.put(
                        header(r, "event.id"),
                        header(r, "eventkit.error.reason")
                            + " in "
                            + header(r, "eventkit.error.column"));
                  }
                }
              }
              return accounted.containsAll(rows);
            });
    assertThat(accounted).containsExactlyInAnyOrderElementsOf(rows);
    // The first NULL in the order the record needs them names the fault; a NULL event type (the
    // template does not use it) and a NULL time (Kafka stamps the record) still make an event.
    assertThat(reasons)
        .containsOnly(
            Map.entry(rows.get(0), "null-aggregate-id in aggregateid"),
            Map.entry(rows.get(2), "null-aggregate-type in aggregatetype"),
            Map.entry(rows.get(4), "null-payload in payload"),
            Map.entry(rows.get(5), "blank-aggregate-id in aggregateid"));
    STACK.cluster().awaitRunning("nulls", 1);
  }

  /**
   * A 10 MB payload over Connect's default 1 MB producer request: the task stops, naming the
   * producer limit, and the row stays in the outbox; with the limit raised for this connector it is
   * published, in its order, and so is what came after it.
   */
  @Test
  void aPayloadOverTheProducerLimitStopsTheTaskUntilTheLimitIsRaisedAndIsNeverSkipped()
      throws Exception {
    OutboxTestSupport.createOutbox(db);
    STACK
        .cluster()
        .kafka()
        .createTopic(db.name() + ".order", 1, 1, Map.of("max.message.bytes", "16777216"));
    String blob = "x".repeat(10 * 1024 * 1024);
    String before = insert("order", "o-1", "OrderPlaced", "{}", "now()", null);
    String huge =
        insert("order", "o-1", "OrderAmended", "{\"blob\": \"" + blob + "\"}", "now()", null);
    String after = insert("order", "o-1", "OrderShipped", "{}", "now()", null);

    // With cleanup on: a row is deleted only once its event is published, never skipped past.
    Map<String, String> config =
        overrides(
            db,
            "topic.template",
            db.name() + ".${aggregate_type}",
            "cleanup.policy",
            "delete",
            "cleanup.batch.size",
            "1");
    STACK.cluster().createConnector("huge", EXAMPLE, config);

    JsonNode failed = STACK.cluster().awaitTaskFailed("huge");
    assertThat(failed.get("tasks").get(0).get("trace").asText())
        .containsAnyOf("RecordTooLargeException", "max.request.size");
    assertThat(db.queryForLong("SELECT count(*) FROM outbox WHERE type <> 'OrderPlaced'"))
        .as("the huge row and the one after it are still in the outbox")
        .isEqualTo(2);

    config.put("producer.override.max.request.size", "16777216");
    STACK
        .cluster()
        .put(
            "connectors/huge/config",
            ConnectCluster.withOverrides(Files.readString(EXAMPLE), config)
                .get("config")
                .toString())
        .expectSuccess("raise the producer limit");
    STACK.cluster().post("connectors/huge/restart?includeTasks=true&onlyFailed=true", "");

    List<ConsumerRecord<byte[], byte[]>> records =
        Awaitility.await("the huge event and the one after it")
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    STACK
                        .cluster()
                        .topics()
                        .consumeAll(db.name() + ".order", IsolationLevel.READ_UNCOMMITTED),
                rs -> rs.stream().anyMatch(r -> after.equals(header(r, "event.id"))));
    List<String> firstSeen =
        new ArrayList<>(
            new LinkedHashSet<>(records.stream().map(r -> header(r, "event.id")).toList()));
    assertThat(firstSeen).containsExactly(before, huge, after);
    assertThat(
            records.stream()
                .filter(r -> huge.equals(header(r, "event.id")))
                .findFirst()
                .orElseThrow()
                .value())
        .hasSizeGreaterThan(blob.length());
    STACK.cluster().awaitRunning("huge", 1);
    Awaitility.await("the published rows cleaned up")
        .atMost(TIMEOUT)
        .until(() -> db.queryForLong("SELECT count(*) FROM outbox") == 0);
  }

  private String insert(
      String aggregateType,
      String aggregateId,
      String type,
      String payload,
      String timestamp,
      String correlationId)
      throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, timestamp,"
                    + " correlation_id) VALUES (?, ?, ?, CAST(? AS jsonb), "
                    + (timestamp == null ? "NULL" : timestamp)
                    + ", ?) RETURNING CAST(id AS text)")) {
      ps.setString(1, aggregateType);
      ps.setString(2, aggregateId);
      ps.setString(3, type);
      ps.setString(4, payload);
      ps.setString(5, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
