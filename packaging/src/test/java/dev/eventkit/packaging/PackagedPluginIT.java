package dev.eventkit.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The archive users install: unpacked into a fresh plugin.path of a worker whose own class path
 * does not hold Eventkit, with plugin.discovery=hybrid_fail, so isolation and the service manifests
 * are exercised for real.
 */
class PackagedPluginIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ZIP = ComponentArchive.ZIP;
  private static final Path EXAMPLES =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"));

  private static Path pluginPath;
  private static Path component;
  private static PostgresServer postgres;
  private static ConnectCluster cluster;

  @BeforeAll
  static void unpackAndStart() throws IOException {
    pluginPath = Files.createTempDirectory("plugins");
    component = ComponentArchive.install(pluginPath);
    postgres = PostgresServer.start();
    cluster =
        ConnectCluster.builder()
            .pluginPath(pluginPath)
            .workerProp("plugin.discovery", "hybrid_fail")
            .envConfigProvider()
            .start();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void theArchiveHasTheConfluentHubLayout() throws IOException {
    assertThat(component.getFileName().toString())
        .isEqualTo(ZIP.getFileName().toString().replace(".zip", ""));
    JsonNode manifest = JSON.readTree(component.resolve("manifest.json").toFile());
    assertThat(manifest.get("name").asText()).isEqualTo("kafka-connect-eventkit");
    assertThat(manifest.get("version").asText()).isNotBlank().doesNotContain("${");
    assertThat(manifest.get("component_types").toString())
        .isEqualTo("[\"source\",\"sink\",\"transform\"]");
    assertThat(manifest.get("features").get("delivery_guarantee").toString())
        .contains("exactly_once");
    assertThat(manifest.get("license").get(0).get("name").asText()).isEqualTo("Apache License 2.0");
    assertThat(manifest.get("release_date").asText()).matches("\\d{4}-\\d{2}-\\d{2}");

    List<String> libs;
    try (var files = Files.list(component.resolve("lib"))) {
      libs = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(libs)
        .anyMatch(n -> n.startsWith("outbox-source-connector-"))
        .anyMatch(n -> n.startsWith("dlq-sink-connector-"))
        .anyMatch(n -> n.startsWith("event-enrichment-smt-"))
        .anyMatch(n -> n.startsWith("eventkit-jdbc-"))
        .anyMatch(n -> n.startsWith("postgresql-"))
        .anyMatch(n -> n.startsWith("mariadb-java-client-"))
        .noneMatch(
            n ->
                n.startsWith("kafka-clients-")
                    || n.startsWith("connect-api-")
                    || n.startsWith("connect-runtime-")
                    || n.startsWith("connect-json-")
                    || n.startsWith("connect-transforms-")
                    || n.startsWith("slf4j-api-"));
    assertThat(component.resolve("etc/outbox-postgres-poll.json")).exists();
    assertThat(component.resolve("doc/README.md")).exists();
    assertThat(component.resolve("doc/LICENSE")).exists();
    assertThat(component.resolve("doc/outbox-source-connector.md")).exists();
  }

  @Test
  void theWorkerFindsEveryPluginFromThePluginPathOnly() {
    assertThatThrownBy(() -> Class.forName("dev.eventkit.connect.outbox.OutboxSourceConnector"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("dev.eventkit.connect.jdbc.JdbcConnections"))
        .isInstanceOf(ClassNotFoundException.class);

    JsonNode plugins =
        cluster.get("connector-plugins?connectorsOnly=false").expectSuccess("plugins").json();
    Map<String, String> versions = new HashMap<>();
    for (JsonNode plugin : plugins) {
      versions.put(plugin.get("class").asText(), plugin.path("version").asText(""));
    }
    String version = versions.get("dev.eventkit.connect.outbox.OutboxSourceConnector");
    assertThat(version).isNotBlank().isNotEqualTo("unknown");
    assertThat(versions)
        .containsEntry("dev.eventkit.connect.dlq.DlqSinkConnector", version)
        .containsEntry("dev.eventkit.connect.enrich.EventMetadata$Value", version)
        .containsEntry("dev.eventkit.connect.enrich.EventMetadata$Key", version)
        .containsEntry("dev.eventkit.connect.enrich.EventVersion$Value", version)
        .containsEntry("dev.eventkit.connect.enrich.EventVersion$Key", version);
    // Debezium ships relocated inside the outbox connector's jar, none of its plugins offered.
    assertThat(versions.keySet())
        .as("plugins of the bundled Debezium")
        .noneMatch(c -> c.startsWith("io.debezium.") || c.startsWith("dev.eventkit.shaded."));
  }

  @Test
  void anOutboxToTransformsToTopicFlowRunsFromTheIsolatedPlugin() throws Exception {
    TestDatabase db = postgres.createDatabase();
    db.execute(
        "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), aggregatetype text NOT NULL,"
            + " aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial, correlation_id text)",
        "CREATE INDEX ON outbox (txid, seq)",
        "INSERT INTO outbox (aggregatetype, aggregateid, type, payload) VALUES ('order', 'o-1', 'OrderPlaced', '{\"total\": 1}')");
    Map<String, String> overrides = new HashMap<>();
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", db.user());
    overrides.put("connection.password", db.password());
    Path example = EXAMPLES.resolve("outbox-postgres-cloudevents.json");
    assertThat(ConnectCluster.validationErrors(cluster.validateConnector(example, overrides)))
        .isEmpty();

    cluster.createConnector(example, overrides);

    ConsumerRecord<byte[], byte[]> record =
        cluster.topics().consume("order.events", 1, Duration.ofSeconds(90)).get(0);
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("o-1");
    assertThat(
            new String(
                record.headers().lastHeader("ce_specversion").value(), StandardCharsets.UTF_8))
        .isEqualTo("1.0");
    assertThat(
            new String(
                record.headers().lastHeader("ce_dataschema").value(), StandardCharsets.UTF_8))
        .isEqualTo("https://schemas.example.com/OrderPlaced/v3.json");
  }
}
