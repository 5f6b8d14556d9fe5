package dev.eventkit.connect.jdbc;

import java.util.Locale;

/** Which database a JDBC URL points at. */
public enum DatabaseDialect {
  POSTGRESQL("jdbc:postgresql:", Identifiers.postgresql()),
  MARIADB("jdbc:mariadb:", Identifiers.mariadb()),
  /** MySQL, reached through the MariaDB driver (which speaks the same protocol). */
  MYSQL("jdbc:mysql:", Identifiers.mariadb());

  /** The URL prefixes this module opens, for error messages. */
  static final String SUPPORTED_PREFIXES = "jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:";

  private final String prefix;
  private final Identifiers identifiers;

  DatabaseDialect(String prefix, Identifiers identifiers) {
    this.prefix = prefix;
    this.identifiers = identifiers;
  }

  /**
   * The dialect of a JDBC URL, from its subprotocol ({@code jdbc:postgresql:}, {@code
   * jdbc:mariadb:}, {@code jdbc:mysql:}; case and surrounding blanks ignored). MySQL URLs are
   * opened with the MariaDB driver, which {@link JdbcConnections} tells to accept the {@code
   * jdbc:mysql:} scheme.
   *
   * @throws IllegalArgumentException listing the supported prefixes; the message never contains the
   *     URL itself, which may carry a password
   */
  public static DatabaseDialect fromUrl(String jdbcUrl) {
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw new IllegalArgumentException(
          "No JDBC URL given; it must start with " + SUPPORTED_PREFIXES);
    }
    String lower = jdbcUrl.strip().toLowerCase(Locale.ROOT);
    for (DatabaseDialect dialect : values()) {
      if (lower.startsWith(dialect.prefix)) {
        return dialect;
      }
    }
    throw new IllegalArgumentException(
        "Unsupported JDBC URL: it must start with " + SUPPORTED_PREFIXES);
  }

  /** Identifier validation and quoting for this database. */
  public Identifiers identifiers() {
    return identifiers;
  }

  /** The subprotocol prefix in lower case, e.g. {@code jdbc:postgresql:}. */
  String prefix() {
    return prefix;
  }
}
