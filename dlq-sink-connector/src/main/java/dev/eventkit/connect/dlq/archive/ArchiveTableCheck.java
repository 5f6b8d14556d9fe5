package dev.eventkit.connect.dlq.archive;

import dev.eventkit.connect.dlq.DlqSinkConnectorConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code validate} checks on the archive table before any letter arrives: that the connecting
 * user holds exactly the privileges the archive needs (SELECT and INSERT on an existing table, and
 * UPDATE on MariaDB/MySQL for {@code ON DUPLICATE KEY UPDATE}; the right to create a missing one),
 * and that an existing table has the shape the archive relies on. Each finding names the option at
 * fault and the statement that fixes it.
 *
 * <p>The task checks the same things when it starts (and fails naming them); this lets a user see
 * them in the validate answer instead of in a failed task's trace.
 */
public final class ArchiveTableCheck {

  /** One thing wrong, on the option it concerns. */
  public record Finding(String option, String message) {}

  private static final String USER = DlqSinkConnectorConfig.CONNECTION_USER_CONFIG;
  private static final String TABLE = DlqSinkConnectorConfig.TABLE_NAME_CONFIG;
  private static final String CREATE = DlqSinkConnectorConfig.TABLE_CREATE_CONFIG;

  private final ArchiveDialect dialect;
  private final String table;
  private final boolean createTable;

  public ArchiveTableCheck(ArchiveDialect dialect, String table, boolean createTable) {
    this.dialect = dialect;
    this.table = table;
    this.createTable = createTable;
  }

  /**
   * The findings for the user of {@code c}; empty when the archive can run as it is. Reads
   * catalogs, and on MariaDB/MySQL runs statements that touch no row, rolled back.
   */
  public List<Finding> findings(Connection c) throws SQLException {
    return dialect == ArchiveDialect.POSTGRESQL ? postgres(c) : mariadb(c);
  }

  // ---- PostgreSQL: the catalog answers every question -------------------------------------------

  private List<Finding> postgres(Connection c) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    String role = dialect.identifiers().quote(queryString(c, "SELECT current_user"));
    int dot = table.indexOf('.');
    Optional<String> schema = dot < 0 ? Optional.empty() : Optional.of(table.substring(0, dot));
    if (schema.isPresent()) {
      String quotedSchema = dialect.identifiers().quote(schema.get());
      String privileges =
          queryString(
              c,
              "SELECT CASE WHEN to_regnamespace(?) IS NULL THEN 'none'"
                  + " WHEN has_schema_privilege(to_regnamespace(?), 'USAGE') THEN 'usage'"
                  + " ELSE 'denied' END",
              quotedSchema,
              quotedSchema);
      if (privileges.equals("none")) {
        findings.add(
            new Finding(
                TABLE,
                "Schema "
                    + quotedSchema
                    + " does not exist; the archive does not create schemas. As its owner: CREATE"
                    + " SCHEMA "
                    + quotedSchema
                    + ";"));
        return findings;
      }
      if (privileges.equals("denied")) {
        findings.add(
            new Finding(
                USER,
                "Role "
                    + role
                    + " may not use schema "
                    + quotedSchema
                    + ": GRANT USAGE ON SCHEMA "
                    + quotedSchema
                    + " TO "
                    + role
                    + ";"));
        return findings;
      }
    }
    String quotedTable = dialect.quote(table);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT to_regclass(?) IS NOT NULL,"
                + " coalesce(has_table_privilege(to_regclass(?), 'SELECT'), false),"
                + " coalesce(has_table_privilege(to_regclass(?), 'INSERT'), false),"
                + " current_schema(),"
                + " coalesce(has_schema_privilege(current_schema(), 'CREATE'), false)")) {
      for (int i = 1; i <= 3; i++) {
        ps.setString(i, quotedTable);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          List<String> lacking = new ArrayList<>();
          if (!rs.getBoolean(2)) {
            lacking.add("SELECT");
          }
          if (!rs.getBoolean(3)) {
            lacking.add("INSERT");
          }
          if (!lacking.isEmpty()) {
            findings.add(lacks("Role", role, lacking, quotedTable));
            return findings;
          }
        } else if (!createTable) {
          findings.add(missingTable());
          return findings;
        } else {
          String creatingSchema =
              schema
                  .map(s -> dialect.identifiers().quote(s))
                  .orElse(
                      rs.getString(4) == null
                          ? null
                          : dialect.identifiers().quote(rs.getString(4)));
          boolean mayCreate =
              schema.isPresent()
                  ? queryBoolean(
                      c,
                      "SELECT has_schema_privilege(to_regnamespace(?), 'CREATE')",
                      creatingSchema)
                  : rs.getBoolean(5);
          if (creatingSchema == null) {
            findings.add(
                new Finding(
                    TABLE,
                    "The search_path of role "
                        + role
                        + " names no schema that exists, so the archive table has nowhere to be"
                        + " created: qualify "
                        + TABLE
                        + " with a schema (schema.table)."));
          } else if (!mayCreate) {
            findings.add(mayNotCreate("Role", role, "GRANT CREATE ON SCHEMA " + creatingSchema));
          }
          return findings;
        }
      }
    }
    shape(c, findings);
    return findings;
  }

  // ---- MariaDB/MySQL: statements that touch no row say what is allowed
  // ---------------------------

  /**
   * MariaDB's "command denied" (1142, 1143): the user lacks the privilege, or the table is hidden.
   */
  private static boolean denied(SQLException e) {
    return e.getErrorCode() == 1142 || e.getErrorCode() == 1143;
  }

  private enum Probe {
    ALLOWED,
    DENIED,
    NO_TABLE
  }

  private List<Finding> mariadb(Connection c) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    String user = quoteUser(queryString(c, "SELECT CURRENT_USER()"));
    String database = queryString(c, "SELECT DATABASE()");
    int dot = table.indexOf('.');
    String grantTable =
        dot < 0 && database != null ? dialect.quote(database + "." + table) : dialect.quote(table);
    String quoted = dialect.quote(table);
    // No row matches (WHERE 1 = 0 / FALSE), and the transaction is rolled back: nothing changes.
    Probe select = probe(c, "SELECT 1 FROM " + quoted + " WHERE 1 = 0");
    // Every column the archive writes, so strict mode finds no NOT NULL column left to a default.
    String nulls =
        String.join(
            ", ", java.util.Collections.nCopies(ArchiveDialect.COLUMNS.split(",").length, "NULL"));
    Probe insert =
        probe(
            c,
            "INSERT INTO "
                + quoted
                + " ("
                + ArchiveDialect.COLUMNS
                + ") SELECT "
                + nulls
                + " FROM DUAL WHERE 1 = 0");
    Probe update = probe(c, "UPDATE " + quoted + " SET dlq_partition = 0 WHERE FALSE");
    List<Probe> probes = List.of(select, insert, update);
    if (probes.contains(Probe.NO_TABLE)) {
      if (!createTable) {
        findings.add(missingTable());
      } else if (!mayCreateOnMariaDb(c, dot < 0 ? null : table.substring(0, dot), tableName())) {
        findings.add(
            mayNotCreate("User", user, "GRANT CREATE, SELECT, INSERT, UPDATE ON " + grantTable));
      }
      return findings;
    }
    List<String> lacking = new ArrayList<>();
    String[] names = {"SELECT", "INSERT", "UPDATE"};
    for (int i = 0; i < names.length; i++) {
      if (probes.get(i) == Probe.DENIED) {
        lacking.add(names[i]);
      }
    }
    if (lacking.size() == names.length) {
      // MariaDB does not say whether a table exists to a user with no privilege on it.
      findings.add(
          new Finding(
              USER,
              "User "
                  + user
                  + " has no privilege on "
                  + quoted
                  + " (or it does not exist): GRANT "
                  + (createTable ? "CREATE, " : "")
                  + "SELECT, INSERT, UPDATE ON "
                  + grantTable
                  + " TO "
                  + user
                  + ";"
                  + (createTable
                      ? " (CREATE is needed only while the table does not exist.)"
                      : "")));
      return findings;
    }
    if (!lacking.isEmpty()) {
      findings.add(lacks("User", user, lacking, grantTable));
      return findings;
    }
    shape(c, findings);
    return findings;
  }

  private String tableName() {
    int dot = table.indexOf('.');
    return dot < 0 ? table : table.substring(dot + 1);
  }

  private Probe probe(Connection c, String sql) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute(sql);
      return Probe.ALLOWED;
    } catch (SQLException e) {
      if (denied(e)) {
        return Probe.DENIED;
      }
      if (dialect.isMissingTable(e)) {
        return Probe.NO_TABLE;
      }
      throw e;
    } finally {
      c.rollback();
      c.setAutoCommit(autoCommit);
    }
  }

  /**
   * Whether the current user (or its current role) may hold CREATE globally, on the database or on
   * the table itself, as MariaDB's privilege views show them to that user; database-level grants
   * may name patterns ({@code _} and {@code %}), which {@code LIKE} matches as MariaDB does. When
   * the views show no privilege of the user at all (a server started with {@code
   * --skip-grant-tables}, an account whose grants come through a proxy), the answer is yes: the
   * task still checks when it creates the table.
   */
  private static boolean mayCreateOnMariaDb(Connection c, String schema, String name)
      throws SQLException {
    String grantees =
        " GRANTEE IN (CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
            + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), ''''),"
            + " CONCAT('''', CURRENT_ROLE(), ''''))";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (SELECT COUNT(*) = 0 FROM information_schema.USER_PRIVILEGES WHERE"
                + grantees
                + ") + (SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND"
                + grantees
                + ") + (SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND COALESCE(?, DATABASE()) LIKE TABLE_SCHEMA"
                + " AND"
                + grantees
                + ") + (SELECT COUNT(*) FROM information_schema.TABLE_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND TABLE_SCHEMA = COALESCE(?, DATABASE())"
                + " AND TABLE_NAME = ? AND"
                + grantees
                + ")")) {
      ps.setString(1, schema);
      ps.setString(2, schema);
      ps.setString(3, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /** {@code name@host} as a GRANT statement writes it. */
  private static String quoteUser(String currentUser) {
    int at = currentUser.lastIndexOf('@');
    return at < 0
        ? "'" + currentUser + "'"
        : "'" + currentUser.substring(0, at) + "'@'" + currentUser.substring(at + 1) + "'";
  }

  // ---- Both ------------------------------------------------------------------------------------

  private void shape(Connection c, List<Finding> findings) throws SQLException {
    for (String problem : dialect.shapeProblems(c, table)) {
      findings.add(
          new Finding(
              TABLE,
              "Archive table " + dialect.quote(table) + " cannot be used as it is: " + problem));
    }
  }

  private static Finding lacks(
      String noun, String who, List<String> privileges, String grantTable) {
    String list = String.join(", ", privileges);
    return new Finding(
        USER,
        noun
            + " "
            + who
            + " lacks "
            + list
            + " on archive table "
            + grantTable
            + ": GRANT "
            + list
            + " ON "
            + grantTable
            + " TO "
            + who
            + ";");
  }

  private Finding missingTable() {
    return new Finding(
        CREATE,
        "Archive table "
            + dialect.quote(table)
            + " does not exist and "
            + CREATE
            + "=false: create it beforehand (for instance by running the connector once as a user"
            + " that may create it), or set "
            + CREATE
            + "=true and grant the connector's user the right to create it.");
  }

  private Finding mayNotCreate(String noun, String who, String grant) {
    return new Finding(
        USER,
        "Archive table "
            + dialect.quote(table)
            + " does not exist and "
            + noun.toLowerCase(java.util.Locale.ROOT)
            + " "
            + who
            + " may not create it: "
            + grant
            + " TO "
            + who
            + "; (or create the table beforehand and set "
            + CREATE
            + "=false).");
  }

  private static String queryString(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static boolean queryBoolean(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
