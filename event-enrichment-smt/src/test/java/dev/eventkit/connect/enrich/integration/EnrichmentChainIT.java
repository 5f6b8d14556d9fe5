package dev.eventkit.connect.enrich.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Outbox → EventMetadata → EventVersion → topic, and the SMTs on a sink with a dead letter queue.
 */
class EnrichmentChainIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLE =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"))
          .resolve("outbox-postgres-cloudevents.json");

  @RegisterExtension
  static final TestStack STACK = TestStack.postgres(ConnectCluster.builder().envConfigProvider());

  private static TestDatabase outboxWithOneOrder() {
    TestDatabase db = STACK.postgres().createDatabase();
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text NOT NULL,"
            + " aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX ON outbox (txid, seq)",
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES ('order', 'o-1', 'OrderPlaced', '{\"total\": 12.5, \"causedBy\": \"cmd-7\"}', 'corr-1')");
    return db;
  }

  private static Map<String, String> overrides(TestDatabase db, String... keyValues) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", db.user());
    overrides.put("connection.password", db.password());
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return overrides;
  }

  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
    Map<String, String> result = new HashMap<>();
    record
        .headers()
        .forEach(h -> result.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return result;
  }

  @Test
  void outboxEventsLeaveAsCloudEventsWithEveryRequiredAttribute() throws Exception {
    TestDatabase db = outboxWithOneOrder();
    String eventId =
        db.query("SELECT CAST(id AS text) AS id FROM outbox").get(0).get("id").toString();
    assertThat(
            ConnectCluster.validationErrors(
                STACK.cluster().validateConnector(EXAMPLE, overrides(db))))
        .isEmpty();

    STACK
        .cluster()
        .createConnector(
            EXAMPLE.getFileName().toString().replace(".json", ""), EXAMPLE, overrides(db));

    ConsumerRecord<byte[], byte[]> record =
        STACK.cluster().topics().consume("order.events", 1, TIMEOUT).get(0);
    assertThat(headers(record))
        .containsEntry("ce_id", eventId)
        .containsEntry("ce_type", "OrderPlaced")
        .containsEntry("ce_source", "/orders-service")
        .containsEntry("ce_specversion", "1.0")
        .containsEntry("ce_correlationid", "corr-1")
        .containsEntry("content-type", "application/json")
        .containsEntry("ce_dataschema", "https://schemas.example.com/OrderPlaced/v3.json")
        .containsKey("ce_time");
    assertThat(JSON.readTree(record.value()))
        .isEqualTo(JSON.readTree("{\"total\": 12.5, \"causedBy\": \"cmd-7\"}"));
  }

  @Test
  void connectsValidateRefusesCloudEventsWithoutASourceAndHeadersTwoAttributesShare() {
    TestDatabase db = outboxWithOneOrder();

    List<String> noSource =
        ConnectCluster.validationErrors(
            STACK
                .cluster()
                .validateConnector(
                    EXAMPLE,
                    overrides(db, "transforms.metadata.source.source", "header:event.source")));
    List<String> shared =
        ConnectCluster.validationErrors(
            STACK
                .cluster()
                .validateConnector(
                    EXAMPLE,
                    overrides(
                        db,
                        "transforms.metadata.header.naming",
                        "eventkit",
                        "transforms.metadata.causation.id.header",
                        "correlation.id")));

    assertThat(noSource)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("transforms.metadata.source.source: ")
        .contains("requires ce_source on every event");
    assertThat(shared)
        .hasSize(2)
        .anySatisfy(e -> assertThat(e).startsWith("transforms.metadata.causation.id.header: "))
        .anySatisfy(e -> assertThat(e).startsWith("transforms.metadata.correlation.id.header: "))
        .allSatisfy(e -> assertThat(e).contains("both name header 'correlation.id'"));
  }

  @Test
  void withStringValuesFieldsAreReadFromTheJsonTextAndTheValueStaysByteExact() throws Exception {
    TestDatabase db = outboxWithOneOrder();
    String stored =
        db.query("SELECT CAST(payload AS text) AS p FROM outbox").get(0).get("p").toString();

    STACK
        .cluster()
        .createConnector(
            "eventkit-naming",
            EXAMPLE,
            overrides(
                db,
                "payload.format",
                "string",
                "topic.template",
                "${aggregate_type}.text",
                "value.converter",
                "org.apache.kafka.connect.storage.StringConverter",
                "transforms.metadata.header.naming",
                "eventkit",
                "transforms.metadata.causation.id.source",
                "field:causedBy",
                "transforms.version.header.naming",
                "eventkit"));

    ConsumerRecord<byte[], byte[]> record =
        STACK.cluster().topics().consume("order.text", 1, TIMEOUT).get(0);
    assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(stored);
    assertThat(headers(record))
        .containsEntry("causation.id", "cmd-7")
        .containsEntry("correlation.id", "corr-1")
        .containsEntry("event.source", "/orders-service")
        .containsEntry("event.schema.version", "3");
  }

  @Test
  void theTransformsComposeWithKafkaPredicates() throws Exception {
    TestDatabase db = outboxWithOneOrder();
    db.execute(
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES ('payment', 'p-1', 'PaymentCaptured', '{}')");

    STACK
        .cluster()
        .createConnector(
            "predicated",
            EXAMPLE,
            overrides(
                db,
                "topic.template",
                "${aggregate_type}.predicated",
                "predicates",
                "payments",
                "predicates.payments.type",
                "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
                "predicates.payments.pattern",
                "payment\\..*",
                "transforms.metadata.predicate",
                "payments",
                "transforms.metadata.negate",
                "true"));

    ConsumerRecord<byte[], byte[]> order =
        STACK.cluster().topics().consume("order.predicated", 1, TIMEOUT).get(0);
    ConsumerRecord<byte[], byte[]> payment =
        STACK.cluster().topics().consume("payment.predicated", 1, TIMEOUT).get(0);
    assertThat(headers(order)).containsEntry("ce_specversion", "1.0").containsKey("ce_id");
    assertThat(headers(payment))
        .doesNotContainKeys("ce_specversion", "ce_id")
        .containsKey("event.id");
    assertThat(headers(payment))
        .containsEntry("ce_dataschema", "https://schemas.example.com/PaymentCaptured/v1.json");
  }

  @Test
  void onASinkAnEventWithoutAVersionGoesToTheDeadLetterQueue() throws Exception {
    STACK.cluster().topics().create("inbound", 1);
    try (KafkaProducer<byte[], byte[]> producer =
        STACK.cluster().kafka().createProducer(Map.of())) {
      ProducerRecord<byte[], byte[]> known =
          new ProducerRecord<>("inbound", "{\"n\": 1}".getBytes(StandardCharsets.UTF_8));
      known.headers().add("event.type", "OrderPlaced".getBytes(StandardCharsets.UTF_8));
      producer.send(known).get();
      ProducerRecord<byte[], byte[]> unknown =
          new ProducerRecord<>("inbound", "{\"n\": 2}".getBytes(StandardCharsets.UTF_8));
      unknown.headers().add("event.type", "OrderLost".getBytes(StandardCharsets.UTF_8));
      producer.send(unknown).get();
      ProducerRecord<byte[], byte[]> invalid =
          new ProducerRecord<>("inbound", "{\"n\": 0}".getBytes(StandardCharsets.UTF_8));
      invalid.headers().add("event.type", "OrderPlaced".getBytes(StandardCharsets.UTF_8));
      producer.send(invalid).get();
    }
    Path schemas = Files.createTempDirectory("schemas");
    Files.createDirectories(schemas.resolve("OrderPlaced"));
    Files.writeString(
        schemas.resolve("OrderPlaced/3.json"),
        "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\", \"minimum\": 1}}}");
    Path file = Files.createTempFile("inbound", ".txt");
    Map<String, String> sink = new HashMap<>();
    sink.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
    sink.put("topics", "inbound");
    sink.put("file", file.toString());
    sink.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    sink.put("transforms", "version");
    sink.put("transforms.version.type", "dev.eventkit.connect.enrich.EventVersion$Value");
    sink.put("transforms.version.versions", "OrderPlaced:3");
    sink.put("transforms.version.schemas.dir", schemas.toString());
    sink.put("errors.tolerance", "all");
    sink.put("errors.deadletterqueue.topic.name", "inbound.dlq");
    sink.put("errors.deadletterqueue.topic.replication.factor", "1");
    sink.put("errors.deadletterqueue.context.headers.enable", "true");
    STACK.cluster().connect().configureConnector("inbound-sink", sink);

    List<ConsumerRecord<byte[], byte[]>> deadLetters =
        STACK.cluster().topics().consume("inbound.dlq", 2, TIMEOUT);
    ConsumerRecord<byte[], byte[]> dead = deadLetters.get(0);
    ConsumerRecord<byte[], byte[]> invalid = deadLetters.get(1);
    assertThat(new String(invalid.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 0}");
    assertThat(headers(invalid).get("__connect.errors.exception.message"))
        .contains("violates")
        .contains("/n breaks 'minimum'");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 2}");
    assertThat(headers(dead))
        .containsEntry("__connect.errors.stage", "TRANSFORMATION")
        .containsEntry(
            "__connect.errors.class.name", "dev.eventkit.connect.enrich.EventVersion$Value");
    assertThat(headers(dead).get("__connect.errors.exception.message"))
        .contains(
            "No schema version for topic inbound", "versions has none for event type OrderLost");
    Awaitility.await().atMost(TIMEOUT).until(() -> Files.readAllLines(file).size() == 1);
    assertThat(Files.readAllLines(file)).containsExactly("{\"n\": 1}");
  }
}
