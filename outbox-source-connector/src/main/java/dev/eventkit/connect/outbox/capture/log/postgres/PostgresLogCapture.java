package dev.eventkit.connect.outbox.capture.log.postgres;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.outbox.OutboxColumns;
import dev.eventkit.connect.outbox.OutboxSourceConnectorConfig;
import dev.eventkit.connect.outbox.capture.CaptureException;
import dev.eventkit.connect.outbox.capture.log.ChangeEvents;
import dev.eventkit.connect.outbox.capture.log.LogCapture;
import dev.eventkit.connect.outbox.capture.log.LogTransactions;
import dev.eventkit.connect.outbox.capture.poll.ConnectionFactory;
import dev.eventkit.connect.outbox.capture.poll.postgres.PollModeHandover;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;

/**
 * Log mode on PostgreSQL: Debezium's PostgreSQL task reading a pgoutput slot whose publication
 * holds only the outbox table (inserts, and updates unless {@code log.update.behavior=ignore};
 * never deletes). Heartbeats write a non-transactional logical message, which every slot decodes,
 * so a quiet outbox on a busy database still moves the slot's confirmed position.
 */
public final class PostgresLogCapture {

  /** Prefix of the logical messages heartbeats write; excluded from Debezium's own events. */
  static final String HEARTBEAT_MESSAGE_PREFIX = "eventkit-heartbeat";

  private static final String DEBEZIUM_HEARTBEAT_PREFIX = "__eventkit-debezium-heartbeat";

  private PostgresLogCapture() {}

  /**
   * The capture of the connector's single log-mode task.
   *
   * @param offsets reads committed offsets (the poll-to-log cutover reads poll mode's)
   */
  public static LogCapture create(
      OutboxSourceConnectorConfig config,
      String connectorName,
      SourceTaskContext context,
      ConnectionFactory connections,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets) {
    String server = serverName(connectorName);
    String slot = config.logSlotName(connectorName);
    Map<String, Object> partition = Map.of("server", server);
    ChangeEvents events =
        new ChangeEvents(
            config.columns(), server + ".transaction", DEBEZIUM_HEARTBEAT_PREFIX + "." + server);
    LogTransactions transactions =
        new LogTransactions(
            events,
            PostgresLogCapture::position,
            LogTransactions.UpdateBehavior.valueOf(
                config.logUpdateBehavior().toUpperCase(Locale.ROOT)));
    return new LogCapture(
        PostgresConnectorTask::new,
        () -> {
          try (Connection c = connections.open()) {
            QualifiedTable table = QualifiedTable.resolve(c, config.tableName());
            LogPublication.ensure(c, config.logPublicationName(connectorName), table, config);
            if (snapshotStarts(config, offsets.apply(List.of(partition)).get(partition))) {
              dropIdleSlot(c, slot);
            }
            return debeziumConfig(config, connectorName, server, slot, table, offsets, c);
          }
        },
        context,
        partition,
        transactions,
        new SlotLag(connections, slot));
  }

  /**
   * Whether Debezium is about to take the initial snapshot: no offset yet, or one left by a
   * snapshot that did not finish.
   */
  static boolean snapshotStarts(OutboxSourceConnectorConfig config, Map<String, Object> stored) {
    if (!OutboxSourceConnectorConfig.SNAPSHOT_INITIAL.equals(config.logSnapshotMode())) {
      return false;
    }
    return stored == null
        || (stored.get("snapshot") != null
            && !Boolean.TRUE.equals(stored.get("last_snapshot_record"))
            && !Boolean.TRUE.equals(stored.get("snapshot_completed")));
  }

  /**
   * A snapshot meets the stream exactly only on a slot created for it (Debezium then reads the
   * table in the slot's exported snapshot and streams from the slot's start). On an existing slot
   * it would read the table and the log position separately, and a transaction committing between
   * the two would be in neither. Nothing was streamed from a slot whose snapshot never finished, so
   * it is dropped, unless a session uses it.
   */
  private static void dropIdleSlot(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = ? AND NOT active AND database = current_database()")) {
      ps.setString(1, slot);
      ps.execute();
    }
  }

  /** Debezium's logical server name (its topic prefix and source partition): the connector's. */
  static String serverName(String connectorName) {
    return connectorName.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static Map<String, String> debeziumConfig(
      OutboxSourceConnectorConfig config,
      String connectorName,
      String server,
      String slot,
      QualifiedTable table,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets,
      Connection c)
      throws SQLException, CaptureException {
    PostgresUrl url = PostgresUrl.parse(config.connectionUrl());
    Map<String, String> props = new LinkedHashMap<>();
    props.put("name", connectorName);
    props.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    props.put("topic.prefix", server);
    props.put("database.hostname", url.host());
    props.put("database.port", Integer.toString(url.port()));
    props.put("database.dbname", url.database());
    String user = config.connectionUser().orElse(url.parameters().get("user"));
    String password = config.connectionPassword().orElse(url.parameters().get("password"));
    if (user != null) {
      props.put("database.user", user);
    }
    if (password != null) {
      props.put("database.password", password);
    }
    url.parameters()
        .forEach(
            (key, value) -> {
              if (!key.equals("user") && !key.equals("password")) {
                props.put("driver." + key, value);
              }
            });
    props.put("plugin.name", "pgoutput");
    props.put("slot.name", slot);
    props.put("slot.drop.on.stop", Boolean.toString(config.logSlotDropOnStop()));
    props.put("publication.name", config.logPublicationName(connectorName));
    props.put("publication.autocreate.mode", "disabled");
    props.put("lsn.flush.mode", "connector");
    props.put("table.include.list", table.includeListRegex());
    props.put("snapshot.mode", config.logSnapshotMode());
    snapshotQuery(config, table, offsets, c)
        .ifPresent(
            query -> {
              props.put("snapshot.select.statement.overrides", table.schema() + "." + table.name());
              props.put(
                  "snapshot.select.statement.overrides." + table.schema() + "." + table.name(),
                  query);
            });
    props.put("provide.transaction.metadata", "true");
    props.put("heartbeat.interval.ms", Long.toString(config.logHeartbeatIntervalMs()));
    props.put(
        "heartbeat.action.query",
        "SELECT pg_logical_emit_message(false, '" + HEARTBEAT_MESSAGE_PREFIX + "', '')");
    props.put("topic.heartbeat.prefix", DEBEZIUM_HEARTBEAT_PREFIX);
    props.put("message.prefix.exclude.list", HEARTBEAT_MESSAGE_PREFIX);
    props.put(
        "skipped.operations",
        OutboxSourceConnectorConfig.UPDATE_IGNORE.equals(config.logUpdateBehavior())
            ? "u,d,t"
            : "d,t");
    props.put("tombstones.on.delete", "false");
    props.put("binary.handling.mode", "bytes");
    props.put("decimal.handling.mode", "string");
    props.put("include.unknown.datatypes", "true");
    int batch = config.pollMaxRows();
    props.put("max.batch.size", Integer.toString(batch));
    props.put("max.queue.size", Integer.toString(Math.max(batch * 4, 8192)));
    props.put("poll.interval.ms", Long.toString(Math.min(500, config.pollIntervalMs())));
    // Debezium does not restart itself: LogCapture starts a new task, knowing what it handed over.
    props.put("errors.max.retries", "0");
    // A slot recreated (dropped by hand, lost in a failover) behind stored offsets fails the task
    // rather than silently streaming from the new slot's start.
    props.put("offset.mismatch.strategy", "trust_offset");
    return props;
  }

  /**
   * The initial snapshot reads the table in each aggregate's order ({@code column.position} when
   * the table has it) and, after a switch from poll mode, only the rows poll mode had not
   * published.
   */
  private static Optional<String> snapshotQuery(
      OutboxSourceConnectorConfig config,
      QualifiedTable table,
      Function<Collection<Map<String, Object>>, Map<Map<String, Object>, Map<String, Object>>>
          offsets,
      Connection c)
      throws SQLException, CaptureException {
    if (!OutboxSourceConnectorConfig.SNAPSHOT_INITIAL.equals(config.logSnapshotMode())) {
      return Optional.empty();
    }
    Identifiers ids = DatabaseDialect.POSTGRESQL.identifiers();
    OutboxColumns columns = config.columns();
    boolean hasPosition = table.hasColumn(c, columns.position());
    boolean hasTxid = table.hasColumn(c, columns.txid());
    Optional<PollModeHandover.Published> published =
        hasPosition && hasTxid
            ? PollModeHandover.publishedCondition(
                config.tableName(),
                ids.quote(columns.txid()),
                ids.quote(columns.position()),
                ids.quote(columns.aggregateId()),
                offsets)
            : Optional.empty();
    if (published.isPresent()) {
      long horizon = horizon(c);
      if (published.get().highestTxid() >= horizon) {
        throw new CaptureException(
            "This connector's poll-mode offsets name transaction "
                + published.get().highestTxid()
                + ", at or above this database's commit horizon "
                + horizon
                + ": they come from another database (or one restored from a backup), so they"
                + " cannot tell which rows were published. Reset the offsets (DELETE"
                + " /connectors/<name>/offsets while stopped) to publish every row again, or set"
                + " log.snapshot.mode=no_data.",
            null,
            false);
      }
    }
    if (!hasPosition) {
      return Optional.empty();
    }
    return Optional.of(
        "SELECT * FROM "
            + table.quoted()
            + published.map(p -> " WHERE NOT " + p.condition()).orElse("")
            + " ORDER BY "
            + ids.quote(columns.position()));
  }

  private static long horizon(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Where a change event lies in the WAL, for a poison row's headers: {@code lsn 0/16B3748}. */
  static String position(SourceRecord record) {
    Object lsn = record.sourceOffset() == null ? null : record.sourceOffset().get("lsn");
    if (!(lsn instanceof Long value)) {
      return "snapshot";
    }
    return "lsn "
        + Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT)
        + "/"
        + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
  }
}
