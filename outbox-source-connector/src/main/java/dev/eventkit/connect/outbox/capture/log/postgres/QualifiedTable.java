package dev.eventkit.connect.outbox.capture.log.postgres;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The outbox table as Debezium names it: schema and table, resolved through the search_path. */
record QualifiedTable(String schema, String name) {

  /**
   * @throws SQLException when the table does not exist or the database cannot be read
   */
  static QualifiedTable resolve(Connection c, String configured) throws SQLException {
    String regclass = DatabaseDialect.POSTGRESQL.identifiers().quoteQualified(configured);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException(
              "Table " + configured + " does not exist or is not visible to this role", "42P01");
        }
        return new QualifiedTable(rs.getString(1), rs.getString(2));
      }
    }
  }

  String quoted() {
    Identifiers ids = DatabaseDialect.POSTGRESQL.identifiers();
    return ids.quote(schema) + "." + ids.quote(name);
  }

  /**
   * Debezium's table.include.list holds comma-separated regular expressions matched against {@code
   * schema.table}: every character is matched literally.
   */
  String includeListRegex() {
    return literal(schema) + "\\." + literal(name);
  }

  private static String literal(String s) {
    StringBuilder out = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (Character.isLetterOrDigit(ch) || ch == '_') {
        out.append(ch);
      } else if (ch == ',') {
        out.append("\\,");
      } else {
        out.append('\\').append(ch);
      }
    }
    return out.toString();
  }

  /** pg_class.relkind: r (table), p (partitioned table), ... */
  String kind(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(?)")) {
      ps.setString(1, quoted());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  boolean hasColumn(Connection c, String column) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? AND"
                + " attnum > 0 AND NOT attisdropped")) {
      ps.setString(1, quoted());
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
