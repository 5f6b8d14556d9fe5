package dev.eventkit.connect.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections through the plugin's own driver classes, never {@link java.sql.DriverManager}:
 * inside Connect's isolated plugin class loader the worker's DriverManager does not see drivers
 * shipped with the plugin.
 *
 * <p>Every connection gets a connect timeout, a socket timeout (a half-open socket after a failover
 * cannot hang a task) and TCP keepalive, and carries the application name, so administrators can
 * see who is connected. Options written into the URL win over these defaults.
 */
public final class JdbcConnections {

  public static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** A half-open socket after a failover cannot hang a task for longer than this. */
  public static final int SOCKET_TIMEOUT_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(JdbcConnections.class);

  private static final String PERMIT_MYSQL_SCHEME = "permitMysqlScheme";

  private JdbcConnections() {}

  /**
   * Opens a connection with the driver for the URL's dialect.
   *
   * @throws SQLException from the driver (classify it with {@link SqlErrors}), or one naming the
   *     expected URL prefix when no shipped driver accepts the URL; no message carries the URL's
   *     password
   */
  public static Connection open(JdbcSettings settings) throws SQLException {
    DatabaseDialect dialect;
    try {
      dialect = DatabaseDialect.fromUrl(settings.url());
    } catch (IllegalArgumentException e) {
      throw new UnusableUrlException(e.getMessage());
    }
    String url = driverUrl(dialect, settings.url());
    Properties properties = connectionProperties(dialect, settings);
    log.debug("Opening a {} connection to {}", dialect, JdbcUrls.redact(url));
    if (dialect == DatabaseDialect.POSTGRESQL) {
      // pgjdbc's own complaints about such URLs quote them, password and all, in its log or in
      // its exception: check first.
      String slashes = pgjdbcSlashProblem(url);
      if (slashes != null) {
        throw unusable(dialect, slashes);
      }
      Properties copy = new Properties();
      copy.putAll(properties);
      if (org.postgresql.Driver.parseURL(url, copy) == null) {
        throw unusable(dialect, "the PostgreSQL driver cannot parse this JDBC URL");
      }
    }
    Connection connection;
    try {
      connection = driver(dialect).connect(url, properties);
    } catch (SQLException e) {
      throw withoutUrl(e, dialect, settings.url(), url);
    }
    if (connection == null) {
      throw unusable(
          dialect,
          "the "
              + (dialect == DatabaseDialect.POSTGRESQL ? "PostgreSQL" : "MariaDB")
              + " driver does not accept this JDBC URL");
    }
    return connection;
  }

  /**
   * What pgjdbc's URL parser would log at WARNING level, with the URL, before refusing it: the host
   * part must end with exactly one {@code /} (followed by the database name, if any).
   */
  static String pgjdbcSlashProblem(String url) {
    String prefix = DatabaseDialect.POSTGRESQL.prefix() + "//";
    if (!url.startsWith(prefix)) {
      return null;
    }
    int query = url.indexOf('?');
    String server = url.substring(prefix.length(), query < 0 ? url.length() : query);
    if (server.isEmpty() || server.equals("/")) {
      return null;
    }
    long slashes = server.chars().filter(c -> c == '/').count();
    if (slashes == 0) {
      return "the JDBC URL has no '/' after the host and port";
    }
    if (slashes > 1) {
      return "the JDBC URL has more than one '/' after the host and port";
    }
    return null;
  }

  private static UnusableUrlException unusable(DatabaseDialect dialect, String problem) {
    return new UnusableUrlException(
        Character.toUpperCase(problem.charAt(0))
            + problem.substring(1)
            + "; expected "
            + example(dialect));
  }

  /**
   * The URL handed to the driver: trimmed, the scheme in lower case (both drivers compare it
   * case-sensitively), and for MySQL with the {@code permitMysqlScheme} option, without which the
   * MariaDB driver refuses {@code jdbc:mysql:} (it looks for it in the URL, not the properties).
   */
  static String driverUrl(DatabaseDialect dialect, String url) {
    String trimmed = url.strip();
    String result = dialect.prefix() + trimmed.substring(dialect.prefix().length());
    if (dialect == DatabaseDialect.MYSQL && !result.contains(PERMIT_MYSQL_SCHEME)) {
      if (result.endsWith("?") || result.endsWith("&")) {
        result = result + PERMIT_MYSQL_SCHEME;
      } else {
        result = result + (result.indexOf('?') < 0 ? "?" : "&") + PERMIT_MYSQL_SCHEME;
      }
    }
    return result;
  }

  /** The driver properties: credentials and the defaults the URL does not override. */
  static Properties connectionProperties(DatabaseDialect dialect, JdbcSettings settings) {
    Properties properties = new Properties();
    if (dialect == DatabaseDialect.POSTGRESQL) {
      // pgjdbc ranks the URL's own options above these properties (Driver.parseURL), so each
      // default can be set unconditionally. Timeouts are in seconds.
      settings.user().ifPresent(user -> properties.setProperty("user", user));
      settings.password().ifPresent(password -> properties.setProperty("password", password));
      properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
      properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
      properties.setProperty("tcpKeepAlive", "true");
      properties.setProperty("ApplicationName", settings.applicationName());
      return properties;
    }
    // MariaDB Connector/J copies the URL's options over properties of exactly the same name, but
    // matches option names case-insensitively, so "sockettimeout" in the URL and "socketTimeout"
    // here would both apply in no defined order: a default is left out when the URL names its
    // option in any spelling. Timeouts are in milliseconds.
    Set<String> inUrl = urlOptionNames(settings.url());
    settings.user().ifPresent(user -> putUnlessInUrl(properties, inUrl, "user", user));
    settings
        .password()
        .ifPresent(password -> putUnlessInUrl(properties, inUrl, "password", password));
    putUnlessInUrl(
        properties, inUrl, "connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
    putUnlessInUrl(
        properties, inUrl, "socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS * 1000));
    putUnlessInUrl(properties, inUrl, "tcpKeepAlive", "true");
    // Sent at login, visible in performance_schema.session_connect_attrs. The driver splits the
    // attribute list at ',' and each pair at the first ':'.
    putUnlessInUrl(
        properties,
        inUrl,
        "connectionAttributes",
        "program_name:" + settings.applicationName().replace(',', '_').replace(':', '_'));
    return properties;
  }

  private static void putUnlessInUrl(
      Properties properties, Set<String> inUrl, String name, String value) {
    if (!inUrl.contains(name.toLowerCase(Locale.ROOT))) {
      properties.setProperty(name, value);
    }
  }

  /** The option names in a URL's query, lower-cased. */
  static Set<String> urlOptionNames(String url) {
    Set<String> names = new HashSet<>();
    int query = url.indexOf('?');
    if (query < 0) {
      return names;
    }
    for (String option : url.substring(query + 1).split("&")) {
      int equals = option.indexOf('=');
      String name = (equals < 0 ? option : option.substring(0, equals)).strip();
      if (!name.isEmpty()) {
        names.add(name.toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private static Driver driver(DatabaseDialect dialect) {
    return dialect == DatabaseDialect.POSTGRESQL
        ? new org.postgresql.Driver()
        : new org.mariadb.jdbc.Driver();
  }

  private static String example(DatabaseDialect dialect) {
    switch (dialect) {
      case POSTGRESQL:
        return "jdbc:postgresql://host[:port]/database[?option=value&...]";
      case MARIADB:
        return "jdbc:mariadb://host[:port]/database[?option=value&...]";
      default:
        return "jdbc:mysql://host[:port]/database[?option=value&...]";
    }
  }

  /**
   * A driver error whose message (or a cause's) repeats the URL, as MariaDB's URL parser does, or
   * holds a password, is replaced by one without them: the same SQLSTATE and vendor code, no cause.
   * A URL the MariaDB driver cannot parse becomes an {@link UnusableUrlException}.
   */
  private static SQLException withoutUrl(
      SQLException e, DatabaseDialect dialect, String givenUrl, String driverUrl) {
    if (e.getSQLState() == null
        && e.getMessage() != null
        && e.getMessage().startsWith("error parsing url")) {
      UnusableUrlException unusable =
          unusable(
              dialect,
              "the MariaDB driver cannot parse this JDBC URL ("
                  + scrub(e.getMessage(), givenUrl, driverUrl)
                  + ")");
      unusable.setStackTrace(e.getStackTrace());
      return unusable;
    }
    boolean leaks = false;
    for (Throwable t = e; t != null && !leaks; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      leaks = message != null && !scrub(message, givenUrl, driverUrl).equals(message);
    }
    if (!leaks) {
      return e;
    }
    SQLException safe =
        new SQLException(
            scrub(String.valueOf(e.getMessage()), givenUrl, driverUrl),
            e.getSQLState(),
            e.getErrorCode());
    safe.setStackTrace(e.getStackTrace());
    return safe;
  }

  /** The message with the URL left out (the redactor cannot know every malformed URL shape). */
  private static String scrub(String message, String givenUrl, String driverUrl) {
    String scrubbed =
        message
            .replace(driverUrl, "<the JDBC URL>")
            .replace(givenUrl.strip(), "<the JDBC URL>")
            .replace(givenUrl, "<the JDBC URL>");
    return JdbcUrls.redact(scrubbed);
  }
}
