package dev.eventkit.testkit.db;

/**
 * A running database server owned by a test class (or by the quickstart). Each test asks it for a
 * fresh {@link TestDatabase}, so tests never see each other's tables.
 */
public interface DatabaseServer extends AutoCloseable {

  /** Which product this is, for dialect-specific SQL in tests. */
  Kind kind();

  String host();

  int port();

  /** A user with every privilege on the server (PostgreSQL superuser, MariaDB root). */
  String adminUser();

  String adminPassword();

  /** The JDBC URL of {@code database} on this server. */
  String jdbcUrl(String database);

  /** Creates an empty database with a unique name, owned by the admin user. */
  TestDatabase createDatabase();

  /**
   * Stops the server (sessions are ended, as in an administrator's restart) and keeps its data
   * directory, so that {@link #startAgain()} brings it back with everything committed. Only the
   * embedded servers support it.
   */
  default void stop() {
    throw new UnsupportedOperationException("Only an embedded " + kind() + " can be stopped");
  }

  /** Starts a server stopped by {@link #stop()} on the same data directory and port. */
  default void startAgain() {
    throw new UnsupportedOperationException("Only an embedded " + kind() + " can be restarted");
  }

  @Override
  void close();

  enum Kind {
    POSTGRESQL,
    MARIADB
  }
}
