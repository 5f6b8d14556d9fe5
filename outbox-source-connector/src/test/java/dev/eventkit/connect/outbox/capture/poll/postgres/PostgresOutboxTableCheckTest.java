package dev.eventkit.connect.outbox.capture.poll.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck.Column;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck.Index;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck.Sequence;
import dev.eventkit.connect.outbox.capture.poll.postgres.PostgresOutboxTableCheck.TableFacts;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Judging catalog facts: the ordering preconditions, types, privileges, without a database. */
class PostgresOutboxTableCheckTest {

  private static final Column NOT_NULL_TEXT = new Column("text", true, false, null);
  private static final Index POSITION_INDEX =
      new Index("outbox_position", "btree", List.of("txid", "seq"), false, true);

  /** The DESIGN.md table: bigserial seq with CACHE 1, NOT NULL aggregate columns, the index. */
  private static Map<String, Column> designColumns() {
    Map<String, Column> columns = new LinkedHashMap<>();
    columns.put("id", new Column("uuid", true, false, null));
    columns.put("aggregatetype", NOT_NULL_TEXT);
    columns.put("aggregateid", NOT_NULL_TEXT);
    columns.put("type", NOT_NULL_TEXT);
    columns.put("payload", new Column("jsonb", false, false, null));
    columns.put("timestamp", new Column("timestamp with time zone", true, false, "now()"));
    columns.put("txid", new Column("xid8", true, false, "pg_current_xact_id()"));
    columns.put("seq", new Column("bigint", true, false, "nextval('outbox_seq_seq'::regclass)"));
    return columns;
  }

  private static TableFacts facts(
      Map<String, Column> columns, Optional<Sequence> sequence, List<Index> indexes) {
    return new TableFacts(columns, "relay", true, true, sequence, indexes);
  }

  private static TableFacts designFacts() {
    return facts(
        designColumns(), Optional.of(new Sequence("outbox_seq_seq", 1)), List.of(POSITION_INDEX));
  }

  private static OutboxSourceConnectorConfig config(String... keyValues) {
    Map<String, String> props = new HashMap<>();
    props.put("connection.url", "jdbc:postgresql://db/app");
    for (int i = 0; i < keyValues.length; i += 2) {
      props.put(keyValues[i], keyValues[i + 1]);
    }
    return new OutboxSourceConnectorConfig(props);
  }

  @Test
  void aNullableTxidIsAnErrorAndAMissingDefaultAWarning() {
    Map<String, Column> nullable = designColumns();
    nullable.put("txid", new Column("xid8", false, false, "pg_current_xact_id()"));
    Map<String, Column> noDefault = designColumns();
    noDefault.put("txid", new Column("xid8", true, false, null));

    TableFindings nullableFindings =
        PostgresOutboxTableCheck.judge(
            facts(nullable, Optional.of(new Sequence("s", 1)), List.of(POSITION_INDEX)), config());
    TableFindings noDefaultFindings =
        PostgresOutboxTableCheck.judge(
            facts(noDefault, Optional.of(new Sequence("s", 1)), List.of(POSITION_INDEX)), config());

    assertThat(nullableFindings.errors().get("column.txid"))
        .singleElement()
        .asString()
        .contains("never read")
        .endsWith("SET DEFAULT pg_current_xact_id(), ALTER COLUMN \"txid\" SET NOT NULL;");
    assertThat(noDefaultFindings.errors()).isEmpty();
    assertThat(noDefaultFindings.warnings().get("column.txid"))
        .singleElement()
        .asString()
        .endsWith("SET DEFAULT pg_current_xact_id();");
  }

  @Test
  void severalTasksWithoutTheBucketIndexWarnWithItsStatement() {
    TableFindings one = PostgresOutboxTableCheck.judge(designFacts(), config(), 1);
    TableFindings eight = PostgresOutboxTableCheck.judge(designFacts(), config(), 8);

    assertThat(one.warnings()).isEmpty();
    assertThat(eight.warnings().get("table.name"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("tasks.max=8")
                    .contains("8 times the work")
                    .contains(
                        "CREATE INDEX CONCURRENTLY ON \"outbox\" (((hashtextextended(coalesce(CAST("
                            + "\"aggregateid\" AS text), ''), 0) & 9223372036854775807) % 256),"
                            + " \"txid\", \"seq\");"));
  }

  @Test
  void theBucketIndexAsPostgresqlPrintsItSilencesTheWarning() {
    Index bucketIndex =
        new Index(
            "outbox_bucket",
            "btree",
            Arrays.asList(null, "txid", "seq"),
            false,
            true,
            "((hashtextextended(COALESCE(aggregateid, ''::text), 0::bigint) &"
                + " '9223372036854775807'::bigint) % 256::bigint)");
    TableFacts facts =
        facts(
            designColumns(),
            Optional.of(new Sequence("outbox_seq_seq", 1)),
            List.of(POSITION_INDEX, bucketIndex));

    assertThat(PostgresOutboxTableCheck.judge(facts, config(), 8).warnings()).isEmpty();
  }

  @Test
  void theDesignTableHasNoFindings() {
    TableFindings findings = PostgresOutboxTableCheck.judge(designFacts(), config());

    assertThat(findings.errors()).isEmpty();
    assertThat(findings.warnings()).isEmpty();
  }

  @Test
  void aCachedSequenceIsAnErrorOnThePositionWithTheFix() {
    TableFacts facts =
        facts(
            designColumns(),
            Optional.of(new Sequence("app.outbox_seq_seq", 20)),
            List.of(POSITION_INDEX));

    TableFindings findings = PostgresOutboxTableCheck.judge(facts, config());

    assertThat(findings.errors()).containsOnlyKeys("column.position");
    assertThat(findings.errors().get("column.position"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("Sequence app.outbox_seq_seq behind column seq has CACHE 20")
                    .contains("out of order")
                    .contains("ALTER SEQUENCE app.outbox_seq_seq CACHE 1;"));
    assertThat(findings.warnings()).isEmpty();
  }

  @Test
  void aPositionWithoutASequenceIsAnErrorThatExplainsWhy() {
    Map<String, Column> columns = designColumns();
    columns.put("seq", new Column("bigint", true, false, null));

    TableFindings findings =
        PostgresOutboxTableCheck.judge(
            facts(columns, Optional.empty(), List.of(POSITION_INDEX)),
            config("table.name", "app.outbox"));

    assertThat(findings.errors().get("column.position"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("takes its values from no sequence")
                    .contains("while the writer holds the aggregate's lock")
                    .contains("CREATE SEQUENCE app.outbox_seq_seq CACHE 1 OWNED BY app.outbox.seq;")
                    .contains(
                        "ALTER TABLE app.outbox ALTER COLUMN seq SET DEFAULT"
                            + " nextval('app.outbox_seq_seq');"));
  }

  @Test
  void aNextvalDefaultWhoseSequenceCannotBeFoundIsAWarningNotAnError() {
    Map<String, Column> columns = designColumns();
    columns.put("seq", new Column("bigint", true, false, "nextval(current_setting('x.seq'))"));

    TableFindings findings =
        PostgresOutboxTableCheck.judge(
            facts(columns, Optional.empty(), List.of(POSITION_INDEX)), config());

    assertThat(findings.errors()).isEmpty();
    assertThat(findings.warnings().get("column.position"))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("make sure that sequence has CACHE 1"));
  }

  @Test
  void theSequenceIsNotCheckedWhenThePositionTypeIsAlreadyWrong() {
    Map<String, Column> columns = designColumns();
    columns.put("seq", new Column("text", true, false, null));

    TableFindings findings =
        PostgresOutboxTableCheck.judge(
            facts(columns, Optional.empty(), List.of(POSITION_INDEX)), config());

    assertThat(findings.errors().get("column.position"))
        .singleElement()
        .satisfies(m -> assertThat(m).startsWith("Column seq is text, not an integer."));
  }

  @Test
  void aNullableAggregateIdWarnsWhereItsRowsGo() {
    Map<String, Column> columns = designColumns();
    columns.put("aggregateid", new Column("text", false, false, null));
    TableFacts facts = facts(columns, Optional.of(new Sequence("s", 1)), List.of(POSITION_INDEX));

    TableFindings routed =
        PostgresOutboxTableCheck.judge(facts, config("errors.invalid.topic", "outbox.invalid"));
    TableFindings failing = PostgresOutboxTableCheck.judge(facts, config());

    assertThat(routed.errors()).isEmpty();
    assertThat(routed.warnings().get("column.aggregate.id"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .startsWith("Column aggregateid is nullable.")
                    .contains(
                        "poison row (eventkit.error.reason=null-aggregate-id or blank-aggregate-id)")
                    .contains("it goes to errors.invalid.topic (outbox.invalid)")
                    .endsWith("Fix: ALTER TABLE outbox ALTER COLUMN aggregateid SET NOT NULL;"));
    assertThat(failing.warnings().get("column.aggregate.id"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("errors.invalid.topic is empty, so the task fails on such a row")
                    .endsWith("SET NOT NULL;"));
  }

  @Test
  void aNullableAggregateTypeWarnsThatItsRowsArePoison() {
    Map<String, Column> columns = designColumns();
    columns.put("aggregatetype", new Column("text", false, false, null));
    TableFacts facts = facts(columns, Optional.of(new Sequence("s", 1)), List.of(POSITION_INDEX));

    String published =
        PostgresOutboxTableCheck.judge(facts, config())
            .warnings()
            .get("column.aggregate.type")
            .get(0);
    String poison =
        PostgresOutboxTableCheck.judge(
                facts, config("topic.template", "${aggregate_type}", "errors.invalid.topic", "bad"))
            .warnings()
            .get("column.aggregate.type")
            .get(0);

    assertThat(published)
        .contains("poison row (eventkit.error.reason=null-aggregate-type")
        .contains("the task fails on such a row")
        .endsWith("ALTER TABLE outbox ALTER COLUMN aggregatetype SET NOT NULL;");
    assertThat(poison)
        .contains("eventkit.error.reason=null-aggregate-type")
        .contains("errors.invalid.topic (bad)");
  }

  @Test
  void aMissingOrUnusablePositionIndexIsAWarningWithTheStatement() {
    List<Index> unusable =
        List.of(
            new Index("by_seq_txid", "btree", List.of("seq", "txid"), false, true),
            new Index("partial_position", "btree", List.of("txid", "seq"), true, true),
            new Index("expr_position", "btree", Arrays.asList("txid", null), false, true),
            new Index("txid_only", "btree", List.of("txid"), false, true),
            new Index("broken_position", "btree", List.of("txid", "seq"), false, false));

    TableFindings findings =
        PostgresOutboxTableCheck.judge(
            facts(designColumns(), Optional.of(new Sequence("s", 1)), unusable), config());

    assertThat(findings.errors()).isEmpty();
    assertThat(findings.warnings().get("table.name"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .startsWith("Table outbox has no index on (txid, seq)")
                    .contains("partial_position is partial")
                    .contains("broken_position is invalid")
                    .doesNotContain("by_seq_txid")
                    .endsWith("Fix: CREATE INDEX CONCURRENTLY ON outbox (txid, seq);"));
  }

  @Test
  void anIndexCountsWhenItIsAValidFullBtreeStartingWithTxidThenPosition() {
    assertThat(PostgresOutboxTableCheck.whyNotPositionIndex(POSITION_INDEX, "txid", "seq"))
        .isNull();
    assertThat(
            PostgresOutboxTableCheck.whyNotPositionIndex(
                new Index("wide", "btree", List.of("txid", "seq", "aggregateid"), false, true),
                "txid",
                "seq"))
        .isNull();
    assertThat(
            PostgresOutboxTableCheck.whyNotPositionIndex(
                new Index("brin", "brin", List.of("txid", "seq"), false, true), "txid", "seq"))
        .isEqualTo("is a brin index, not a btree");
    assertThat(
            PostgresOutboxTableCheck.whyNotPositionIndex(
                new Index("other", "btree", List.of("txid", "pos"), false, true), "txid", "seq"))
        .startsWith("does not start with");
  }

  @Test
  void theIndexIsNotCheckedWhileTheCursorColumnsAreWrong() {
    Map<String, Column> columns = designColumns();
    columns.put("txid", new Column("bigint", true, false, null));

    TableFindings findings =
        PostgresOutboxTableCheck.judge(
            facts(columns, Optional.of(new Sequence("s", 1)), List.of()), config());

    assertThat(findings.errors()).containsOnlyKeys("column.txid");
    assertThat(findings.warnings()).isEmpty();
  }

  @Test
  void eventTimeTypes() {
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("timestamp with time zone")).isNull();
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("timestamp(3) with time zone")).isNull();
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("timestamp without time zone")).isNull();
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("bigint")).isNull();
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("integer")).contains("January 1970");
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("text")).contains("not parsed");
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("character varying(64)"))
        .contains("not parsed");
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("date")).contains("no time of day");
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("numeric(13,3)")).contains("fractional");
    assertThat(PostgresOutboxTableCheck.whyNotEventTime("uuid")).isNotNull();
  }

  @Test
  void aBigintTimestampIsAcceptedAndAnIntegerOneRefusedWithTheReason() {
    Map<String, Column> columns = designColumns();
    columns.put("timestamp", new Column("bigint", true, false, null));
    Map<String, Column> intColumns = designColumns();
    intColumns.put("timestamp", new Column("integer", true, false, null));
    Optional<Sequence> sequence = Optional.of(new Sequence("s", 1));

    assertThat(
            PostgresOutboxTableCheck.judge(
                    facts(columns, sequence, List.of(POSITION_INDEX)), config())
                .errors())
        .isEmpty();
    assertThat(
            PostgresOutboxTableCheck.judge(
                    facts(intColumns, sequence, List.of(POSITION_INDEX)), config())
                .errors()
                .get("column.timestamp"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .startsWith("Column timestamp is integer: it holds epoch milliseconds only")
                    .contains("bigint epoch milliseconds"));
  }

  @Test
  void missingPrivilegesAreErrorsOnTheUser() {
    TableFacts selectOnly =
        new TableFacts(
            designColumns(),
            "relay",
            true,
            false,
            Optional.of(new Sequence("s", 1)),
            List.of(POSITION_INDEX));

    assertThat(PostgresOutboxTableCheck.judge(selectOnly, config()).errors()).isEmpty();
    assertThat(
            PostgresOutboxTableCheck.judge(selectOnly, config("cleanup.policy", "delete"))
                .errors()
                .get("connection.user"))
        .containsExactly(
            "Role relay lacks DELETE on outbox (needed by cleanup.policy=delete):"
                + " GRANT DELETE ON outbox TO relay;");
  }

  @Test
  void theSequenceNamedInADefault() {
    assertThat(PostgresOutboxTableCheck.sequenceNamedIn("nextval('outbox_seq_seq'::regclass)"))
        .contains("outbox_seq_seq");
    assertThat(
            PostgresOutboxTableCheck.sequenceNamedIn(
                "nextval(('app.outbox_positions'::text)::regclass)"))
        .contains("app.outbox_positions");
    assertThat(PostgresOutboxTableCheck.sequenceNamedIn("nextval('\"Odd''s Seq\"'::regclass)"))
        .contains("\"Odd's Seq\"");
    assertThat(PostgresOutboxTableCheck.sequenceNamedIn("NEXTVAL('s')")).contains("s");
    assertThat(PostgresOutboxTableCheck.sequenceNamedIn("now()")).isEmpty();
    assertThat(PostgresOutboxTableCheck.sequenceNamedIn(null)).isEmpty();
  }
}
