package dev.eventkit.connect.outbox;

import dev.eventkit.testkit.docs.ConfigReference;
import org.junit.jupiter.api.Test;

/** docs/outbox-source-connector.md is generated from the ConfigDef and must match it. */
class ConfigReferenceTest {

  private static final String INTRODUCTION =
      """
      `connector.class`: `dev.eventkit.connect.outbox.OutboxSourceConnector`

      Publishes committed rows of a transactional outbox table to domain-event topics: key = aggregate
      id, value = payload, timestamp = event time, headers `event.id`, `event.type`,
      `event.aggregate.type`, `event.aggregate.id`, `event.time` (ISO-8601) plus `header.columns`.
      See the README for the table DDL, worker settings and operating notes.

      Column and table names are SQL identifiers used exactly as configured (case-sensitive).

      ### payload.format=struct: schema inference rules

      - Every field and element is optional; object fields are sorted by name.
      - string → STRING, true/false → BOOLEAN, integer → INT64, decimal → FLOAT64, object → STRUCT
        (an empty object is a STRUCT without fields).
      - null carries no type: a field that is null wherever it appears is an optional STRING holding null.
      - Arrays: the element schema merges all elements; INT64 with FLOAT64 gives FLOAT64, STRUCTs merge
        into the union of their fields; an empty array (or one of nulls only) has STRING elements.
      - Elements or merged fields whose types still conflict (`[1, "a", {"b": 2}]`) become STRING and
        non-string values there are written as their JSON text (`["1", "a", "{\\"b\\":2}"]`).
      - Integers beyond 64 bits make the row a poison row (never rounded).
      - Schemas are interned in a bounded LRU cache (256 shapes): events of one shape share one schema.

      ### Poison rows

      A row that cannot become an event (NULL aggregate id, a topic name Kafka rejects, invalid JSON
      under `json`/`struct`, a NULL payload without tombstones) goes to `errors.invalid.topic` with its
      stored payload as text and headers `eventkit.error.reason` (`null-event-id`, `null-aggregate-id`,
      `invalid-topic`, `null-payload`, `invalid-json`), `eventkit.error.column`,
      `eventkit.error.message`, `eventkit.error.topic` and `eventkit.error.position` (`txid:seq`).
      Without that option the task fails with a message naming the row.

      ### Validation

      `PUT /connector-plugins/dev.eventkit.connect.outbox.OutboxSourceConnector/config/validate`
      checks the table as well as the options (PostgreSQL poll mode). **Errors** block creation; each
      sits on the option at fault with the SQL that fixes it: a missing table, column or privilege;
      `column.txid` not `xid8`; `column.position` not an integer, taking its values from no sequence
      (neither identity nor `DEFAULT nextval(...)`), or from a sequence with a `CACHE` above 1 (each
      session then takes a block of values, so `seq` no longer follows the order in which writers lock
      an aggregate: `ALTER SEQUENCE <name> CACHE 1;`); `column.timestamp` not `timestamptz`,
      `timestamp` or `bigint` epoch milliseconds. A failed connection reads
      `Cannot connect to the database: <driver message>`, with the URL's query string and anything
      like `password=...` hidden; the answer echoes `connection.url` as `jdbc:postgresql://host/db?[hidden]`.

      **Warnings** do not block creation. Connect's answer has no field for them, so they are the value
      of the read-only option `validation.warnings`, one per line as `option: message` (empty when
      there are none; the worker log has them too): a nullable `column.aggregate.id` or
      `column.aggregate.type` (what happens to such rows, and `ALTER TABLE ... SET NOT NULL`), and no
      valid, non-partial btree index whose first two key columns are `(txid, seq)`
      (`CREATE INDEX CONCURRENTLY ...`).

      ```bash
      curl -s -X PUT -H 'Content-Type: application/json' --data @config.json \\
        http://localhost:8083/connector-plugins/dev.eventkit.connect.outbox.OutboxSourceConnector/config/validate \\
        | jq -r '.configs[].value | select(.name == "validation.warnings") | .value'
      ```

      ### Metrics

      JMX MBean `dev.eventkit.connect:type=outbox-source-task,connector="<name>",task=<n>`:
      `EventsPublished`, `InvalidRows`, `RowsLastPoll`, `BacklogRows`, `OldestUnpublishedEventAgeMs`,
      `CommitToPublishLagMs` (event time to Kafka acknowledgement), `HorizonStallAgeMs`,
      `HorizonStallPid`.
      """;

  @Test
  void docsMatchTheConfigDef() {
    ConfigReference.assertUpToDate(
        "outbox-source-connector.md",
        ConfigReference.markdown(
            "Outbox source connector configuration",
            INTRODUCTION,
            OutboxSourceConnectorConfig.CONFIG_DEF));
  }
}
