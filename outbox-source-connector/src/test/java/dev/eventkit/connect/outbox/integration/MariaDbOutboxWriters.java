package dev.eventkit.connect.outbox.integration;

import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application writers on MariaDB as the outbox pattern has them: each transaction locks its
 * aggregate row, bumps its version and inserts outbox rows carrying the new versions (so each takes
 * its auto-increment ids under the aggregate's lock). They think a random while inside the
 * transaction, before and after inserting (the database sleeps, so the transaction really is open
 * with its ids taken), some wait much longer, and about 10% roll back.
 */
final class MariaDbOutboxWriters {

  private final TestDatabase db;
  private final int aggregates;
  final Set<String> committed = ConcurrentHashMap.newKeySet();
  final Set<String> rolledBack = ConcurrentHashMap.newKeySet();

  MariaDbOutboxWriters(TestDatabase db, int aggregates) {
    this.db = db;
    this.aggregates = aggregates;
    db.execute(
        "CREATE TABLE aggregates (id VARCHAR(64) PRIMARY KEY, version BIGINT NOT NULL)"
            + " ENGINE=InnoDB");
    StringBuilder rows = new StringBuilder("INSERT INTO aggregates VALUES ");
    for (int i = 0; i < aggregates; i++) {
      rows.append(i == 0 ? "" : ", ").append("('agg-").append(i).append("', 0)");
    }
    db.execute(rows.toString());
  }

  /** The outbox table of DESIGN.md (LONGTEXT payload on MariaDB), with a correlation_id column. */
  static void createOutbox(TestDatabase db) {
    db.execute(
        "CREATE TABLE outbox ("
            + " seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " id CHAR(36) NOT NULL UNIQUE,"
            + " aggregatetype VARCHAR(255) NOT NULL,"
            + " aggregateid VARCHAR(255) NOT NULL,"
            + " type VARCHAR(255) NOT NULL,"
            + " payload LONGTEXT,"
            + " timestamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
            + " correlation_id VARCHAR(255)) ENGINE=InnoDB");
  }

  /** Inserts one event on the connection's transaction and returns its event id. */
  static String insert(Connection c, String aggregateType, String aggregateId, String payload)
      throws SQLException {
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)"
                + " VALUES (?, ?, ?, 'Changed', ?)")) {
      ps.setString(1, id);
      ps.setString(2, aggregateType);
      ps.setString(3, aggregateId);
      ps.setString(4, payload);
      ps.executeUpdate();
    }
    return id;
  }

  /**
   * Runs {@code writers} threads until at least {@code events} events are committed; one
   * transaction in {@code longWaitOneIn} stays open for up to {@code longWaitMillis} after
   * inserting.
   */
  void run(int writers, int events, int maxThinkMillis, int longWaitOneIn, int longWaitMillis)
      throws Exception {
    AtomicInteger committedCount = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        futures.add(
            pool.submit(
                () -> {
                  try (Connection c = db.connect()) {
                    c.setAutoCommit(false);
                    while (committedCount.get() < events) {
                      committedCount.addAndGet(
                          oneTransaction(c, maxThinkMillis, longWaitOneIn, longWaitMillis));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private int oneTransaction(Connection c, int maxThink, int longWaitOneIn, int longWait)
      throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String aggregate = "agg-" + random.nextInt(aggregates);
    try (Statement st = c.createStatement()) {
      st.execute("DO SLEEP(" + random.nextInt(maxThink + 1) / 1000.0 + ")");
      long version;
      try (PreparedStatement lock =
          c.prepareStatement("SELECT version FROM aggregates WHERE id = ? FOR UPDATE")) {
        lock.setString(1, aggregate);
        try (ResultSet rs = lock.executeQuery()) {
          rs.next();
          version = rs.getLong(1);
        }
      }
      int count = 1 + random.nextInt(3);
      List<String> written = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        version++;
        written.add(insert(c, "account", aggregate, "{\"version\": " + version + "}"));
      }
      try (PreparedStatement bump =
          c.prepareStatement("UPDATE aggregates SET version = ? WHERE id = ?")) {
        bump.setLong(1, version);
        bump.setString(2, aggregate);
        bump.executeUpdate();
      }
      int wait =
          longWaitOneIn > 0 && random.nextInt(longWaitOneIn) == 0
              ? longWait / 2 + random.nextInt(longWait / 2 + 1)
              : random.nextInt(maxThink + 1);
      st.execute("DO SLEEP(" + wait / 1000.0 + ")");
      if (random.nextInt(10) == 0) {
        c.rollback();
        rolledBack.addAll(written);
        return 0;
      }
      c.commit();
      committed.addAll(written);
      return count;
    } catch (SQLException e) {
      c.rollback();
      if (e.getErrorCode() == 1213) { // deadlock: InnoDB rolled the transaction back
        return 0;
      }
      throw e;
    }
  }
}
