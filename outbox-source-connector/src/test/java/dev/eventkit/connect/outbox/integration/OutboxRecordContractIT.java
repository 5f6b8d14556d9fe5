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
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a user sees on the topics: routing, keys, values in every payload format, headers. */
class OutboxRecordContractIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private TestDatabase db;

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  @BeforeEach
  void freshDatabase() {
    db = STACK.postgres().createDatabase();
    createOutbox(db);
  }

  @Test
  void theExampleConfigValidatesWithoutErrors() {
    JsonNode validation = STACK.cluster().validateConnector(EXAMPLE, overrides(db));

    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(validation.get("error_count").asInt()).isZero();
  }

  @Test
  void validationNamesTheOptionAtFaultAndHowToFixIt() {
    db.execute(
        "CREATE TABLE legacy_outbox (id uuid, aggregatetype text, aggregateid text, type text, payload jsonb, timestamp timestamptz)");

    JsonNode validation =
        STACK
            .cluster()
            .validateConnector(
                EXAMPLE,
                overrides(db, "table.name", "legacy_outbox", "column.event.type", "event_type"));

    assertThat(ConnectCluster.validationErrors(validation))
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith("column.txid: Column txid is missing")
                    .contains(
                        "ALTER TABLE legacy_outbox ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();"))
        .anySatisfy(
            e -> assertThat(e).startsWith("column.position:").contains("ADD COLUMN seq bigserial"))
        .anySatisfy(
            e -> assertThat(e).startsWith("column.event.type: Column event_type is missing"))
        .anySatisfy(
            e -> assertThat(e).startsWith("header.columns: Column correlation_id is missing"));
    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(EXAMPLE, overrides(db, "table.name", "nope"))))
        .singleElement()
        .satisfies(e -> assertThat(e).startsWith("table.name: Table nope does not exist"));
  }

  @Test
  void routesEachAggregateTypeToItsTopicWithTheEventContract() throws Exception {
    Instant before = Instant.now();
    String orderEvent;
    String paymentEvent;
    try (Connection c = db.connect()) {
      orderEvent =
          insert(c, "outbox", "order", "o-1", "OrderPlaced", "{\"total\": 12.5}", "corr-1");
      paymentEvent =
          insert(c, "outbox", "payment", "p-9", "PaymentCaptured", "{\"amount\": 12.5}", null);
    }
    for (int i = 1; i <= 5; i++) {
      insert(db, "outbox", "order", "o-2", "OrderUpdated", "{\"version\": " + i + "}");
    }

    STACK.cluster().createConnector("contract", EXAMPLE, overrides(db));
    STACK.cluster().awaitRunning("contract", 1);

    List<ConsumerRecord<byte[], byte[]>> orders =
        STACK.cluster().topics().consume("order.events", 6, TIMEOUT);
    List<ConsumerRecord<byte[], byte[]>> payments =
        STACK.cluster().topics().consume("payment.events", 1, TIMEOUT);

    ConsumerRecord<byte[], byte[]> placed =
        orders.stream().filter(r -> text(r.key()).equals("o-1")).findFirst().orElseThrow();
    assertThat(text(placed.value())).isEqualTo("{\"total\": 12.5}");
    assertThat(header(placed, "event.id")).isEqualTo(orderEvent);
    assertThat(header(placed, "event.type")).isEqualTo("OrderPlaced");
    assertThat(header(placed, "event.aggregate.type")).isEqualTo("order");
    assertThat(header(placed, "event.aggregate.id")).isEqualTo("o-1");
    assertThat(header(placed, "correlation.id")).isEqualTo("corr-1");
    Instant eventTime = Instant.parse(header(placed, "event.time"));
    assertThat(placed.timestamp()).isEqualTo(eventTime.toEpochMilli());
    assertThat(eventTime).isBetween(before.minusSeconds(5), Instant.now());

    ConsumerRecord<byte[], byte[]> payment = payments.get(0);
    assertThat(text(payment.key())).isEqualTo("p-9");
    assertThat(header(payment, "event.id")).isEqualTo(paymentEvent);
    assertThat(payment.headers().lastHeader("correlation.id"))
        .as("NULL column adds no header")
        .isNull();

    List<String> o2 =
        orders.stream()
            .filter(r -> text(r.key()).equals("o-2"))
            .map(r -> text(r.value()))
            .collect(Collectors.toList());
    assertThat(o2)
        .containsExactly(
            "{\"version\": 1}",
            "{\"version\": 2}",
            "{\"version\": 3}",
            "{\"version\": 4}",
            "{\"version\": 5}");
    assertThat(STACK.cluster().topics().exists("outbox.invalid")).isFalse();

    ObjectName metrics =
        new ObjectName(
            "dev.eventkit.connect:type=outbox-source-task,connector=\"contract\",task=0");
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    Awaitility.await("published events counted over JMX")
        .atMost(TIMEOUT)
        .until(() -> (Long) jmx.getAttribute(metrics, "EventsPublished") == 7L);
    assertThat((Integer) jmx.getAttribute(metrics, "RowsLastPoll")).isEqualTo(7);
    assertThat((Long) jmx.getAttribute(metrics, "CommitToPublishLagMs")).isNotNegative();
    STACK.cluster().delete("connectors/contract").expectSuccess("delete");
    Awaitility.await("metrics unregistered with the task")
        .atMost(TIMEOUT)
        .until(() -> !jmx.isRegistered(metrics));
  }

  @Test
  void everyPayloadFormatCarriesTheSameEvent() throws Exception {
    String payload =
        "{\"id\": 7, \"lines\": [{\"sku\": \"a\", \"qty\": 2}, {\"sku\": \"b\", \"gift\": true}],"
            + " \"tags\": [], \"note\": null, \"customer\": {\"name\": \"Ada\"}}";
    insert(db, "outbox", "order", "o-1", "OrderPlaced", payload);
    String stored =
        db.query("SELECT CAST(payload AS text) AS p FROM outbox").get(0).get("p").toString();

    STACK
        .cluster()
        .createConnector(
            "fmt-bytes",
            EXAMPLE,
            overrides(
                db,
                "payload.format",
                "bytes",
                "topic.template",
                "${aggregate_type}.bytes",
                "value.converter",
                "org.apache.kafka.connect.converters.ByteArrayConverter"));
    STACK
        .cluster()
        .createConnector(
            "fmt-json",
            EXAMPLE,
            overrides(
                db,
                "payload.format",
                "json",
                "topic.template",
                "${aggregate_type}.json",
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable",
                "false"));
    STACK
        .cluster()
        .createConnector(
            "fmt-struct",
            EXAMPLE,
            overrides(
                db,
                "payload.format",
                "struct",
                "topic.template",
                "${aggregate_type}.struct",
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable",
                "true"));

    byte[] bytes = STACK.cluster().topics().consume("order.bytes", 1, TIMEOUT).get(0).value();
    assertThat(text(bytes)).isEqualTo(stored);

    JsonNode json =
        JSON.readTree(STACK.cluster().topics().consume("order.json", 1, TIMEOUT).get(0).value());
    assertThat(json).isEqualTo(JSON.readTree(payload));

    JsonNode envelope =
        JSON.readTree(STACK.cluster().topics().consume("order.struct", 1, TIMEOUT).get(0).value());
    assertThat(envelope.get("schema").get("type").asText()).isEqualTo("struct");
    JsonNode struct = envelope.get("payload");
    assertThat(struct.get("id").asLong()).isEqualTo(7);
    assertThat(struct.get("note").isNull()).isTrue();
    assertThat(struct.get("tags").size()).isZero();
    assertThat(struct.get("customer").get("name").asText()).isEqualTo("Ada");
    assertThat(struct.get("lines").get(0).get("gift").isNull()).isTrue();
    assertThat(struct.get("lines").get(1).get("gift").asBoolean()).isTrue();
  }

  @Test
  void poisonRowsGoToTheInvalidTopicWithTheirFaultAndGoodRowsFlowOn() throws Exception {
    OutboxTestSupport.createOutbox(db, "raw_outbox", "text", true);
    String badJson = insert(db, "raw_outbox", "order", "o-1", "OrderPlaced", "{\"total\": ");
    String noKey = insert(db, "raw_outbox", "order", null, "OrderPlaced", "{}");
    String badTopic = insert(db, "raw_outbox", "order lines", "o-2", "LineAdded", "{}");
    String noPayload = insert(db, "raw_outbox", "order", "o-3", "OrderPlaced", null);
    String good = insert(db, "raw_outbox", "order", "o-4", "OrderPlaced", "{\"ok\": true}");

    STACK
        .cluster()
        .createConnector(
            "poison",
            EXAMPLE,
            overrides(
                db,
                "table.name",
                "raw_outbox",
                "payload.format",
                "json",
                "errors.invalid.topic",
                "raw.invalid",
                "topic.template",
                "${aggregate_type}.raw",
                "header.columns",
                "",
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable",
                "false"));

    Map<String, ConsumerRecord<byte[], byte[]>> invalid =
        STACK.cluster().topics().consume("raw.invalid", 4, TIMEOUT).stream()
            .collect(Collectors.toMap(r -> header(r, "event.id"), r -> r));
    assertThat(invalid).containsOnlyKeys(badJson, noKey, badTopic, noPayload);
    assertThat(header(invalid.get(badJson), "eventkit.error.reason")).isEqualTo("invalid-json");
    assertThat(header(invalid.get(badJson), "eventkit.error.column")).isEqualTo("payload");
    assertThat(JSON.readTree(invalid.get(badJson).value()).asText()).isEqualTo("{\"total\": ");
    assertThat(header(invalid.get(noKey), "eventkit.error.reason")).isEqualTo("null-aggregate-id");
    assertThat(header(invalid.get(badTopic), "eventkit.error.reason")).isEqualTo("invalid-topic");
    assertThat(header(invalid.get(badTopic), "eventkit.error.topic")).isEqualTo("order lines.raw");
    assertThat(header(invalid.get(noPayload), "eventkit.error.reason")).isEqualTo("null-payload");

    ConsumerRecord<byte[], byte[]> published =
        STACK.cluster().topics().consume("order.raw", 1, TIMEOUT).get(0);
    assertThat(header(published, "event.id")).isEqualTo(good);
    STACK.cluster().awaitRunning("poison", 1);
  }

  @Test
  void withoutAnInvalidTopicAPoisonRowFailsTheTaskNamingTheRow() throws Exception {
    OutboxTestSupport.createOutbox(db, "raw_outbox", "text", true);
    String bad = insert(db, "raw_outbox", "order", "o-1", "OrderPlaced", "not json");

    STACK
        .cluster()
        .createConnector(
            "strict",
            EXAMPLE,
            overrides(
                db,
                "table.name",
                "raw_outbox",
                "payload.format",
                "json",
                "errors.invalid.topic",
                "",
                "header.columns",
                ""));

    JsonNode status = STACK.cluster().awaitTaskFailed("strict");
    String trace = status.get("tasks").get(0).get("trace").asText();
    assertThat(trace)
        .contains("event id " + bad)
        .contains("payload is not valid JSON")
        .contains("(column payload)")
        .contains("errors.invalid.topic");
  }

  @Test
  void aSelectOnlyRoleIsEnoughWithoutCleanupAndValidationAsksForDeleteWithIt() throws Exception {
    String role = "relay_" + db.name();
    db.createRole(role, "secret", "SELECT ON outbox");
    String id = insert(db, "outbox", "invoice", "i-1", "Issued", "{}");

    List<String> errors =
        ConnectCluster.validationErrors(
            STACK
                .cluster()
                .validateConnector(
                    EXAMPLE,
                    overrides(
                        db,
                        "connection.user",
                        role,
                        "connection.password",
                        "secret",
                        "cleanup.policy",
                        "delete")));
    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith("connection.user: Role " + role + " lacks DELETE on outbox")
                    .contains("GRANT DELETE ON outbox TO " + role));

    STACK
        .cluster()
        .createConnector(
            "select-only",
            EXAMPLE,
            overrides(db, "connection.user", role, "connection.password", "secret"));
    STACK.cluster().awaitRunning("select-only", 1);
    assertThat(
            header(
                STACK.cluster().topics().consume("invoice.events", 1, TIMEOUT).get(0), "event.id"))
        .isEqualTo(id);
    STACK.cluster().delete("connectors/select-only").expectSuccess("delete");
  }

  @Test
  void cleanupDeletesPublishedRowsOnlyNeverOnesStillBehindTheHorizon() throws Exception {
    db.execute("CREATE TABLE audit (note text)");
    for (int i = 0; i < 20; i++) {
      insert(db, "outbox", "shipment", "s-" + i, "Shipped", "{}");
    }
    STACK
        .cluster()
        .createConnector(
            "cleanup",
            EXAMPLE,
            overrides(db, "cleanup.policy", "delete", "cleanup.batch.size", "7"));
    STACK.cluster().topics().consume("shipment.events", 20, TIMEOUT);
    Awaitility.await("published rows deleted")
        .atMost(TIMEOUT)
        .until(() -> db.queryForLong("SELECT count(*) FROM outbox") == 0);

    try (Connection early = db.connect()) {
      early.setAutoCommit(false);
      early.createStatement().execute("INSERT INTO audit VALUES ('holds the horizon')");
      String heldBack = insert(db, "outbox", "shipment", "s-late", "Shipped", "{}");
      // Committed, but an older transaction is open: not publishable, so never deletable.
      Awaitility.await("a cleanup pass after the held-back row")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> db.queryForLong("SELECT count(*) FROM outbox") == 1);
      assertThat(db.query("SELECT CAST(id AS text) AS id FROM outbox"))
          .containsExactly(Map.of("id", heldBack));
      ObjectName metrics =
          new ObjectName(
              "dev.eventkit.connect:type=outbox-source-task,connector=\"cleanup\",task=0");
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      Awaitility.await("the horizon stall reported over JMX")
          .atMost(TIMEOUT)
          .until(() -> (Integer) jmx.getAttribute(metrics, "HorizonStallPid") > 0);
      assertThat((Long) jmx.getAttribute(metrics, "HorizonStallAgeMs")).isPositive();
      early.commit();
    }
    Awaitility.await("the late row published and deleted")
        .atMost(TIMEOUT)
        .until(() -> db.queryForLong("SELECT count(*) FROM outbox") == 0);
    assertThat(STACK.cluster().topics().consume("shipment.events", 21, TIMEOUT)).hasSize(21);
    STACK.cluster().delete("connectors/cleanup").expectSuccess("delete");
  }

  /**
   * The signal for a task Connect no longer calls (paused here; an instance whose thread never
   * finished stopping in production, whose other metrics stay frozen): LastPollAgeMs rises while
   * poll() is not called and falls back once it is again.
   */
  @Test
  void lastPollAgeRisesWhileConnectDoesNotCallTheTask() throws Exception {
    STACK.cluster().createConnector("polled", EXAMPLE, overrides(db, "poll.interval.ms", "200"));
    STACK.cluster().awaitRunning("polled", 1);
    insert(db, "outbox", "crate", "c-1", "Packed", "{}");
    STACK.cluster().topics().consume("crate.events", 1, TIMEOUT);
    ObjectName metrics =
        new ObjectName("dev.eventkit.connect:type=outbox-source-task,connector=\"polled\",task=0");
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    Awaitility.await("a running task's last poll recent")
        .atMost(TIMEOUT)
        .until(() -> (Long) jmx.getAttribute(metrics, "LastPollAgeMs") < 2_000);

    STACK.cluster().put("connectors/polled/pause", "").expectSuccess("pause");
    Awaitility.await("the paused task's last poll ageing")
        .atMost(TIMEOUT)
        .until(() -> (Long) jmx.getAttribute(metrics, "LastPollAgeMs") > 5_000);

    STACK.cluster().put("connectors/polled/resume", "").expectSuccess("resume");
    Awaitility.await("the resumed task polled again")
        .atMost(TIMEOUT)
        .until(() -> (Long) jmx.getAttribute(metrics, "LastPollAgeMs") < 2_000);
    insert(db, "outbox", "crate", "c-1", "Shipped", "{}");
    assertThat(STACK.cluster().topics().consume("crate.events", 2, TIMEOUT)).hasSize(2);
    STACK.cluster().delete("connectors/polled").expectSuccess("delete");
  }

  @Test
  void aNotificationWakesTheTaskLongBeforeItsNextPoll() throws Exception {
    db.execute(
        "CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN PERFORM pg_notify('outbox_events', ''); RETURN NULL; END $$",
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
            + " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()");
    STACK
        .cluster()
        .createConnector(
            "notified",
            EXAMPLE,
            overrides(db, "poll.interval.ms", "30000", "poll.notify.channel", "outbox_events"));
    STACK.cluster().awaitRunning("notified", 1);
    Awaitility.await("the task listening on outbox_events")
        .atMost(TIMEOUT)
        .until(
            () ->
                db.queryForLong(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'eventkit-outbox%'"
                            + " AND query LIKE 'LISTEN%'")
                    == 1);
    insert(db, "outbox", "parcel", "p-1", "Sent", "{}");
    STACK.cluster().topics().consume("parcel.events", 1, TIMEOUT);

    // The task has published the first event and gone back to waiting up to 30 s.
    long start = System.nanoTime();
    insert(db, "outbox", "parcel", "p-1", "Delivered", "{}");
    STACK.cluster().topics().consume("parcel.events", 2, Duration.ofSeconds(10));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    STACK.cluster().delete("connectors/notified").expectSuccess("delete");
  }
}
