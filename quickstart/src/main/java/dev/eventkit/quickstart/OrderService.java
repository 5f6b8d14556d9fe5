package dev.eventkit.quickstart;

import dev.eventkit.quickstart.QuickstartOptions.Database;
import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated order service: each transaction locks an order, bumps its version and writes its
 * outbox row in the same transaction, so the outbox position is taken under the order's lock. About
 * 10% roll back; about 5% of the committed events are poison (type OrderCorrupted, which the
 * downstream consumer cannot handle).
 */
final class OrderService implements AutoCloseable {

  static final String POISON_TYPE = "OrderCorrupted";
  private static final int ORDERS = 50;

  final AtomicLong written = new AtomicLong();
  final AtomicLong committed = new AtomicLong();
  final AtomicLong rolledBack = new AtomicLong();
  final AtomicLong poison = new AtomicLong();
  private final Connection connection;
  private final Database database;

  OrderService(TestDatabase db, Database database) throws SQLException {
    this.database = database;
    StringBuilder orders = new StringBuilder("INSERT INTO orders (id, version) VALUES ");
    for (int i = 1; i <= ORDERS; i++) {
      orders.append(i == 1 ? "" : ", ").append("('o-").append(i).append("', 0)");
    }
    db.execute(
        database == Database.MARIADB
            ? "CREATE TABLE orders (id VARCHAR(255) PRIMARY KEY, version BIGINT NOT NULL)"
                + " ENGINE=InnoDB"
            : "CREATE TABLE orders (id text PRIMARY KEY, version bigint NOT NULL)",
        orders.toString());
    connection = db.connect();
    connection.setAutoCommit(false);
  }

  /** Writes one transaction; called at the configured rate from one thread. */
  void writeOne() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String order = "o-" + (1 + random.nextInt(ORDERS));
    boolean isPoison = random.nextInt(20) == 0;
    String type = isPoison ? POISON_TYPE : random.nextBoolean() ? "OrderPlaced" : "OrderShipped";
    try (PreparedStatement insert = connection.prepareStatement(insertOutboxSql())) {
      long version = lockAndBump(order);
      insert.setString(1, order);
      insert.setString(2, type);
      insert.setString(
          3,
          "{\"orderId\": \""
              + order
              + "\", \"version\": "
              + version
              + ", \"total\": "
              + random.nextInt(1, 500)
              + "}");
      insert.setString(4, "web-" + random.nextInt(1_000_000));
      insert.executeUpdate();
      written.incrementAndGet();
      if (random.nextInt(10) == 0) {
        connection.rollback();
        rolledBack.incrementAndGet();
      } else {
        connection.commit();
        committed.incrementAndGet();
        if (isPoison) {
          poison.incrementAndGet();
        }
      }
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The connection is gone; the next write reports it.
      }
      throw new IllegalStateException("The order service could not write: " + e.getMessage(), e);
    }
  }

  /**
   * Locks the order's row for the rest of the transaction and bumps its version; returns the new
   * version. Writers of the same order queue here, so each takes its outbox position after the
   * previous one committed.
   */
  private long lockAndBump(String order) throws SQLException {
    if (database == Database.POSTGRESQL) {
      try (PreparedStatement bump =
          connection.prepareStatement(
              "UPDATE orders SET version = version + 1 WHERE id = ? RETURNING version")) {
        bump.setString(1, order);
        try (ResultSet rs = bump.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }
    long version;
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT version FROM orders WHERE id = ? FOR UPDATE")) {
      lock.setString(1, order);
      try (ResultSet rs = lock.executeQuery()) {
        rs.next();
        version = rs.getLong(1) + 1;
      }
    }
    try (PreparedStatement bump =
        connection.prepareStatement("UPDATE orders SET version = ? WHERE id = ?")) {
      bump.setLong(1, version);
      bump.setString(2, order);
      bump.executeUpdate();
    }
    return version;
  }

  /** Parameters: aggregate id, event type, payload, correlation id. */
  private String insertOutboxSql() {
    return database == Database.MARIADB
        ? "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES (UUID(), 'order', ?, ?, ?, ?)"
        : "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES ('order', ?, ?, CAST(? AS jsonb), ?)";
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
