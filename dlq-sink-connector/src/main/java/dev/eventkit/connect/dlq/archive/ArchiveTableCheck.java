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
 * <p>The task meets the same problems when it first writes (it reads the table, checks its shape,
 * creates it if missing, and fails naming the table and the privilege when it cannot); validate
 * shows them before any letter arrives, instead of in a failed task's trace.
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
          sequenceUsage(c, role, quotedTable).ifPresent(findings::add);
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

  /**
   * A table created by an earlier release draws its id from a {@code bigserial} sequence, which
   * needs USAGE besides INSERT on the table (an identity column, as created now, does not).
   */
  private static Optional<Finding> sequenceUsage(Connection c, String role, String quotedTable)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.seq, has_sequence_privilege(s.seq, 'USAGE, UPDATE')"
                + " FROM (SELECT pg_get_serial_sequence(?, 'id') AS seq) s"
                + " WHERE s.seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_attribute a"
                + " WHERE a.attrelid = to_regclass(?) AND a.attname = 'id' AND a.attidentity <> '')")) {
      ps.setString(1, quotedTable);
      ps.setString(2, quotedTable);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getBoolean(2)) {
          return Optional.empty();
        }
        return Optional.of(
            new Finding(
                USER,
                "Role "
                    + role
                    + " lacks USAGE on sequence "
                    + rs.getString(1)
                    + ", which the id column of archive table "
                    + quotedTable
                    + " (created by an earlier release) draws from: GRANT USAGE ON SEQUENCE "
                    + rs.getString(1)
                    + " TO "
                    + role
                    + ";"));
      }
    }
  }

  // ---- MariaDB/MySQL: statements that touch no row say what is allowed
  // ---------------------------

  /** MariaDB's refusal of an UPDATE without a key in its WHERE under {@code sql_safe_updates}. */
  private static final int SAFE_UPDATES = 1175;

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
    // Quoted part by part: a database name may hold a dot.
    String grantTable =
        dot < 0 && database != null
            ? dialect.identifiers().quote(database) + "." + dialect.quote(table)
            : dialect.quote(table);
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
    // The column the task's ON DUPLICATE KEY UPDATE writes: a column-level grant on it is enough.
    Probe update = probe(c, "UPDATE " + quoted + " SET dlq_offset = dlq_offset WHERE FALSE");
    List<Probe> probes = List.of(select, insert, update);
    List<String> lacking = new ArrayList<>();
    String[] names = {"SELECT", "INSERT", "UPDATE"};
    for (int i = 0; i < names.length; i++) {
      if (probes.get(i) == Probe.DENIED) {
        lacking.add(names[i]);
      }
    }
    if (probes.contains(Probe.NO_TABLE)) {
      if (!createTable) {
        findings.add(missingTable());
      } else if (!lacking.isEmpty()
          || !mayCreateOnMariaDb(c, dot < 0 ? null : table.substring(0, dot), tableName())) {
        // The task creates the table, then inserts (and updates, for redeliveries) into it.
        findings.add(
            mayNotCreate("User", user, "GRANT CREATE, SELECT, INSERT, UPDATE ON " + grantTable));
      }
      return findings;
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
      if (e.getErrorCode() == SAFE_UPDATES) {
        return Probe.ALLOWED; // sql_safe_updates refused a keyless WHERE: the privilege passed
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
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CURRENT_ROLE()")) {
      rs.next();
      String role = rs.getString(1);
      if (role != null && !role.equalsIgnoreCase("NONE")) {
        return true; // privileges through a role: the views do not show them all
      }
    } catch (SQLException noRoles) {
      return true; // MySQL 5.7: no roles, no way to ask; the task checks when it creates
    }
    // 'name'@'host' as the views write grantees, split at the last @ as MySQL does.
    String grantee =
        " GRANTEE = CONCAT('''', REPLACE(LEFT(CURRENT_USER(),"
            + " CHAR_LENGTH(CURRENT_USER()) - CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1))"
            + " - 1), '''', ''''''), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (SELECT COUNT(*) = 0 FROM information_schema.USER_PRIVILEGES WHERE"
                + grantee
                + ") + (SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND"
                + grantee
                + ") + (SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND COALESCE(?, DATABASE()) LIKE TABLE_SCHEMA"
                + " AND"
                + grantee
                + ") + (SELECT COUNT(*) FROM information_schema.TABLE_PRIVILEGES"
                + " WHERE PRIVILEGE_TYPE = 'CREATE' AND TABLE_SCHEMA = COALESCE(?, DATABASE())"
                + " AND TABLE_NAME = ? AND"
                + grantee
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
    String name = (at < 0 ? currentUser : currentUser.substring(0, at)).replace("'", "''");
    return at < 0
        ? "'" + name + "'"
        : "'" + name + "'@'" + currentUser.substring(at + 1).replace("'", "''") + "'";
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
