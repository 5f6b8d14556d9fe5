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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application writers as the outbox pattern has them: each transaction locks its aggregate row,
 * bumps its version and writes outbox rows carrying the new versions. Half of them write another
 * table first, so they take their transaction id early and may commit after a younger one; they
 * stay open a random while after inserting (the database sleeps, so the transaction really is
 * open), and about 10% roll back.
 */
final class ConcurrentOutboxWriters {

  /** One committed event. */
  record Written(String eventId, String aggregateId, long version) {}

  private final TestDatabase db;
  private final int aggregates;
  final Set<String> committed = ConcurrentHashMap.newKeySet();
  final Set<String> rolledBack = ConcurrentHashMap.newKeySet();
  final List<Written> committedEvents = java.util.Collections.synchronizedList(new ArrayList<>());

  ConcurrentOutboxWriters(TestDatabase db, int aggregates) {
    this.db = db;
    this.aggregates = aggregates;
    db.execute(
        "CREATE TABLE aggregates (id text PRIMARY KEY, version bigint NOT NULL)",
        "CREATE TABLE audit (note text)",
        "INSERT INTO aggregates SELECT 'agg-' || g, 0 FROM generate_series(0, "
            + (aggregates - 1)
            + ") g");
  }

  /** Runs {@code writers} threads until at least {@code events} events are committed. */
  void run(int writers, int events, int maxOpenMillis) throws Exception {
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
                      committedCount.addAndGet(oneTransaction(c, maxOpenMillis));
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

  private int oneTransaction(Connection c, int maxOpenMillis) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String aggregate = "agg-" + random.nextInt(aggregates);
    try (Statement st = c.createStatement()) {
      if (random.nextBoolean()) {
        st.execute("INSERT INTO audit VALUES ('took my xid early')");
        st.execute("SELECT pg_sleep(" + random.nextInt(maxOpenMillis + 1) / 1000.0 + ")");
      }
      try (PreparedStatement lock =
          c.prepareStatement("SELECT version FROM aggregates WHERE id = ? FOR UPDATE")) {
        lock.setString(1, aggregate);
        lock.executeQuery().close();
      }
      int count = 1 + random.nextInt(3);
      List<Written> written = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long version;
        try (PreparedStatement bump =
            c.prepareStatement(
                "UPDATE aggregates SET version = version + 1 WHERE id = ? RETURNING version")) {
          bump.setString(1, aggregate);
          try (ResultSet rs = bump.executeQuery()) {
            rs.next();
            version = rs.getLong(1);
          }
        }
        String id =
            OutboxTestSupport.insert(
                c,
                "outbox",
                "account",
                aggregate,
                "Changed",
                "{\"version\": " + version + "}",
                null);
        written.add(new Written(id, aggregate, version));
      }
      st.execute("SELECT pg_sleep(" + random.nextInt(maxOpenMillis + 1) / 1000.0 + ")");
      if (random.nextInt(10) == 0) {
        c.rollback();
        written.forEach(w -> rolledBack.add(w.eventId()));
        return 0;
      }
      c.commit();
      written.forEach(w -> committed.add(w.eventId()));
      committedEvents.addAll(written);
      return count;
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
  }
}
