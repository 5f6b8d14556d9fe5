package dev.eventkit.connect.outbox.integration;

import static dev.eventkit.connect.outbox.integration.OutboxTestSupport.EXAMPLE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.TestStack;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What validate says, over the REST API, about tables that break the preconditions of the ordering
 * proof: a cached sequence, a position without a sequence, nullable aggregate columns, a missing
 * (txid, seq) index; and that a failed connection shows neither the password nor the URL's query.
 */
class OutboxTableValidationIT {

  private static final String WARNINGS = "validation.warnings";
  private static final Pattern FIX = Pattern.compile("Fix: (ALTER SEQUENCE \\S+ CACHE 1;)");

  @RegisterExtension static final TestStack STACK = TestStack.postgres(OutboxTestSupport.cluster());

  private TestDatabase db;

  @BeforeEach
  void freshDatabase() {
    db = STACK.postgres().createDatabase();
  }

  @Test
  void theDesignTableValidatesWithoutErrorsOrWarnings() {
    createOutbox("outbox", true);

    JsonNode validation = validate();

    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(warnings(validation)).isEmpty();
    JsonNode definition = config(validation, WARNINGS).get("definition");
    assertThat(definition.get("type").asText()).isEqualTo("STRING");
    assertThat(definition.get("documentation").asText()).startsWith("Read-only");
  }

  /**
   * The README's outbox DDL, run as written, satisfies every outbox example in config-examples/ as
   * written: no validation error and no warning.
   */
  @Test
  void theReadmeTableServesEveryOutboxExampleAsWritten() throws Exception {
    for (String statement : readmeOutboxDdl()) {
      db.execute(statement);
    }
    Path examples = EXAMPLE.getParent();
    List<Path> outboxExamples;
    try (var files = java.nio.file.Files.list(examples)) {
      outboxExamples =
          files
              .map(f -> f.getFileName().toString())
              .filter(f -> f.startsWith("outbox-") && !f.contains("mariadb"))
              .sorted()
              .map(examples::resolve)
              .toList();
    }
    assertThat(outboxExamples).hasSizeGreaterThanOrEqualTo(2);
    for (Path example : outboxExamples) {
      JsonNode validation =
          STACK.cluster().validateConnector(example, OutboxTestSupport.overrides(db));
      // The transforms' classes live in another module; its own ITs validate them.
      assertThat(ConnectCluster.validationErrors(validation))
          .as("%s", example)
          .allMatch(error -> error.startsWith("transforms."));
      assertThat(warnings(validation)).as("%s", example).isEmpty();
    }
  }

  /** The SQL block under the README's "The outbox table" heading, statement by statement. */
  private static List<String> readmeOutboxDdl() throws java.io.IOException {
    return OutboxTestSupport.readmeSql("### The outbox table (PostgreSQL");
  }

  @Test
  void aSequenceWithACacheIsAnErrorAndTheStatementGivenFixesIt() {
    createOutbox("outbox", true);
    db.execute("ALTER SEQUENCE outbox_seq_seq CACHE 20");

    List<String> errors = ConnectCluster.validationErrors(validate());

    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith(
                        "column.position: Sequence outbox_seq_seq behind column seq has CACHE 20")
                    .contains("ALTER SEQUENCE outbox_seq_seq CACHE 1;"));
    db.execute(fix(errors.get(0)));
    assertThat(ConnectCluster.validationErrors(validate())).isEmpty();
  }

  @Test
  void aSelectOnlyRoleSeesTheSequenceTheIndexesAndTheNullableColumns() {
    createOutbox("outbox", true, "aggregateid", "text");
    String role = "reader_" + db.name();
    db.createRole(role, "secret", "SELECT ON outbox");
    String[] asRole = {"connection.user", role, "connection.password", "secret"};

    JsonNode clean = validate(asRole);
    db.execute("ALTER SEQUENCE outbox_seq_seq CACHE 20", "DROP INDEX outbox_position");
    JsonNode broken = validate(asRole);

    assertThat(ConnectCluster.validationErrors(clean)).isEmpty();
    assertThat(warnings(clean)).singleElement().asString().startsWith("column.aggregate.id:");
    assertThat(ConnectCluster.validationErrors(broken))
        .singleElement()
        .asString()
        .startsWith("column.position: Sequence outbox_seq_seq behind column seq has CACHE 20");
    assertThat(warnings(broken))
        .hasSize(2)
        .anySatisfy(w -> assertThat(w).startsWith("table.name: Table outbox has no index"));
  }

  /**
   * A role without SELECT (and, for cleanup.policy=delete, without DELETE) is refused on
   * connection.user, each finding with the GRANT that fixes it; run as given, they make it pass.
   */
  @Test
  void aRoleWithoutTheTablePrivilegesIsToldTheGrantsThatFixIt() {
    createOutbox("outbox", true);
    String role = "stranger_" + db.name();
    db.createRole(role, "secret");
    String[] asRole = {
      "connection.user", role, "connection.password", "secret", "cleanup.policy", "delete"
    };

    List<String> errors = ConnectCluster.validationErrors(validate(asRole));

    String select = "GRANT SELECT ON outbox TO " + role + ";";
    String delete = "GRANT DELETE ON outbox TO " + role + ";";
    assertThat(errors)
        .containsExactlyInAnyOrder(
            "connection.user: Role " + role + " lacks SELECT on outbox: " + select,
            "connection.user: Role "
                + role
                + " lacks DELETE on outbox (needed by cleanup.policy=delete): "
                + delete);
    db.execute(select, delete);
    assertThat(ConnectCluster.validationErrors(validate(asRole))).isEmpty();
  }

  @Test
  void anIdentityPositionWithACacheIsFoundAndFixedTheSameWay() {
    createOutbox("outbox", true, "seq", "bigint GENERATED ALWAYS AS IDENTITY (CACHE 50)");

    List<String> errors = ConnectCluster.validationErrors(validate());

    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith("column.position: Sequence outbox_seq_seq")
                    .contains("has CACHE 50"));
    db.execute(fix(errors.get(0)));
    assertThat(ConnectCluster.validationErrors(validate())).isEmpty();
  }

  @Test
  void aDefaultCallingADifferentlyNamedSequenceIsFollowed() {
    db.execute("CREATE SEQUENCE outbox_positions CACHE 10");
    createOutbox("by_regclass", true, "seq", "bigint NOT NULL DEFAULT nextval('outbox_positions')");
    createOutbox(
        "by_text", true, "seq", "bigint NOT NULL DEFAULT nextval('outbox_positions'::text)");

    for (String table : List.of("by_regclass", "by_text")) {
      assertThat(ConnectCluster.validationErrors(validate("table.name", table)))
          .as(table)
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e)
                      .startsWith(
                          "column.position: Sequence outbox_positions behind column seq has CACHE"
                              + " 10")
                      .contains("ALTER SEQUENCE outbox_positions CACHE 1;"));
    }
  }

  @Test
  void aPositionWithoutASequenceIsAnErrorAndTheStatementsGivenFixIt() {
    createOutbox("outbox", true, "seq", "bigint");

    List<String> errors = ConnectCluster.validationErrors(validate());

    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith("column.position: Column seq takes its values from no sequence")
                    .contains("called while the writer holds the aggregate's lock"));
    String statements = errors.get(0).substring(errors.get(0).indexOf("lock: ") + 6);
    db.execute(statements.split("; "));
    assertThat(ConnectCluster.validationErrors(validate())).isEmpty();
  }

  @Test
  void nullableAggregateColumnsAreWarningsThatSayWhatHappensToTheirRows() {
    createOutbox("outbox", true, "aggregateid", "text", "aggregatetype", "text");

    JsonNode routed = validate();
    JsonNode failing = validate("errors.invalid.topic", "");

    assertThat(ConnectCluster.validationErrors(routed)).isEmpty();
    assertThat(routed.get("error_count").asInt()).isZero();
    assertThat(warnings(routed))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("column.aggregate.id: Column aggregateid is nullable.")
                    .contains("poison row")
                    .contains("errors.invalid.topic (outbox.invalid)")
                    .endsWith("ALTER TABLE outbox ALTER COLUMN aggregateid SET NOT NULL;"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("column.aggregate.type: Column aggregatetype is nullable.")
                    .contains("poison row (eventkit.error.reason=null-aggregate-type")
                    .endsWith("ALTER TABLE outbox ALTER COLUMN aggregatetype SET NOT NULL;"))
        .hasSize(2);
    assertThat(ConnectCluster.validationErrors(failing)).isEmpty();
    assertThat(warnings(failing))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("column.aggregate.id:")
                    .contains("errors.invalid.topic is empty, so the task fails on such a row"));

    db.execute(
        "ALTER TABLE outbox ALTER COLUMN aggregateid SET NOT NULL",
        "ALTER TABLE outbox ALTER COLUMN aggregatetype SET NOT NULL");
    assertThat(warnings(validate())).isEmpty();
  }

  @Test
  void aMissingPositionIndexIsAWarningInTheResponseAndPartialOrExpressionIndexesDoNotCount() {
    createOutbox("outbox", false);
    db.execute(
        "CREATE INDEX outbox_recent ON outbox (txid, seq) WHERE seq > 100",
        "CREATE INDEX outbox_expression ON outbox (txid, (seq + 0))",
        "CREATE INDEX outbox_reversed ON outbox (seq, txid)");

    JsonNode validation = validate();

    assertThat(ConnectCluster.validationErrors(validation)).isEmpty();
    assertThat(warnings(validation))
        .singleElement()
        .satisfies(
            w ->
                assertThat(w)
                    .startsWith("table.name: Table outbox has no index on (txid, seq)")
                    .contains("outbox_recent is partial")
                    .endsWith("Fix: CREATE INDEX CONCURRENTLY ON outbox (txid, seq);"));
    db.execute("CREATE INDEX CONCURRENTLY ON outbox (txid, seq)");
    assertThat(warnings(validate())).isEmpty();
  }

  @Test
  void aBigintEpochMillisTimestampIsAcceptedAndOtherTypesAreRefusedWithTheReason() {
    createOutbox("millis", true, "timestamp", "bigint NOT NULL");
    createOutbox("ints", true, "timestamp", "integer NOT NULL");
    createOutbox("texts", true, "timestamp", "text NOT NULL");
    createOutbox("dates", true, "timestamp", "date NOT NULL");

    assertThat(ConnectCluster.validationErrors(validate("table.name", "millis"))).isEmpty();
    assertThat(ConnectCluster.validationErrors(validate("table.name", "ints")))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith("column.timestamp: Column timestamp is integer: it holds epoch")
                    .endsWith(
                        "The event time must be timestamptz, timestamp (read as UTC) or bigint"
                            + " epoch milliseconds."));
    assertThat(ConnectCluster.validationErrors(validate("table.name", "texts")))
        .singleElement()
        .satisfies(e -> assertThat(e).contains("text is not parsed as a time"));
    assertThat(ConnectCluster.validationErrors(validate("table.name", "dates")))
        .singleElement()
        .satisfies(e -> assertThat(e).contains("a date has no time of day"));
  }

  @Test
  void aWrongPasswordIsReportedWithoutThePasswordOrTheUrlQuery() throws Exception {
    createOutbox("outbox", true);
    String role = "relay_" + db.name();
    db.createRole(role, "Right-Secret-4711", "SELECT ON outbox");
    db.requirePassword(role);
    String urlPassword = "Url-Secret-0815";
    String configPassword = "Config-Secret-2342";
    String url = db.jdbcUrl() + "?ApplicationName=query-marker&password=" + urlPassword;

    JsonNode validation =
        validate(
            "connection.url", url, "connection.user", role, "connection.password", configPassword);

    assertThat(ConnectCluster.validationErrors(validation))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith("connection.url: Cannot connect to the database: ")
                    .contains("password authentication failed"));
    String response = validation.toString();
    assertThat(response)
        .doesNotContain(urlPassword)
        .doesNotContain(configPassword)
        .doesNotContain("Right-Secret-4711")
        .doesNotContain("query-marker");
    assertThat(config(validation, "connection.url").get("value").get("value").asText())
        .isEqualTo(db.jdbcUrl() + "?[hidden]");
  }

  private JsonNode validate(String... keyValues) {
    return STACK.cluster().validateConnector(EXAMPLE, OutboxTestSupport.overrides(db, keyValues));
  }

  /**
   * Creates the DESIGN.md outbox table (with the example's correlation_id header column), with some
   * column definitions replaced: {@code "seq", "bigint"}.
   */
  private void createOutbox(String table, boolean positionIndex, String... replacements) {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("id", "uuid PRIMARY KEY DEFAULT gen_random_uuid()");
    columns.put("aggregatetype", "text NOT NULL");
    columns.put("aggregateid", "text NOT NULL");
    columns.put("type", "text NOT NULL");
    columns.put("payload", "jsonb");
    columns.put("timestamp", "timestamptz NOT NULL DEFAULT now()");
    columns.put("txid", "xid8 NOT NULL DEFAULT pg_current_xact_id()");
    columns.put("seq", "bigserial");
    columns.put("correlation_id", "text");
    for (int i = 0; i < replacements.length; i += 2) {
      columns.put(replacements[i], replacements[i + 1]);
    }
    List<String> definitions = new ArrayList<>();
    columns.forEach((name, definition) -> definitions.add(name + " " + definition));
    List<String> statements = new ArrayList<>();
    statements.add("CREATE TABLE " + table + " (" + String.join(", ", definitions) + ")");
    if (positionIndex) {
      statements.add("CREATE INDEX " + table + "_position ON " + table + " (txid, seq)");
    }
    db.execute(statements.toArray(String[]::new));
  }

  private static String fix(String error) {
    Matcher m = FIX.matcher(error);
    assertThat(m.find()).as("a fix in: " + error).isTrue();
    return m.group(1);
  }

  private static JsonNode config(JsonNode validation, String name) {
    for (JsonNode config : validation.get("configs")) {
      if (name.equals(config.path("value").path("name").asText())) {
        return config;
      }
    }
    throw new AssertionError("No " + name + " in " + validation);
  }

  /** The warnings validate listed, each "option: message". */
  private static List<String> warnings(JsonNode validation) {
    String value = config(validation, WARNINGS).get("value").get("value").asText();
    return value.isEmpty() ? List.of() : Arrays.asList(value.split("\n"));
  }
}
