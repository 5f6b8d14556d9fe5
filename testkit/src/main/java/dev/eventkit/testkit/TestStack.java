package dev.eventkit.testkit;

import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers an integration test class shares: a database (or none) and a Kafka + Connect cluster,
 * started before the class's first test and stopped after its last. Register it as a static field:
 * {@code @RegisterExtension static final TestStack STACK =
 * TestStack.postgres(ConnectCluster.builder());}.
 */
public final class TestStack implements BeforeAllCallback, AfterAllCallback {

  private final boolean withPostgres;
  private final boolean withMariaDb;
  private final ConnectCluster.Builder clusterBuilder;
  private PostgresServer postgres;
  private MariaDbServer mariadb;
  private ConnectCluster cluster;

  private TestStack(
      boolean withPostgres, boolean withMariaDb, ConnectCluster.Builder clusterBuilder) {
    this.withPostgres = withPostgres;
    this.withMariaDb = withMariaDb;
    this.clusterBuilder = clusterBuilder;
  }

  public static TestStack postgres(ConnectCluster.Builder cluster) {
    return new TestStack(true, false, cluster);
  }

  public static TestStack mariadb(ConnectCluster.Builder cluster) {
    return new TestStack(false, true, cluster);
  }

  public static TestStack connectOnly(ConnectCluster.Builder cluster) {
    return new TestStack(false, false, cluster);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (withPostgres) {
      postgres = PostgresServer.start();
    }
    if (withMariaDb) {
      mariadb = MariaDbServer.start();
    }
    cluster = clusterBuilder.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      try {
        if (mariadb != null) {
          mariadb.close();
        }
      } finally {
        if (postgres != null) {
          postgres.close();
        }
      }
    }
  }

  public PostgresServer postgres() {
    return require(postgres, "PostgreSQL");
  }

  public MariaDbServer mariadb() {
    return require(mariadb, "MariaDB");
  }

  public ConnectCluster cluster() {
    return require(cluster, "the Connect cluster");
  }

  private static <T> T require(T server, String what) {
    if (server == null) {
      throw new IllegalStateException(
          what + " is not part of this test stack, or it has not started");
    }
    return server;
  }
}
