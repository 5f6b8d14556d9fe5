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
      Databases: PostgreSQL and MariaDB/MySQL in poll mode, chosen from the `connection.url` prefix;
      PostgreSQL also in log mode (`capture.mode=log`: embedded Debezium reading a pgoutput slot, one
      task). See the README for the table DDL of each, choosing a mode, worker settings, operating
      notes and troubleshooting.

      Column and table names are SQL identifiers used exactly as configured (case-sensitive).

      ### payload.format=json: numbers

      JSON numbers are read without rounding and become what JsonConverter (`schemas.enable=false`)
      writes back as the same number; it writes only Long and Double as JSON numbers:

      - an integer that fits in 64 bits → Long (every digit, also beyond 2^53);
      - a decimal whose Double is written back as the same number (`0.1`, `19.99`) → Double
        (`19.50` is written `19.5`: same value);
      - any other number (an integer beyond 64 bits, a decimal with more digits than a double holds)
        → a JSON string of its exact digits (`"12345678901234567.89"`). Use `struct` or `string` when
        consumers need such values as JSON numbers.

      ### payload.format=struct: schema inference rules

      - Every field and element is optional; object fields are sorted by name.
      - string → STRING, true/false → BOOLEAN, object → STRUCT (an empty object is a STRUCT without
        fields).
      - Numbers never go through a double: an integer that fits in 64 bits → INT64; a larger integer →
        Connect `Decimal` of scale 0; a number with a fraction or exponent → `Decimal` with the scale it
        is written with (`19.99` and `19.50` scale 2, `1e5` scale 0). Writers that always write a
        field with the same number of decimals get one schema for it. With JsonConverter set
        `decimal.format=NUMERIC` to see Decimals as JSON numbers (the default writes base64).
      - null carries no type: a field that is null wherever it appears is an optional STRING holding null.
      - Arrays: the element schema merges all elements; numbers merge into INT64 when all are INT64,
        otherwise into a `Decimal` with the largest scale seen (`[1, 2.5, 0.125]` → `1.000, 2.500,
        0.125`); STRUCTs merge into the union of their fields; an empty array (or one of nulls only)
        has STRING elements.
      - Elements or merged fields whose types still conflict (`[1, "a", {"b": 2}]`) become STRING and
        non-string values there are written as their exact JSON text (`["1", "a", "{\\"b\\":2}"]`).
      - A number needing more than 1000 digits before or after the point (`1e999999999`) makes the row
        a poison row (never rounded), and so do a document nested more than 100 levels deep (no
        converter can write a schema that deep) and an object field with an empty name (no Struct
        field can have one): `json` or `string` keeps such documents.
      - Schemas are interned in a bounded LRU cache (256 shapes): events of one shape share one schema.

      ### Poison rows

      A row that cannot become an event (a NULL, empty or blank aggregate id or aggregate type, a
      NULL/empty/blank event type when `topic.template` uses `${event_type}`, a topic name Kafka
      rejects, invalid JSON under `json`/`struct`, a binary payload column holding bytes that are not
      UTF-8 under `string`/`json`/`struct`, a NULL payload without tombstones) goes to
      `errors.invalid.topic` with its stored payload as text (key: the aggregate id as stored, possibly
      null; a payload that is not UTF-8 text as base64, with header
      `eventkit.error.payload.encoding: base64`) and headers `eventkit.error.reason`
      (`null-event-id`, `null-aggregate-id`, `blank-aggregate-id`, `null-aggregate-type`,
      `blank-aggregate-type`, `null-event-type`, `blank-event-type`, `invalid-topic`,
      `null-payload`, `invalid-json`, `invalid-utf8`), `eventkit.error.column`,
      `eventkit.error.message`, `eventkit.error.topic` (the topic it would have had, a missing value
      left as its placeholder: `${aggregate_type}.events`) and `eventkit.error.position` (`txid:seq`
      on PostgreSQL, the auto-increment id on MariaDB/MySQL, `lsn 0/16B3748` in log mode, for a row
      read by the initial snapshot the snapshot's LSN).
      Without that option the task fails with a message naming the row. No event is ever published
      with a null key or to a topic built from a missing value.

      ### Validation

      `PUT /connector-plugins/dev.eventkit.connect.outbox.OutboxSourceConnector/config/validate`
      checks the table as well as the options. **Errors** block creation; each sits on the option at
      fault with the SQL that fixes it.

      - PostgreSQL: a missing table, column or privilege; `column.txid` not `xid8`; `column.position`
        not an integer, taking its values from no sequence (neither identity nor
        `DEFAULT nextval(...)`), or from a sequence with a `CACHE` above 1 (each session then takes a
        block of values, so `seq` no longer follows the order in which writers lock an aggregate:
        `ALTER SEQUENCE <name> CACHE 1;`); `column.timestamp` not `timestamptz`, `timestamp` or
        `bigint` epoch milliseconds.
      - MariaDB/MySQL: a missing table; an engine other than InnoDB (`ALTER TABLE ... ENGINE=InnoDB;`);
        a missing mapped column (`column.txid` is not checked: this table has none); `column.position`
        not an integer `AUTO_INCREMENT` column; `column.timestamp` not `TIMESTAMP`, `DATETIME` or
        `BIGINT`; `poll.notify.channel` set (LISTEN/NOTIFY is PostgreSQL's); no `SELECT` on the table
        (on `connection.user`, with the `GRANT`); no `DELETE` while `cleanup.policy=delete` (on
        `cleanup.policy`, with the `GRANT`).
      - Log mode (PostgreSQL): `wal_level` not `logical` (on `capture.mode`); a role without
        `REPLICATION` (or `rds_replication` membership on RDS/Aurora; on `connection.user`, with the
        `ALTER ROLE`); a publication that exists without the outbox table or without inserts, or none
        and a role that cannot create it (on `log.publication.name`, with the statement for the
        table's owner); a slot or publication name other than lower-case letters, digits and `_`; a
        slot of another plugin or database, one that has lost WAL (`wal_status` lost), or no free slot
        (on `log.slot.name`); a partitioned outbox (on `table.name`); a URL naming several hosts (on
        `connection.url`); `cleanup.policy=delete`; MariaDB/MySQL URLs (on `capture.mode`). The
        txid/position columns and their indexes are not needed.

      A failed connection reads `Cannot connect to the database: <driver message>`, with the URL's
      query string and anything like `password=...` hidden; the answer echoes `connection.url` with its
      query string hidden, e.g. `jdbc:postgresql://host/db?[hidden]`.

      **Warnings** do not block creation. Connect's answer has no field for them, so they are the value
      of the read-only option `validation.warnings`, one per line as `option: message` (empty when
      there are none; the worker log has them too).

      - PostgreSQL: a nullable `column.aggregate.id` or `column.aggregate.type` (what happens to such
        rows, and `ALTER TABLE ... SET NOT NULL`); no valid, non-partial btree index whose first two
        key columns are `(txid, seq)` (`CREATE INDEX CONCURRENTLY ...`); with `tasks.max` > 1, no
        bucket index (without it every task reads every task's rows; the warning gives the
        `CREATE INDEX CONCURRENTLY` statement); and a `column.position` default calling a sequence it
        cannot identify (make sure that sequence has `CACHE 1`).
      - MariaDB/MySQL: a nullable `column.aggregate.id` or `column.aggregate.type`
        (`ALTER TABLE ... MODIFY ... NOT NULL;`); no `PROCESS` privilege (on `poll.gap.timeout.ms`:
        a gap with no row in flight is then passed after that timeout; the warning gives
        `GRANT PROCESS ON *.* TO 'user'@'host';` and, with `innodb_autoinc_lock_mode=2`, notes that
        multi-row inserts may leave holes that each wait that long); without `PROCESS`, a
        `poll.gap.timeout.ms` not above `innodb_lock_wait_timeout` (an insert may wait that long for a
        lock after taking its id); `cleanup.policy=delete` with `tasks.max` > 1 (each task deletes only
        up to the slowest task's committed position).
      - Log mode: `tasks.max` > 1 (one task runs); a slot already in use by another session (fine if
        it is this connector's running task); no `column.position` while `log.snapshot.mode=initial`
        (the snapshot then reads rows in no particular order); PostgreSQL before 15; no `EXECUTE`
        on `pg_logical_emit_message` (heartbeats). Poll mode: an unused slot left by log mode.

      ```bash
      curl -s -X PUT -H 'Content-Type: application/json' --data @config.json \\
        http://localhost:8083/connector-plugins/dev.eventkit.connect.outbox.OutboxSourceConnector/config/validate \\
        | jq -r '.configs[].value | select(.name == "validation.warnings") | .value'
      ```

      ### Metrics

      JMX MBean `dev.eventkit.connect:type=outbox-source-task,connector="<name>",task=<n>`:

      - `EventsPublished`: records Kafka acknowledged, domain events and invalid-row records alike.
      - `InvalidRows`: poison rows sent to `errors.invalid.topic`.
      - `Retries`: database errors retried with backoff since the task started.
      - `RowsLastPoll`: rows the last non-empty poll returned.
      - `BacklogRows`: this task's unpublished rows after its position, measured every 5 seconds and
        counted up to 10,000 (a larger backlog reads as 10,000: counting more every 5 seconds would
        cost the database what it measures; `OldestUnpublishedEventAgeMs` tells how far behind a
        larger backlog is); -1 in log mode (see `ReplicationLagBytes`).
      - `OldestUnpublishedEventAgeMs`: age, by its event time, of this task's next unpublished row in
        cursor order (`(txid, seq)` on PostgreSQL, the id on MariaDB/MySQL); 0 when none waits.
      - `LastPollAgeMs`: how long ago the task's `poll()` last returned to Connect (before the first,
        since the task started). A running task returns within about a second plus the time its
        database calls take, with records or without, so this stays low. It rises whenever Connect
        stops calling it: the connector paused, the task's producer blocked on Kafka, or an instance
        Connect gave up on whose thread never finished stopping, whose other metrics stay frozen.
        Alert when it passes a minute on a connector that is not paused.
      - `CommitToPublishLagMs`: event time to Kafka acknowledgement of the last published event.
      - `HorizonStallAgeMs`: PostgreSQL: while committed rows wait behind the commit horizon, how long
        the transaction holding it has been open. MariaDB/MySQL: while rows wait behind an open gap,
        how long that gap has been open. 0 when none.
      - `HorizonStallPid`: PostgreSQL: that transaction's backend pid, -1 when it is a prepared
        transaction. MariaDB/MySQL: the thread id of a transaction the gap waits for (`KILL <thread>`
        ends it), -1 without the `PROCESS` privilege. -1 when none.
      - `OpenGaps` (MariaDB/MySQL; always 0 on PostgreSQL): missing id ranges after the task's
        position as of its last read (a transaction not yet committed, or a rolled-back insert); 0
        when none.
      - `OldestOpenGapAgeMs`: how long the first open gap has held later rows back; 0 when none.
      - `GapsExpired`: gaps passed after `poll.gap.timeout.ms` with no row there committed or in
        flight (only without `PROCESS`), since the task started: almost always rolled-back inserts; a
        row inserted in one of them later was not published.
      - `ReplicationLagBytes` (log mode; -1 in poll mode): WAL PostgreSQL keeps for the slot beyond
        its confirmed position, measured every 5 seconds. It grows while the task is behind or cannot
        commit offsets; alert when it keeps growing.
      - `ReplicationLagMs` (log mode): how long before the task read it the last change it read had
        committed; 0 when the log had nothing new.
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
