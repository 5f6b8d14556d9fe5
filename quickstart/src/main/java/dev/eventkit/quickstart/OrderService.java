package dev.eventkit.quickstart;

import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated order service: each transaction locks an order, bumps its version and writes its
 * outbox row in the same transaction. About 10% roll back; about 5% of the committed events are
 * poison (type OrderCorrupted, which the downstream consumer cannot handle).
 */
final class OrderService implements AutoCloseable {

  static final String POISON_TYPE = "OrderCorrupted";
  private static final int ORDERS = 50;

  final AtomicLong written = new AtomicLong();
  final AtomicLong committed = new AtomicLong();
  final AtomicLong rolledBack = new AtomicLong();
  final AtomicLong poison = new AtomicLong();
  private final Connection connection;

  OrderService(TestDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE orders (id text PRIMARY KEY, version bigint NOT NULL)",
        "INSERT INTO orders SELECT 'o-' || g, 0 FROM generate_series(1, " + ORDERS + ") g");
    connection = db.connect();
    connection.setAutoCommit(false);
  }

  /** Writes one transaction; called at the configured rate from one thread. */
  void writeOne() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String order = "o-" + (1 + random.nextInt(ORDERS));
    boolean isPoison = random.nextInt(20) == 0;
    String type = isPoison ? POISON_TYPE : random.nextBoolean() ? "OrderPlaced" : "OrderShipped";
    try (PreparedStatement bump =
            connection.prepareStatement(
                "UPDATE orders SET version = version + 1 WHERE id = ? RETURNING version");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO outbox (aggregatetype, aggregateid, type, payload, correlation_id)"
                    + " VALUES ('order', ?, ?, CAST(? AS jsonb), ?)")) {
      bump.setString(1, order);
      long version;
      try (ResultSet rs = bump.executeQuery()) {
        rs.next();
        version = rs.getLong(1);
      }
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

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
