package dev.eventkit.connect.outbox;

import dev.eventkit.connect.outbox.record.PayloadFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** The outbox source connector's options, parsed once into typed values. */
public final class OutboxSourceConnectorConfig extends AbstractConfig {

  private static final String GROUP_CONNECTION = "Connection";
  private static final String GROUP_TABLE = "Outbox table";
  private static final String GROUP_RECORDS = "Records";
  private static final String GROUP_POLLING = "Polling";
  private static final String GROUP_ERRORS = "Errors and cleanup";
  private static final String GROUP_LOG = "Log capture";
  private static final String GROUP_VALIDATION = "Validation";

  public static final String CONNECTION_URL_CONFIG = "connection.url";
  private static final String CONNECTION_URL_DOC =
      "JDBC URL of the database holding the outbox table, e.g."
          + " jdbc:postgresql://db:5432/orders, jdbc:mariadb://db:3306/orders or"
          + " jdbc:mysql://db:3306/orders (MySQL through the MariaDB driver). On MariaDB/MySQL it"
          + " must name the server the writers write to, not a replica: gaps are decided from that"
          + " server's running transactions. Config providers work: ${file:...}, ${env:...}."
          + " Connections get connectTimeout=10 and socketTimeout=60 (seconds) and"
          + " tcpKeepAlive=true; parameters written into the URL override them.";

  public static final String CONNECTION_USER_CONFIG = "connection.user";
  private static final String CONNECTION_USER_DOC =
      "Database role (MariaDB/MySQL: user) the connector connects as. It needs SELECT on the"
          + " outbox table, and DELETE when cleanup.policy=delete. PostgreSQL: with"
          + " pg_read_all_stats it can also name other roles' sessions that hold the commit horizon"
          + " back. MariaDB/MySQL: with the global PROCESS privilege (GRANT PROCESS ON *.*) it reads"
          + " information_schema.INNODB_TRX and decides every gap exactly; without it, gaps are"
          + " passed after poll.gap.timeout.ms.";

  public static final String CONNECTION_PASSWORD_CONFIG = "connection.password";
  private static final String CONNECTION_PASSWORD_DOC =
      "Password of connection.user. Prefer a config provider, e.g."
          + " ${file:/etc/kafka/secrets.properties:outbox.password}.";

  public static final String CAPTURE_MODE_CONFIG = "capture.mode";
  private static final String CAPTURE_MODE_DOC =
      "How committed rows are found: 'poll' reads the table with SQL, publishing only committed"
          + " rows (PostgreSQL: a (txid, seq) cursor below the commit horizon; MariaDB/MySQL: a"
          + " gap-aware auto-increment cursor); 'log' reads PostgreSQL's write-ahead log through"
          + " embedded Debezium (pgoutput through a replication slot; one task; not available on"
          + " MariaDB/MySQL). Both"
          + " publish the same records; see the README's mode table for what each needs.";
  public static final String CAPTURE_MODE_POLL = "poll";
  public static final String CAPTURE_MODE_LOG = "log";

  public static final String TABLE_NAME_CONFIG = "table.name";
  private static final String TABLE_NAME_DOC =
      "The outbox table, optionally schema-qualified (schema.table; on MariaDB/MySQL"
          + " database.table).";

  public static final String COLUMN_EVENT_ID_CONFIG = "column.event.id";
  public static final String COLUMN_AGGREGATE_TYPE_CONFIG = "column.aggregate.type";
  public static final String COLUMN_AGGREGATE_ID_CONFIG = "column.aggregate.id";
  public static final String COLUMN_EVENT_TYPE_CONFIG = "column.event.type";
  public static final String COLUMN_PAYLOAD_CONFIG = "column.payload";
  public static final String COLUMN_TIMESTAMP_CONFIG = "column.timestamp";
  public static final String COLUMN_TXID_CONFIG = "column.txid";
  public static final String COLUMN_POSITION_CONFIG = "column.position";

  public static final String HEADER_COLUMNS_CONFIG = "header.columns";
  private static final String HEADER_COLUMNS_DOC =
      "Extra columns copied into record headers as UTF-8 strings, each 'column' or"
          + " 'column:header', e.g. 'correlation_id:correlation.id,traceparent'. A NULL value adds"
          + " no header.";

  public static final String TOPIC_TEMPLATE_CONFIG = "topic.template";
  private static final String TOPIC_TEMPLATE_DOC =
      "Topic of each event. Placeholders: ${aggregate_type}, ${event_type}. A row whose topic"
          + " Kafka would reject is a poison row (see errors.invalid.topic).";

  public static final String PAYLOAD_FORMAT_CONFIG = "payload.format";
  private static final String PAYLOAD_FORMAT_DOC =
      "How the payload column becomes the record value: 'string' (the stored text, byte-exact"
          + " with StringConverter), 'bytes' (UTF-8 bytes of the text, or the raw bytes of a binary"
          + " column: bytea, or BLOB/BINARY/VARBINARY on MariaDB/MySQL), 'json' (schemaless"
          + " Map/List, for JsonConverter with schemas.enable=false),"
          + " 'struct' (a Connect Struct with a schema inferred from the JSON; see the inference"
          + " rules in the connector documentation).";

  public static final String TOMBSTONE_ON_NULL_PAYLOAD_CONFIG = "tombstones.on.null.payload";
  private static final String TOMBSTONE_ON_NULL_PAYLOAD_DOC =
      "When true, a row with a NULL payload becomes a tombstone (null value) for its aggregate."
          + " When false, such a row is a poison row.";

  public static final String POLL_INTERVAL_MS_CONFIG = "poll.interval.ms";
  private static final String POLL_INTERVAL_MS_DOC =
      "How long the task waits for new rows after a poll that found none. With"
          + " poll.notify.channel set (PostgreSQL), a notification ends the wait at once.";

  public static final String POLL_MAX_ROWS_CONFIG = "poll.max.rows";
  private static final String POLL_MAX_ROWS_DOC =
      "Most rows a poll returns. PostgreSQL: a batch ends at the last safe cut within this many"
          + " rows (a point after which no row can be an earlier event of an aggregate in the"
          + " batch). A database transaction is never split across Kafka transactions: one with"
          + " more rows, or a run of interleaved transactions that must be published together,"
          + " goes out in parts of at most this many rows over several polls (exactly-once needs"
          + " transaction.boundary=connector for that). MariaDB/MySQL: a read takes at most this"
          + " many rows in id order, of every task (each task reads every id and publishes its"
          + " own); with exactly-once, a poll's rows form one Kafka transaction, so one database"
          + " transaction's rows may span two.";

  public static final String POLL_NOTIFY_CHANNEL_CONFIG = "poll.notify.channel";
  private static final String POLL_NOTIFY_CHANNEL_DOC =
      "PostgreSQL LISTEN channel that wakes the poller, fed by a trigger on the outbox table"
          + " (see the README for the DDL). Empty, or set without such a trigger: the task reads"
          + " every poll.interval.ms.";

  public static final String POLL_GAP_TIMEOUT_MS_CONFIG = "poll.gap.timeout.ms";
  private static final String POLL_GAP_TIMEOUT_MS_DOC =
      "MariaDB/MySQL poll mode without the PROCESS privilege: how long a missing auto-increment id"
          + " (a gap) holds back the rows after it once no row is there even for a READ UNCOMMITTED"
          + " read. A gap whose row is in flight (inserted, not yet committed) is held for as long"
          + " as its transaction runs, whatever this says. An empty gap is a rolled-back insert, or"
          + " a statement that has taken the id and not inserted the row yet; after this long it is"
          + " passed with a WARN naming the ids (counted in GapsExpired). Keep it above"
          + " innodb_lock_wait_timeout (an insert can wait that long for a lock after taking its"
          + " id) and above your largest multi-row INSERT's run time. With PROCESS the connector"
          + " lists the running transactions (information_schema.INNODB_TRX) and waits exactly;"
          + " this option is not used.";

  public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
  private static final String RETRY_BACKOFF_MS_DOC =
      "First wait before retrying after a transient database error (connection loss, failover,"
          + " statement timeout, serialization failure); doubles per failed attempt up to"
          + " retry.backoff.max.ms. The task stays RUNNING and resumes at its last position."
          + " Other errors (a refused login, a missing table, column or privilege, bad data) are"
          + " not retried: they fail the task.";

  public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "retry.backoff.max.ms";
  private static final String RETRY_BACKOFF_MAX_MS_DOC =
      "Longest wait between retries after transient database errors.";

  public static final String OFFSETS_PROBE_INTERVAL_MS_CONFIG = "offsets.probe.interval.ms";
  private static final String OFFSETS_PROBE_INTERVAL_MS_DOC =
      "How often the connector reads its committed source offsets, the read Connect makes before"
          + " it starts a task, and reports in the connector's OffsetsReadWaitMs metric how long"
          + " the current read has waited. With exactly-once support a transaction left open on"
          + " the offsets topic holds that read, and any restarting task, while the REST API says"
          + " RUNNING; the wait is logged every 2 minutes while it lasts (see the README's"
          + " operating notes). Each read asks the brokers for the offsets topic's end offsets and"
          + " reads what was written since the last one. 0 turns the probe off.";

  public static final String HORIZON_STALL_WARN_MS_CONFIG = "horizon.stall.warn.ms";
  private static final String HORIZON_STALL_WARN_MS_DOC =
      "When committed rows wait behind an older transaction that has been open (or prepared)"
          + " this long, log a warning naming it (pid, xid and application, or a prepared"
          + " transaction's gid and xid) and its age, and again every this many ms while it"
          + " lasts. On MariaDB/MySQL: when rows have waited this long behind a gap, the warning"
          + " names the gap's ids and the InnoDB transactions (trx id, thread id) it waits for, or"
          + " says they cannot be listed without PROCESS. The HorizonStallAgeMs and"
          + " HorizonStallPid metrics show it at once.";

  public static final String CLEANUP_POLICY_CONFIG = "cleanup.policy";
  private static final String CLEANUP_POLICY_DOC =
      "'none' leaves rows in the table; 'delete' deletes each row once Kafka has acknowledged its"
          + " record (in batches). On MariaDB/MySQL with tasks.max > 1, each task deletes its rows"
          + " only up to the committed position of the slowest task (one that has published"
          + " nothing yet holds cleanup back).";
  public static final String CLEANUP_NONE = "none";
  public static final String CLEANUP_DELETE = "delete";

  public static final String CLEANUP_BATCH_SIZE_CONFIG = "cleanup.batch.size";
  private static final String CLEANUP_BATCH_SIZE_DOC = "Most rows deleted per DELETE batch.";

  public static final String ERRORS_INVALID_TOPIC_CONFIG = "errors.invalid.topic";
  private static final String ERRORS_INVALID_TOPIC_DOC =
      "Topic for poison rows: a NULL event id, a NULL, empty or blank aggregate id or aggregate"
          + " type, a missing event type when topic.template uses ${event_type}, a topic name"
          + " Kafka rejects, a payload that is not valid JSON under payload.format=json/struct, a"
          + " NULL payload without tombstones. Such a record carries the stored payload text and"
          + " eventkit.error.* headers. Empty: the task fails with a message naming the row. Rows"
          + " are never dropped silently.";

  public static final String LOG_SLOT_NAME_CONFIG = "log.slot.name";
  private static final String LOG_SLOT_NAME_DOC =
      "capture.mode=log, PostgreSQL: the logical replication slot (created at the first start if"
          + " missing, with the pgoutput plugin); lower-case letters, digits and _, at most 63."
          + " Empty: eventkit_, the connector name in lower case (other characters replaced by _,"
          + " cut at 44), _ and 8 hex digits of a hash of the exact name. A slot keeps the"
          + " database's WAL until the connector confirms it: a connector deleted for good must"
          + " have its slot dropped (SELECT pg_drop_replication_slot('<slot>')), or set"
          + " log.slot.drop.on.stop for disposable setups.";

  public static final String LOG_PUBLICATION_NAME_CONFIG = "log.publication.name";
  private static final String LOG_PUBLICATION_NAME_DOC =
      "capture.mode=log, PostgreSQL: the publication the slot streams; lower-case letters,"
          + " digits and _, at most 63. Created at the first start if missing, for the outbox table"
          + " only, publishing inserts and updates (inserts only with log.update.behavior=ignore),"
          + " never deletes; the role must own the table. An existing one must include the outbox"
          + " table and publish inserts. Empty: the slot's name.";

  public static final String LOG_SLOT_DROP_ON_STOP_CONFIG = "log.slot.drop.on.stop";
  private static final String LOG_SLOT_DROP_ON_STOP_DOC =
      "capture.mode=log, PostgreSQL: drop the replication slot whenever the task stops (also on"
          + " a rebalance or restart). Only for disposable setups: what is committed while no"
          + " task runs is then not published.";

  public static final String LOG_SNAPSHOT_MODE_CONFIG = "log.snapshot.mode";
  private static final String LOG_SNAPSHOT_MODE_DOC =
      "capture.mode=log, when the connector has no log offset yet: 'initial' publishes the rows"
          + " already in the table first (ordered by column.position when the table has it),"
          + " skipping rows that this connector's poll-mode offsets say are published (the"
          + " poll-to-log cutover), then follows the log; 'no_data' starts at the log's current"
          + " end. A snapshot interrupted by a restart starts again.";
  public static final String SNAPSHOT_INITIAL = "initial";
  public static final String SNAPSHOT_NO_DATA = "no_data";

  public static final String LOG_UPDATE_BEHAVIOR_CONFIG = "log.update.behavior";
  private static final String LOG_UPDATE_BEHAVIOR_DOC =
      "capture.mode=log: what an UPDATE of an outbox row does. Outbox rows are written once;"
          + " 'ignore' skips updates, 'warn' skips them with a WARN naming the event id, 'fail'"
          + " fails the task naming it. DELETEs are always ignored, so rows may be deleted in the"
          + " transaction that inserts them.";
  public static final String UPDATE_IGNORE = "ignore";
  public static final String UPDATE_WARN = "warn";
  public static final String UPDATE_FAIL = "fail";

  public static final String LOG_HEARTBEAT_INTERVAL_MS_CONFIG = "log.heartbeat.interval.ms";
  private static final String LOG_HEARTBEAT_INTERVAL_MS_DOC =
      "capture.mode=log: how often, while the outbox is quiet, the task marks its place in the"
          + " log (PostgreSQL: a non-transactional logical message) and publishes a heartbeat"
          + " record on log.heartbeat.topic carrying it. Connect stores that offset, so the slot"
          + " confirms the log up to there and PostgreSQL can recycle WAL other tables' writes"
          + " produce.";

  public static final String LOG_HEARTBEAT_TOPIC_CONFIG = "log.heartbeat.topic";
  private static final String LOG_HEARTBEAT_TOPIC_DOC =
      "capture.mode=log: topic of the heartbeat records (key: connector name, value: ISO-8601"
          + " time). Created through topic.creation.default.* like the event topics; a compacted"
          + " topic keeps one record per connector.";

  public static final String VALIDATION_WARNINGS_CONFIG = "validation.warnings";
  private static final String VALIDATION_WARNINGS_DOC =
      "Read-only: in the answer of PUT /connector-plugins/{plugin}/config/validate, the value"
          + " lists the problems that do not block creation but weaken a guarantee, one per line"
          + " as 'option: message' (e.g. a nullable aggregate id, a missing (txid, seq) index, no"
          + " bucket index while tasks.max > 1, no PROCESS privilege on MariaDB/MySQL);"
          + " empty when there are none. The worker log has them too. Ignored if you set it.";

  /** Set by the connector on each task: which hash bucket of aggregate ids the task reads. */
  public static final String TASK_BUCKET_CONFIG = "task.bucket";

  /** Set by the connector on each task: how many buckets the ids are split into. */
  public static final String TASK_BUCKET_COUNT_CONFIG = "task.bucket.count";

  public static final ConfigDef CONFIG_DEF = configDef();

  private final String captureMode;
  private final PayloadFormat payloadFormat;
  private final OutboxColumns columns;
  private final Map<String, String> headerColumns;

  public OutboxSourceConnectorConfig(Map<?, ?> originals) {
    super(CONFIG_DEF, originals, false); // Kafka would log every value, secrets in URLs too
    captureMode = getString(CAPTURE_MODE_CONFIG).toLowerCase(Locale.ROOT);
    payloadFormat = PayloadFormat.parse(getString(PAYLOAD_FORMAT_CONFIG));
    headerColumns = parseHeaderColumns(getList(HEADER_COLUMNS_CONFIG));
    columns =
        new OutboxColumns(
            getString(COLUMN_EVENT_ID_CONFIG),
            getString(COLUMN_AGGREGATE_TYPE_CONFIG),
            getString(COLUMN_AGGREGATE_ID_CONFIG),
            getString(COLUMN_EVENT_TYPE_CONFIG),
            getString(COLUMN_PAYLOAD_CONFIG),
            getString(COLUMN_TIMESTAMP_CONFIG),
            getString(COLUMN_TXID_CONFIG),
            getString(COLUMN_POSITION_CONFIG),
            headerColumns);
  }

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    int order = 0;
    def.define(
        CONNECTION_URL_CONFIG,
        Type.STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        CONNECTION_URL_DOC,
        GROUP_CONNECTION,
        ++order,
        Width.LONG,
        "JDBC URL");
    def.define(
        CONNECTION_USER_CONFIG,
        Type.STRING,
        null,
        Importance.HIGH,
        CONNECTION_USER_DOC,
        GROUP_CONNECTION,
        ++order,
        Width.MEDIUM,
        "Database user");
    def.define(
        CONNECTION_PASSWORD_CONFIG,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        CONNECTION_PASSWORD_DOC,
        GROUP_CONNECTION,
        ++order,
        Width.MEDIUM,
        "Database password");
    def.define(
        CAPTURE_MODE_CONFIG,
        Type.STRING,
        CAPTURE_MODE_POLL,
        ConfigDef.CaseInsensitiveValidString.in(CAPTURE_MODE_POLL, CAPTURE_MODE_LOG),
        Importance.HIGH,
        CAPTURE_MODE_DOC,
        GROUP_CONNECTION,
        ++order,
        Width.SHORT,
        "Capture mode");

    order = 0;
    def.define(
        TABLE_NAME_CONFIG,
        Type.STRING,
        "outbox",
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        TABLE_NAME_DOC,
        GROUP_TABLE,
        ++order,
        Width.MEDIUM,
        "Outbox table");
    order =
        defineColumn(def, COLUMN_EVENT_ID_CONFIG, "id", "Event id: record header event.id.", order);
    order =
        defineColumn(
            def,
            COLUMN_AGGREGATE_TYPE_CONFIG,
            "aggregatetype",
            "Aggregate type: routes the event to its topic through topic.template. A NULL,"
                + " empty or blank value makes the row a poison row.",
            order);
    order =
        defineColumn(
            def,
            COLUMN_AGGREGATE_ID_CONFIG,
            "aggregateid",
            "Aggregate id: the record key, so every aggregate's events share a partition and"
                + " stay in order. A NULL, empty or blank value makes the row a poison row.",
            order);
    order =
        defineColumn(
            def, COLUMN_EVENT_TYPE_CONFIG, "type", "Event type: header event.type.", order);
    order =
        defineColumn(
            def,
            COLUMN_PAYLOAD_CONFIG,
            "payload",
            "Event body: the record value, shaped by payload.format.",
            order);
    order =
        defineColumn(
            def,
            COLUMN_TIMESTAMP_CONFIG,
            "timestamp",
            "Event time: the record timestamp and header event.time (ISO-8601). Its type on"
                + " PostgreSQL: timestamptz, timestamp (read as UTC) or bigint epoch milliseconds;"
                + " on MariaDB/MySQL: TIMESTAMP, DATETIME (read as UTC) or BIGINT epoch"
                + " milliseconds.",
            order);
    order =
        defineColumn(
            def,
            COLUMN_TXID_CONFIG,
            "txid",
            "Id of the transaction that wrote the row (PostgreSQL poll mode): an xid8 NOT NULL"
                + " column with DEFAULT pg_current_xact_id(). With column.position it forms the"
                + " commit-safe cursor (txid, seq). Ignored on MariaDB/MySQL, whose outbox has no"
                + " such column.",
            order);
    order =
        defineColumn(
            def,
            COLUMN_POSITION_CONFIG,
            "seq",
            "Row's place in its aggregate's order, whose value the writer takes while it holds"
                + " the aggregate's lock. PostgreSQL: an integer column fed by a sequence with"
                + " CACHE 1 (bigserial has it). MariaDB/MySQL: an integer AUTO_INCREMENT column"
                + " (usually the primary key), the poll cursor itself.",
            order);

    order = 0;
    def.define(
        TOPIC_TEMPLATE_CONFIG,
        Type.STRING,
        "${aggregate_type}.events",
        new ConfigDef.NonEmptyString(),
        Importance.HIGH,
        TOPIC_TEMPLATE_DOC,
        GROUP_RECORDS,
        ++order,
        Width.MEDIUM,
        "Topic template");
    def.define(
        PAYLOAD_FORMAT_CONFIG,
        Type.STRING,
        PayloadFormat.STRING.configValue(),
        ConfigDef.CaseInsensitiveValidString.in(PayloadFormat.configValues()),
        Importance.HIGH,
        PAYLOAD_FORMAT_DOC,
        GROUP_RECORDS,
        ++order,
        Width.SHORT,
        "Payload format");
    def.define(
        HEADER_COLUMNS_CONFIG,
        Type.LIST,
        "",
        Importance.MEDIUM,
        HEADER_COLUMNS_DOC,
        GROUP_RECORDS,
        ++order,
        Width.LONG,
        "Header columns");
    def.define(
        TOMBSTONE_ON_NULL_PAYLOAD_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.MEDIUM,
        TOMBSTONE_ON_NULL_PAYLOAD_DOC,
        GROUP_RECORDS,
        ++order,
        Width.SHORT,
        "Tombstones for NULL payloads");

    order = 0;
    def.define(
        POLL_INTERVAL_MS_CONFIG,
        Type.LONG,
        1000L,
        ConfigDef.Range.between(10, 3_600_000),
        Importance.MEDIUM,
        POLL_INTERVAL_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Poll interval (ms)");
    def.define(
        POLL_MAX_ROWS_CONFIG,
        Type.INT,
        1000,
        ConfigDef.Range.between(1, 100_000),
        Importance.MEDIUM,
        POLL_MAX_ROWS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Rows per poll");
    def.define(
        POLL_NOTIFY_CHANNEL_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        POLL_NOTIFY_CHANNEL_DOC,
        GROUP_POLLING,
        ++order,
        Width.MEDIUM,
        "Notify channel");
    def.define(
        POLL_GAP_TIMEOUT_MS_CONFIG,
        Type.LONG,
        60_000L,
        ConfigDef.Range.between(1, 86_400_000),
        Importance.MEDIUM,
        POLL_GAP_TIMEOUT_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Gap timeout (ms)");
    def.define(
        RETRY_BACKOFF_MS_CONFIG,
        Type.LONG,
        500L,
        ConfigDef.Range.between(1, 600_000),
        Importance.LOW,
        RETRY_BACKOFF_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Retry backoff (ms)");
    def.define(
        RETRY_BACKOFF_MAX_MS_CONFIG,
        Type.LONG,
        30_000L,
        ConfigDef.Range.between(1, 3_600_000),
        Importance.LOW,
        RETRY_BACKOFF_MAX_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Max retry backoff (ms)");
    def.define(
        HORIZON_STALL_WARN_MS_CONFIG,
        Type.LONG,
        60_000L,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        HORIZON_STALL_WARN_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Horizon stall warning (ms)");
    def.define(
        OFFSETS_PROBE_INTERVAL_MS_CONFIG,
        Type.LONG,
        5_000L,
        ConfigDef.Range.atLeast(0),
        Importance.LOW,
        OFFSETS_PROBE_INTERVAL_MS_DOC,
        GROUP_POLLING,
        ++order,
        Width.SHORT,
        "Offsets probe interval (ms)");

    order = 0;
    def.define(
        ERRORS_INVALID_TOPIC_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        ERRORS_INVALID_TOPIC_DOC,
        GROUP_ERRORS,
        ++order,
        Width.MEDIUM,
        "Invalid rows topic");
    def.define(
        CLEANUP_POLICY_CONFIG,
        Type.STRING,
        CLEANUP_NONE,
        ConfigDef.CaseInsensitiveValidString.in(CLEANUP_NONE, CLEANUP_DELETE),
        Importance.MEDIUM,
        CLEANUP_POLICY_DOC,
        GROUP_ERRORS,
        ++order,
        Width.SHORT,
        "Cleanup policy");
    def.define(
        CLEANUP_BATCH_SIZE_CONFIG,
        Type.INT,
        500,
        ConfigDef.Range.between(1, 100_000),
        Importance.LOW,
        CLEANUP_BATCH_SIZE_DOC,
        GROUP_ERRORS,
        ++order,
        Width.SHORT,
        "Cleanup batch size");

    order = 0;
    def.define(
        LOG_SLOT_NAME_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        LOG_SLOT_NAME_DOC,
        GROUP_LOG,
        ++order,
        Width.MEDIUM,
        "Replication slot");
    def.define(
        LOG_PUBLICATION_NAME_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        LOG_PUBLICATION_NAME_DOC,
        GROUP_LOG,
        ++order,
        Width.MEDIUM,
        "Publication");
    def.define(
        LOG_SLOT_DROP_ON_STOP_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.LOW,
        LOG_SLOT_DROP_ON_STOP_DOC,
        GROUP_LOG,
        ++order,
        Width.SHORT,
        "Drop slot on stop");
    def.define(
        LOG_SNAPSHOT_MODE_CONFIG,
        Type.STRING,
        SNAPSHOT_INITIAL,
        ConfigDef.CaseInsensitiveValidString.in(SNAPSHOT_INITIAL, SNAPSHOT_NO_DATA),
        Importance.MEDIUM,
        LOG_SNAPSHOT_MODE_DOC,
        GROUP_LOG,
        ++order,
        Width.SHORT,
        "Snapshot mode");
    def.define(
        LOG_UPDATE_BEHAVIOR_CONFIG,
        Type.STRING,
        UPDATE_WARN,
        ConfigDef.CaseInsensitiveValidString.in(UPDATE_IGNORE, UPDATE_WARN, UPDATE_FAIL),
        Importance.LOW,
        LOG_UPDATE_BEHAVIOR_DOC,
        GROUP_LOG,
        ++order,
        Width.SHORT,
        "Update behavior");
    def.define(
        LOG_HEARTBEAT_INTERVAL_MS_CONFIG,
        Type.LONG,
        10_000L,
        ConfigDef.Range.atLeast(100),
        Importance.LOW,
        LOG_HEARTBEAT_INTERVAL_MS_DOC,
        GROUP_LOG,
        ++order,
        Width.SHORT,
        "Heartbeat interval (ms)");
    def.define(
        LOG_HEARTBEAT_TOPIC_CONFIG,
        Type.STRING,
        "__eventkit-heartbeats",
        new ConfigDef.NonEmptyString(),
        Importance.LOW,
        LOG_HEARTBEAT_TOPIC_DOC,
        GROUP_LOG,
        ++order,
        Width.MEDIUM,
        "Heartbeat topic");

    def.define(
        VALIDATION_WARNINGS_CONFIG,
        Type.STRING,
        "",
        Importance.LOW,
        VALIDATION_WARNINGS_DOC,
        GROUP_VALIDATION,
        1,
        Width.LONG,
        "Validation warnings");

    def.defineInternal(TASK_BUCKET_CONFIG, Type.INT, 0, Importance.LOW);
    def.defineInternal(TASK_BUCKET_COUNT_CONFIG, Type.INT, 1, Importance.LOW);
    return def;
  }

  private static int defineColumn(
      ConfigDef def, String key, String defaultColumn, String doc, int order) {
    def.define(
        key,
        Type.STRING,
        defaultColumn,
        new ConfigDef.NonEmptyString(),
        Importance.MEDIUM,
        "Column holding the " + Character.toLowerCase(doc.charAt(0)) + doc.substring(1),
        GROUP_TABLE,
        order + 1,
        Width.SHORT,
        key);
    return order + 1;
  }

  /** Parses {@code column[:header]} entries, keeping their order. */
  static Map<String, String> parseHeaderColumns(List<String> entries) {
    Map<String, String> result = new LinkedHashMap<>();
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", -1);
      if (parts.length > 2 || parts[0].isBlank() || (parts.length == 2 && parts[1].isBlank())) {
        throw new ConfigException(
            HEADER_COLUMNS_CONFIG, raw, "Each entry must be 'column' or 'column:header'");
      }
      String column = parts[0].trim();
      String header = parts.length == 2 ? parts[1].trim() : column;
      if (result.put(column, header) != null) {
        throw new ConfigException(
            HEADER_COLUMNS_CONFIG, raw, "Column " + column + " is listed twice");
      }
    }
    return Collections.unmodifiableMap(result);
  }

  public String connectionUrl() {
    return getString(CONNECTION_URL_CONFIG);
  }

  public Optional<String> connectionUser() {
    return Optional.ofNullable(getString(CONNECTION_USER_CONFIG)).filter(s -> !s.isBlank());
  }

  public Optional<String> connectionPassword() {
    return Optional.ofNullable(getPassword(CONNECTION_PASSWORD_CONFIG)).map(Password::value);
  }

  public String captureMode() {
    return captureMode;
  }

  public String tableName() {
    return getString(TABLE_NAME_CONFIG);
  }

  public OutboxColumns columns() {
    return columns;
  }

  public Map<String, String> headerColumns() {
    return headerColumns;
  }

  public String topicTemplate() {
    return getString(TOPIC_TEMPLATE_CONFIG);
  }

  public PayloadFormat payloadFormat() {
    return payloadFormat;
  }

  public boolean tombstoneOnNullPayload() {
    return getBoolean(TOMBSTONE_ON_NULL_PAYLOAD_CONFIG);
  }

  public long pollIntervalMs() {
    return getLong(POLL_INTERVAL_MS_CONFIG);
  }

  public int pollMaxRows() {
    return getInt(POLL_MAX_ROWS_CONFIG);
  }

  public Optional<String> notifyChannel() {
    return Optional.of(getString(POLL_NOTIFY_CHANNEL_CONFIG).trim()).filter(s -> !s.isEmpty());
  }

  public long retryBackoffMs() {
    return getLong(RETRY_BACKOFF_MS_CONFIG);
  }

  public long retryBackoffMaxMs() {
    return getLong(RETRY_BACKOFF_MAX_MS_CONFIG);
  }

  public long pollGapTimeoutMs() {
    return getLong(POLL_GAP_TIMEOUT_MS_CONFIG);
  }

  /** Between two reads of the committed offsets by the connector; 0 when the probe is off. */
  public long offsetsProbeIntervalMs() {
    return getLong(OFFSETS_PROBE_INTERVAL_MS_CONFIG);
  }

  public long horizonStallWarnMs() {
    return getLong(HORIZON_STALL_WARN_MS_CONFIG);
  }

  public boolean deleteAfterPublish() {
    return CLEANUP_DELETE.equalsIgnoreCase(getString(CLEANUP_POLICY_CONFIG));
  }

  public int cleanupBatchSize() {
    return getInt(CLEANUP_BATCH_SIZE_CONFIG);
  }

  public Optional<String> invalidRowsTopic() {
    return Optional.of(getString(ERRORS_INVALID_TOPIC_CONFIG).trim()).filter(s -> !s.isEmpty());
  }

  /** The connector's name ({@code name}, which Connect passes along to tasks). */
  public String connectorName() {
    Object name = originals().get("name");
    return name == null ? "outbox-source" : name.toString();
  }

  public boolean logMode() {
    return CAPTURE_MODE_LOG.equals(captureMode);
  }

  /** The replication slot: log.slot.name, or one derived from the connector's name. */
  public String logSlotName(String connectorName) {
    String configured = getString(LOG_SLOT_NAME_CONFIG).trim();
    if (!configured.isEmpty()) {
      return configured;
    }
    // Names that differ only in case or punctuation, or share a long prefix, must not share a
    // slot: a hash of the exact name ends the derived one.
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(connectorName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String readable = connectorName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (readable.length() > 44) {
      readable = readable.substring(0, 44);
    }
    return "eventkit_" + readable + "_" + String.format("%08x", crc.getValue());
  }

  public String logPublicationName(String connectorName) {
    String configured = getString(LOG_PUBLICATION_NAME_CONFIG).trim();
    return configured.isEmpty() ? logSlotName(connectorName) : configured;
  }

  public boolean logSlotDropOnStop() {
    return getBoolean(LOG_SLOT_DROP_ON_STOP_CONFIG);
  }

  public String logSnapshotMode() {
    return getString(LOG_SNAPSHOT_MODE_CONFIG).toLowerCase(Locale.ROOT);
  }

  public String logUpdateBehavior() {
    return getString(LOG_UPDATE_BEHAVIOR_CONFIG).toLowerCase(Locale.ROOT);
  }

  public long logHeartbeatIntervalMs() {
    return getLong(LOG_HEARTBEAT_INTERVAL_MS_CONFIG);
  }

  public String logHeartbeatTopic() {
    return getString(LOG_HEARTBEAT_TOPIC_CONFIG).trim();
  }

  public int taskBucket() {
    return getInt(TASK_BUCKET_CONFIG);
  }

  public int taskBucketCount() {
    return getInt(TASK_BUCKET_COUNT_CONFIG);
  }

  /**
   * Opens a connection through the plugin's own driver, with connect and socket timeouts and TCP
   * keepalive (a half-open connection after a failover cannot hang a task).
   */
  public java.sql.Connection openConnection(String applicationName) throws java.sql.SQLException {
    return dev.eventkit.connect.jdbc.JdbcConnections.open(
        new dev.eventkit.connect.jdbc.JdbcSettings(
            connectionUrl(), connectionUser(), connectionPassword(), applicationName));
  }

  /** The columns the SQL names, each with the option that names it (header.columns repeats). */
  public List<Map.Entry<String, String>> columnOptions() {
    List<Map.Entry<String, String>> options = new ArrayList<>();
    options.add(Map.entry(COLUMN_EVENT_ID_CONFIG, columns.eventId()));
    options.add(Map.entry(COLUMN_AGGREGATE_TYPE_CONFIG, columns.aggregateType()));
    options.add(Map.entry(COLUMN_AGGREGATE_ID_CONFIG, columns.aggregateId()));
    options.add(Map.entry(COLUMN_EVENT_TYPE_CONFIG, columns.eventType()));
    options.add(Map.entry(COLUMN_PAYLOAD_CONFIG, columns.payload()));
    options.add(Map.entry(COLUMN_TIMESTAMP_CONFIG, columns.timestamp()));
    options.add(Map.entry(COLUMN_TXID_CONFIG, columns.txid()));
    options.add(Map.entry(COLUMN_POSITION_CONFIG, columns.position()));
    headerColumns.keySet().forEach(c -> options.add(Map.entry(HEADER_COLUMNS_CONFIG, c)));
    return options;
  }

  /** Names of every key users may set, in definition order, for tests and docs. */
  public static List<String> publicKeys() {
    List<String> keys = new ArrayList<>();
    for (ConfigDef.ConfigKey key : CONFIG_DEF.configKeys().values()) {
      if (!key.internalConfig) {
        keys.add(key.name);
      }
    }
    return keys;
  }
}
