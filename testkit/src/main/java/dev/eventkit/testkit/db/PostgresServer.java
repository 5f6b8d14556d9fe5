package dev.eventkit.testkit.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * A PostgreSQL 17 server with {@code wal_level=logical} and replication slots enabled, so both the
 * poll and the log capture modes can run against it.
 */
public abstract class PostgresServer implements DatabaseServer {

  private final AtomicInteger databases = new AtomicInteger();

  /** Starts a server from the backend chosen by {@link DatabaseBackend#configured()}. */
  public static PostgresServer start() {
    return DatabaseBackend.configured() == DatabaseBackend.TESTCONTAINERS
        ? new Containerised()
        : new Embedded();
  }

  @Override
  public Kind kind() {
    return Kind.POSTGRESQL;
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  @Override
  public TestDatabase createDatabase() {
    String name = "eventkit_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    TestDatabase admin = new TestDatabase(this, "postgres");
    admin.execute("CREATE DATABASE " + name);
    return new TestDatabase(this, name);
  }

  private static final class Embedded extends PostgresServer {
    private final java.nio.file.Path dataDirectory;
    private volatile EmbeddedPostgres postgres;
    private final int port;

    Embedded() {
      try {
        dataDirectory = java.nio.file.Files.createTempDirectory("eventkit-pg-");
        postgres = builder().start();
        port = postgres.getPort();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
      }
    }

    private EmbeddedPostgres.Builder builder() {
      return EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          .setServerConfig("wal_level", "logical")
          .setServerConfig("max_replication_slots", "10")
          .setServerConfig("max_wal_senders", "10")
          .setServerConfig("max_connections", "200")
          // Prepared transactions hold the commit horizon too; tests prepare some.
          .setServerConfig("max_prepared_transactions", "10");
    }

    /** A fast shutdown: sessions are terminated, slots and settings stay in the data directory. */
    @Override
    public synchronized void stop() {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not stop embedded PostgreSQL", e);
      }
    }

    @Override
    public synchronized void startAgain() {
      try {
        postgres = builder().setPort(port).start();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not restart embedded PostgreSQL", e);
      }
    }

    @Override
    public String host() {
      return "localhost";
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public String adminUser() {
      return "postgres";
    }

    @Override
    public String adminPassword() {
      return "postgres";
    }

    @Override
    public synchronized void close() {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not stop embedded PostgreSQL", e);
      } finally {
        deleteQuietly(dataDirectory);
      }
    }

    private static void deleteQuietly(java.nio.file.Path directory) {
      try (var paths = java.nio.file.Files.walk(directory)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // A temporary directory left behind is not worth failing a test run for.
      }
    }
  }

  private static final class Containerised extends PostgresServer {
    private final PostgreSQLContainer<?> container;

    @SuppressWarnings("resource")
    Containerised() {
      container =
          new PostgreSQLContainer<>(
                  System.getProperty(DatabaseBackend.POSTGRES_IMAGE_PROPERTY, "postgres:17"))
              .withUsername("postgres")
              .withPassword("postgres")
              .withCommand(
                  "postgres",
                  "-c",
                  "wal_level=logical",
                  "-c",
                  "max_replication_slots=10",
                  "-c",
                  "max_wal_senders=10",
                  "-c",
                  "max_connections=200");
      container.start();
    }

    @Override
    public String host() {
      return container.getHost();
    }

    @Override
    public int port() {
      return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String adminUser() {
      return container.getUsername();
    }

    @Override
    public String adminPassword() {
      return container.getPassword();
    }

    @Override
    public void close() {
      container.stop();
    }
  }
}
