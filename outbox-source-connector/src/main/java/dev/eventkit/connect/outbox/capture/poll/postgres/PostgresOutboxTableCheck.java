package dev.eventkit.connect.outbox.capture.poll.postgres;

import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a PostgreSQL outbox table against the connector config before the connector runs: the
 * table, the mapped columns and their types, the role's privileges, and what the ordering proof
 * assumes of the table (a {@code CACHE 1} sequence behind the position column, NOT NULL aggregate
 * columns, the {@code (txid, position)} index). Each problem is reported against the option at
 * fault, with the SQL that fixes it where there is one.
 *
 * <p>The catalog is read once into {@link TableFacts}; judging the facts ({@link #judge}) is a pure
 * function.
 */
public final class PostgresOutboxTableCheck {

  private static final Set<String> ORDERABLE_POSITION_TYPES =
      Set.of("bigint", "integer", "smallint");
  private static final Set<String> TIMESTAMP_TYPES =
      Set.of("timestamp with time zone", "timestamp without time zone", "bigint");

  /** The sequence named by a default such as {@code nextval('outbox_seq'::regclass)}. */
  private static final Pattern NEXTVAL_LITERAL =
      Pattern.compile("nextval\\(\\s*\\(*\\s*'((?:[^']|'')+)'", Pattern.CASE_INSENSITIVE);

  /** A type modifier such as the {@code (3)} of {@code timestamp(3) with time zone}. */
  private static final Pattern TYPE_MODIFIER = Pattern.compile("\\(\\d+(?:,\\d+)?\\)");

  private PostgresOutboxTableCheck() {}

  /**
   * A column as the catalog describes it; {@code type} as {@code format_type} prints it, {@code
   * defaultExpression} as {@code pg_get_expr} prints it (null without a default).
   */
  record Column(String type, boolean notNull, boolean identity, String defaultExpression) {}

  /** A sequence, by the name that reaches it from the checking session, and its CACHE setting. */
  record Sequence(String name, long cache) {}

  /** An index of the table; a null key column is an expression. */
  record Index(
      String name,
      String accessMethod,
      List<String> keyColumns,
      boolean partial,
      boolean valid,
      String firstKeyDefinition) {
    Index(
        String name, String accessMethod, List<String> keyColumns, boolean partial, boolean valid) {
      this(
          name,
          accessMethod,
          keyColumns,
          partial,
          valid,
          keyColumns.isEmpty() ? null : keyColumns.get(0));
    }
  }

  /** Everything the check needs to know about an existing table. */
  record TableFacts(
      Map<String, Column> columns,
      String role,
      boolean canSelect,
      boolean canDelete,
      Optional<Sequence> positionSequence,
      List<Index> indexes) {}

  /** Problems found for a connector of {@code tasks} tasks; none when the table is ready. */
  public static TableFindings check(Connection c, OutboxSourceConnectorConfig config, int tasks)
      throws SQLException {
    Optional<TableFacts> facts = read(c, config);
    if (facts.isEmpty()) {
      TableFindings findings = new TableFindings();
      findings.error(
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Table "
              + config.tableName()
              + " does not exist or is not visible to this role (check the name, the schema and the"
              + " search_path).");
      return findings;
    }
    return judge(facts.get(), config, tasks);
  }

  /** The facts about the configured table, or empty when it does not exist. */
  static Optional<TableFacts> read(Connection c, OutboxSourceConnectorConfig config)
      throws SQLException {
    String regclass = quotedForRegclass(config.tableName());
    if (!tableExists(c, regclass)) {
      return Optional.empty();
    }
    Map<String, Column> columns = columns(c, regclass);
    String role;
    boolean canSelect;
    boolean canDelete;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT current_user, has_table_privilege(to_regclass(?), 'SELECT'),"
                + " has_table_privilege(to_regclass(?), 'DELETE')")) {
      ps.setString(1, regclass);
      ps.setString(2, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        role = rs.getString(1);
        canSelect = rs.getBoolean(2);
        canDelete = rs.getBoolean(3);
      }
    }
    String position = config.columns().position();
    Optional<Sequence> sequence =
        columns.containsKey(position)
            ? positionSequence(c, regclass, position, columns.get(position))
            : Optional.empty();
    return Optional.of(
        new TableFacts(columns, role, canSelect, canDelete, sequence, indexes(c, regclass)));
  }

  /** Judges the facts against the config of a single-task connector. */
  static TableFindings judge(TableFacts facts, OutboxSourceConnectorConfig config) {
    return judge(facts, config, 1);
  }

  /** Judges the facts against the config of a connector of {@code tasks} tasks. */
  static TableFindings judge(TableFacts facts, OutboxSourceConnectorConfig config, int tasks) {
    TableFindings findings = new TableFindings();
    String table = config.tableName();
    Map<String, Column> types = facts.columns();
    OutboxColumns columns = config.columns();
    requireColumn(
        findings,
        types,
        OutboxSourceConnectorConfig.COLUMN_EVENT_ID_CONFIG,
        columns.eventId(),
        table);
    requireColumn(
        findings,
        types,
        OutboxSourceConnectorConfig.COLUMN_AGGREGATE_TYPE_CONFIG,
        columns.aggregateType(),
        table);
    requireColumn(
        findings,
        types,
        OutboxSourceConnectorConfig.COLUMN_AGGREGATE_ID_CONFIG,
        columns.aggregateId(),
        table);
    requireColumn(
        findings,
        types,
        OutboxSourceConnectorConfig.COLUMN_EVENT_TYPE_CONFIG,
        columns.eventType(),
        table);
    requireColumn(
        findings,
        types,
        OutboxSourceConnectorConfig.COLUMN_PAYLOAD_CONFIG,
        columns.payload(),
        table);
    Column timestamp = types.get(columns.timestamp());
    if (timestamp == null) {
      requireColumn(
          findings,
          types,
          OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG,
          columns.timestamp(),
          table);
    } else {
      String reason = whyNotEventTime(timestamp.type());
      if (reason != null) {
        findings.error(
            OutboxSourceConnectorConfig.COLUMN_TIMESTAMP_CONFIG,
            "Column "
                + columns.timestamp()
                + " is "
                + timestamp.type()
                + ": "
                + reason
                + ". The event time must be timestamptz, timestamp (read as UTC) or bigint epoch"
                + " milliseconds.");
      }
    }
    boolean txidUsable = false;
    boolean positionUsable = false;
    if (!config.logMode()) {
      Column txid = types.get(columns.txid());
      txidUsable = txid != null && "xid8".equals(txid.type());
      if (!txidUsable) {
        findings.error(
            OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG,
            (txid == null
                    ? "Column " + columns.txid() + " is missing from " + table + "."
                    : "Column " + columns.txid() + " is " + txid.type() + ", not xid8.")
                + " Poll mode needs the writing transaction's id: ALTER TABLE "
                + table
                + " ADD COLUMN "
                + columns.txid()
                + " xid8 NOT NULL DEFAULT pg_current_xact_id();");
      } else if (!txid.notNull()) {
        findings.error(
            OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG,
            "Column "
                + columns.txid()
                + " is nullable: a row with a NULL txid is never read. Fix (after giving existing"
                + " NULL rows a txid, or deleting them): ALTER TABLE "
                + table
                + " ALTER COLUMN "
                + quote(columns.txid())
                + " SET DEFAULT pg_current_xact_id(), ALTER COLUMN "
                + quote(columns.txid())
                + " SET NOT NULL;");
      } else if (txid.defaultExpression() == null
          || !txid.defaultExpression().contains("pg_current_xact_id()")) {
        findings.warning(
            OutboxSourceConnectorConfig.COLUMN_TXID_CONFIG,
            "Column "
                + columns.txid()
                + " has no DEFAULT pg_current_xact_id(): every writer must then set it to"
                + " pg_current_xact_id() itself, or its rows are not read in commit order. Fix:"
                + " ALTER TABLE "
                + table
                + " ALTER COLUMN "
                + quote(columns.txid())
                + " SET DEFAULT pg_current_xact_id();");
      }
      Column position = types.get(columns.position());
      positionUsable = position != null && ORDERABLE_POSITION_TYPES.contains(position.type());
      if (!positionUsable) {
        findings.error(
            OutboxSourceConnectorConfig.COLUMN_POSITION_CONFIG,
            (position == null
                    ? "Column " + columns.position() + " is missing from " + table + "."
                    : "Column "
                        + columns.position()
                        + " is "
                        + position.type()
                        + ", not an integer.")
                + " Poll mode orders each aggregate's events by a sequence: ALTER TABLE "
                + table
                + " ADD COLUMN "
                + columns.position()
                + " bigserial;");
      } else {
        checkPositionSequence(findings, facts.positionSequence(), position, table, columns);
      }
    } else if (config.deleteAfterPublish()) {
      findings.error(
          OutboxSourceConnectorConfig.CLEANUP_POLICY_CONFIG,
          "cleanup.policy=delete is for poll mode. In log mode rows may be deleted by the"
              + " application, even in the transaction that inserts them (the publication never"
              + " streams deletes); set cleanup.policy=none.");
    }
    for (String header : columns.headerColumns().keySet()) {
      if (!types.containsKey(header)) {
        findings.error(
            OutboxSourceConnectorConfig.HEADER_COLUMNS_CONFIG,
            "Column " + header + " is missing from " + table + ".");
      }
    }
    if (!facts.canSelect()) {
      privilegeMissing(findings, facts.role(), "SELECT", table, "");
    }
    if (config.deleteAfterPublish() && !facts.canDelete()) {
      privilegeMissing(
          findings, facts.role(), "DELETE", table, " (needed by cleanup.policy=delete)");
    }
    Column aggregateId = types.get(columns.aggregateId());
    if (aggregateId != null && !aggregateId.notNull()) {
      findings.warning(
          OutboxSourceConnectorConfig.COLUMN_AGGREGATE_ID_CONFIG,
          "Column "
              + columns.aggregateId()
              + " is nullable. A row with a NULL (or empty or blank) aggregate id has no usable"
              + " record key, so it is a poison row (eventkit.error.reason=null-aggregate-id or"
              + " blank-aggregate-id): "
              + poisonRowFate(config)
              + " Fix: "
              + setNotNull(table, columns.aggregateId()));
    }
    Column aggregateType = types.get(columns.aggregateType());
    if (aggregateType != null && !aggregateType.notNull()) {
      findings.warning(
          OutboxSourceConnectorConfig.COLUMN_AGGREGATE_TYPE_CONFIG,
          "Column "
              + columns.aggregateType()
              + " is nullable. A row with a NULL (or empty or blank) aggregate type has no topic of"
              + " its own, so it is a poison row (eventkit.error.reason=null-aggregate-type or"
              + " blank-aggregate-type): "
              + poisonRowFate(config)
              + " Fix: "
              + setNotNull(table, columns.aggregateType()));
    }
    if (txidUsable && positionUsable) {
      checkPositionIndex(findings, facts.indexes(), table, columns);
      if (tasks > 1) {
        checkBucketIndex(findings, facts.indexes(), table, columns, tasks);
      }
    }
    return findings;
  }

  /**
   * Why a column of this type cannot hold the event time, or null when it can. Precision such as
   * {@code timestamp(3)} does not matter.
   */
  static String whyNotEventTime(String type) {
    String base = TYPE_MODIFIER.matcher(type).replaceAll("");
    if (TIMESTAMP_TYPES.contains(base)) {
      return null;
    }
    switch (base) {
      case "integer":
      case "smallint":
        return "it holds epoch milliseconds only up to January 1970 (integer ends at 2147483647),"
            + " and epoch seconds would be read as milliseconds";
      case "numeric":
      case "real":
      case "double precision":
        return "a fractional number is not read as epoch milliseconds";
      case "text":
      case "character varying":
      case "character":
        return "text is not parsed as a time (its format and time zone are unknown)";
      case "date":
        return "a date has no time of day, so every event of a day would carry midnight";
      case "time without time zone":
      case "time with time zone":
        return "a time of day has no date";
      default:
        return "the connector cannot read it as a point in time";
    }
  }

  /**
   * The position column's values must come from a sequence taken while the writer holds its
   * aggregate's lock, one value at a time: with CACHE n each session takes a block of n values up
   * front, so a later writer can hold a lower value than an earlier one.
   */
  private static void checkPositionSequence(
      TableFindings findings,
      Optional<Sequence> sequence,
      Column position,
      String table,
      OutboxColumns columns) {
    String option = OutboxSourceConnectorConfig.COLUMN_POSITION_CONFIG;
    String column = columns.position();
    if (sequence.isPresent()) {
      long cache = sequence.get().cache();
      if (cache > 1) {
        String name = sequence.get().name();
        findings.error(
            option,
            "Sequence "
                + name
                + " behind column "
                + column
                + " has CACHE "
                + cache
                + ": each session takes "
                + cache
                + " values at once, so "
                + column
                + " no longer follows the order in which writers lock an aggregate and one"
                + " aggregate's events can be published out of order. Fix: ALTER SEQUENCE "
                + name
                + " CACHE 1; (sessions that already hold cached values use them up first:"
                + " reconnect the writers, e.g. restart their connection pools).");
      }
      return;
    }
    if (position.defaultExpression() != null
        && position.defaultExpression().toLowerCase(Locale.ROOT).contains("nextval(")) {
      findings.warning(
          option,
          "Cannot tell which sequence the default "
              + position.defaultExpression()
              + " of column "
              + column
              + " calls; make sure that sequence has CACHE 1, or one aggregate's events can be"
              + " published out of order.");
      return;
    }
    String sequenceName = sequenceNameFor(table, column);
    findings.error(
        option,
        "Column "
            + column
            + " takes its values from no sequence (it is neither an identity column nor has a"
            + " DEFAULT nextval(...)). Poll mode orders each aggregate's events by "
            + column
            + ", so its values must come from a sequence called while the writer holds the"
            + " aggregate's lock: CREATE SEQUENCE "
            + sequenceName
            + " CACHE 1 OWNED BY "
            + table
            + "."
            + column
            + "; ALTER TABLE "
            + table
            + " ALTER COLUMN "
            + column
            + " SET DEFAULT nextval('"
            + sequenceName.replace("'", "''")
            + "');");
  }

  /**
   * With several tasks, each reads only its own virtual buckets; without the bucket index every
   * task walks every row of the (txid, seq) index and discards the others' share.
   */
  private static void checkBucketIndex(
      TableFindings findings, List<Index> indexes, String table, OutboxColumns columns, int tasks) {
    String bucket = PostgresBuckets.virtualBucket(quote(columns.aggregateId()));
    for (Index index : indexes) {
      if (isBucketIndex(index, columns)) {
        return;
      }
    }
    findings.warning(
        OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
        "With tasks.max="
            + tasks
            + ", each task reads only the aggregates of its own hash buckets, but without an index"
            + " on the bucket expression every task reads every row of the (txid, seq) index and"
            + " the database does "
            + tasks
            + " times the work of one task. Fix: "
            + PostgresBuckets.indexDdl(
                quotedForRegclass(table),
                quote(columns.aggregateId()),
                quote(columns.txid()),
                quote(columns.position()))
            + " (the bucket expression is "
            + bucket
            + ")");
  }

  /** A valid btree on (virtual bucket expression, txid, position). */
  static boolean isBucketIndex(Index index, OutboxColumns columns) {
    List<String> keys = index.keyColumns();
    String first = index.firstKeyDefinition();
    return index.valid()
        && !index.partial()
        && "btree".equals(index.accessMethod())
        && keys.size() >= 3
        && keys.get(0) == null
        && first != null
        && first.contains("hashtextextended")
        && first.contains(columns.aggregateId())
        && first.contains("% " + PostgresBuckets.VIRTUAL_BUCKETS)
        && columns.txid().equals(keys.get(1))
        && columns.position().equals(keys.get(2));
  }

  private static void checkPositionIndex(
      TableFindings findings, List<Index> indexes, String table, OutboxColumns columns) {
    List<String> nearMisses = new ArrayList<>();
    for (Index index : indexes) {
      String why = whyNotPositionIndex(index, columns.txid(), columns.position());
      if (why == null) {
        return;
      }
      if (startsWithPositionColumns(index, columns.txid(), columns.position())) {
        nearMisses.add(index.name() + " " + why);
      }
    }
    findings.warning(
        OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
        "Table "
            + table
            + " has no index on ("
            + columns.txid()
            + ", "
            + columns.position()
            + "): every poll reads by that position, so each one scans the whole table."
            + (nearMisses.isEmpty()
                ? ""
                : " Index " + String.join("; index ", nearMisses) + ", so it does not count.")
            + " Fix: CREATE INDEX CONCURRENTLY ON "
            + table
            + " ("
            + columns.txid()
            + ", "
            + columns.position()
            + ");");
  }

  /**
   * Why an index does not serve the poll cursor, or null when it does: a valid, non-partial btree
   * whose first two key columns are the txid and position columns, in that order.
   */
  static String whyNotPositionIndex(Index index, String txid, String position) {
    if (!startsWithPositionColumns(index, txid, position)) {
      return "does not start with (" + txid + ", " + position + ")";
    }
    if (!"btree".equals(index.accessMethod())) {
      return "is a " + index.accessMethod() + " index, not a btree";
    }
    if (index.partial()) {
      return "is partial (it has a WHERE clause)";
    }
    if (!index.valid()) {
      return "is invalid (a failed CREATE INDEX CONCURRENTLY leaves one: drop it and create it"
          + " again)";
    }
    return null;
  }

  private static boolean startsWithPositionColumns(Index index, String txid, String position) {
    List<String> keys = index.keyColumns();
    return keys.size() >= 2 && txid.equals(keys.get(0)) && position.equals(keys.get(1));
  }

  /** What happens to a poison row under this config. */
  static String poisonRowFate(OutboxSourceConnectorConfig config) {
    return config
        .invalidRowsTopic()
        .map(
            topic ->
                "it goes to errors.invalid.topic ("
                    + topic
                    + ") with eventkit.error.* headers instead of its topic.")
        .orElse(
            "errors.invalid.topic is empty, so the task fails on such a row and publishes"
                + " nothing more until the row is fixed or errors.invalid.topic is set.");
  }

  /**
   * The sequence a column default calls, from the text of the default, e.g. {@code outbox_seq} from
   * {@code nextval('outbox_seq'::regclass)}; the catalog's dependencies are asked first, this
   * covers a default that names the sequence as text, which records no dependency.
   */
  static Optional<String> sequenceNamedIn(String defaultExpression) {
    if (defaultExpression == null) {
      return Optional.empty();
    }
    Matcher m = NEXTVAL_LITERAL.matcher(defaultExpression);
    return m.find() ? Optional.of(m.group(1).replace("''", "'")) : Optional.empty();
  }

  private static String sequenceNameFor(String table, String column) {
    return table + "_" + column + "_seq";
  }

  private static String setNotNull(String table, String column) {
    return "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL;";
  }

  private static void privilegeMissing(
      TableFindings findings, String role, String privilege, String table, String why) {
    findings.error(
        OutboxSourceConnectorConfig.CONNECTION_USER_CONFIG,
        "Role "
            + role
            + " lacks "
            + privilege
            + " on "
            + table
            + why
            + ": GRANT "
            + privilege
            + " ON "
            + table
            + " TO "
            + role
            + ";");
  }

  private static void requireColumn(
      TableFindings findings,
      Map<String, Column> types,
      String option,
      String column,
      String table) {
    if (!types.containsKey(column)) {
      findings.error(
          option,
          "Column "
              + column
              + " is missing from "
              + table
              + " (column names are matched exactly, case included); set "
              + option
              + " to the column that holds it.");
    }
  }

  private static boolean tableExists(Connection c, String regclass) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static Map<String, Column> columns(Connection c, String regclass) throws SQLException {
    Map<String, Column> columns = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " a.attidentity IN ('a', 'd'), pg_get_expr(d.adbin, d.adrelid)"
                + " FROM pg_attribute a"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(
              rs.getString(1),
              new Column(
                  rs.getString(2).toLowerCase(Locale.ROOT),
                  rs.getBoolean(3),
                  rs.getBoolean(4),
                  rs.getString(5)));
        }
      }
    }
    return columns;
  }

  /**
   * The sequence the position column's values come from: an identity column's own sequence, or the
   * sequence its default calls (found through the catalog's dependencies, else by the name in the
   * default). A serial column's default calls its owned sequence, so it is found either way.
   */
  private static Optional<Sequence> positionSequence(
      Connection c, String regclass, String column, Column facts) throws SQLException {
    String name = null;
    if (facts.identity()) {
      name = queryString(c, "SELECT pg_get_serial_sequence(?, ?)", regclass, column);
    } else if (facts.defaultExpression() != null) {
      name =
          queryString(
              c,
              "SELECT d.refobjid::regclass::text FROM pg_attrdef ad"
                  + " JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
                  + " JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid"
                  + " AND d.refclassid = 'pg_class'::regclass"
                  + " JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'"
                  + " WHERE ad.adrelid = to_regclass(?) AND a.attname = ?"
                  + " ORDER BY 1 LIMIT 1",
              regclass,
              column);
      if (name == null) {
        name = sequenceNamedIn(facts.defaultExpression()).orElse(null);
      }
    }
    if (name == null) {
      return Optional.empty();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.oid::regclass::text, p.seqcache FROM pg_sequence p"
                + " JOIN pg_class s ON s.oid = p.seqrelid WHERE p.seqrelid = to_regclass(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new Sequence(rs.getString(1), rs.getLong(2)))
            : Optional.empty();
      }
    }
  }

  private static List<Index> indexes(Connection c, String regclass) throws SQLException {
    List<Index> indexes = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT ic.relname, am.amname, i.indisvalid, i.indpred IS NOT NULL,"
                + " ARRAY(SELECT a.attname::text"
                + "   FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)"
                + "   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + "   WHERE k.n <= i.indnkeyatts ORDER BY k.n),"
                + " pg_get_indexdef(i.indexrelid, 1, true)"
                + " FROM pg_index i"
                + " JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_am am ON am.oid = ic.relam"
                + " WHERE i.indrelid = to_regclass(?) ORDER BY ic.relname")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array keys = rs.getArray(5);
          indexes.add(
              new Index(
                  rs.getString(1),
                  rs.getString(2),
                  Collections.unmodifiableList(Arrays.asList((String[]) keys.getArray())),
                  rs.getBoolean(4),
                  rs.getBoolean(3),
                  rs.getString(6)));
        }
      }
    }
    return indexes;
  }

  private static String queryString(Connection c, String sql, String... parameters)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        ps.setString(i + 1, parameters[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static String quotedForRegclass(String table) {
    return PostgresOutboxSql.quoteQualified(table);
  }

  private static String quote(String identifier) {
    return PostgresOutboxSql.quote(identifier);
  }
}
