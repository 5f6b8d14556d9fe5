package dev.eventkit.connect.outbox.integration;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The outbox table, the example connector config and record helpers shared by the outbox ITs. */
final class OutboxTestSupport {

  static final Path EXAMPLE =
      Path.of(System.getProperty("eventkit.config.examples", "../config-examples"))
          .resolve("outbox-postgres-poll.json");

  private OutboxTestSupport() {}

  /** A Connect cluster whose workers resolve ${env:...} like production ones. */
  static ConnectCluster.Builder cluster() {
    return ConnectCluster.builder().envConfigProvider();
  }

  /** The outbox table of DESIGN.md, with a payload column of the given type. */
  static void createOutbox(
      TestDatabase db, String table, String payloadType, boolean aggregateIdNullable) {
    db.execute(
        "CREATE TABLE "
            + table
            + " ("
            + " id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
            + " aggregatetype text NOT NULL,"
            + " aggregateid text"
            + (aggregateIdNullable ? "" : " NOT NULL")
            + ","
            + " type text NOT NULL,"
            + " payload "
            + payloadType
            + ","
            + " timestamp timestamptz NOT NULL DEFAULT now(),"
            + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
            + " seq bigserial,"
            + " correlation_id text)",
        "CREATE INDEX " + table + "_position ON " + table + " (txid, seq)");
  }

  static void createOutbox(TestDatabase db) {
    createOutbox(db, "outbox", "jsonb", false);
  }

  /** Inserts one event in its own transaction and returns its id. */
  static String insert(
      TestDatabase db,
      String table,
      String aggregateType,
      String aggregateId,
      String type,
      String payload)
      throws SQLException {
    try (Connection c = db.connect()) {
      return insert(c, table, aggregateType, aggregateId, type, payload, null);
    }
  }

  static String insert(
      Connection c,
      String table,
      String aggregateType,
      String aggregateId,
      String type,
      String payload,
      String correlationId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (aggregatetype, aggregateid, type, payload, correlation_id)"
                + " VALUES (?, ?, ?, CAST(? AS "
                + payloadType(c, table)
                + "), ?) RETURNING CAST(id AS text)")) {
      ps.setString(1, aggregateType);
      ps.setString(2, aggregateId);
      ps.setString(3, type);
      ps.setString(4, payload);
      ps.setString(5, correlationId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static String payloadType(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = 'payload'")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** Config values that point the example at this test's database and topics. */
  static Map<String, String> overrides(TestDatabase db, String... keyValues) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("connection.url", db.jdbcUrl());
    overrides.put("connection.user", db.user());
    overrides.put("connection.password", db.password());
    overrides.put("poll.interval.ms", "200");
    for (int i = 0; i < keyValues.length; i += 2) {
      overrides.put(keyValues[i], keyValues[i + 1]);
    }
    return overrides;
  }

  /** The first SQL block under a README heading, statement by statement, comments removed. */
  static java.util.List<String> readmeSql(String heading) throws java.io.IOException {
    String readme =
        java.nio.file.Files.readString(EXAMPLE.getParent().getParent().resolve("README.md"));
    int at = readme.indexOf(heading);
    if (at < 0) {
      throw new AssertionError("README has no heading " + heading);
    }
    int start = readme.indexOf("```sql", at) + "```sql".length();
    String block = readme.substring(start, readme.indexOf("```", start));
    java.util.List<String> statements = new java.util.ArrayList<>();
    for (String statement : block.replaceAll("--[^\n]*", "").split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.trim());
      }
    }
    return statements;
  }

  static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : text(header.value());
  }
}
