package dev.eventkit.benchmarks.drain;

import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the database's sessions of a drain are doing, sampled from {@code pg_stat_activity} every 20
 * ms: for each session kind (a client by its application name, a walsender, or an autovacuum
 * worker, which competes for the same cores), how often it was running, waiting on something inside
 * PostgreSQL (its wait event), or idle, that is waiting for the client to ask for more. The half of
 * a wall-clock profile that JFR cannot see.
 */
final class DatabaseWaits implements AutoCloseable {

  private static final long INTERVAL_MS = 20;

  private final Map<String, Long> samples = new TreeMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread sampler;
  private long rounds;

  private DatabaseWaits(TestDatabase db) {
    sampler = new Thread(() -> sample(db), "database-waits");
    sampler.setDaemon(true);
    sampler.start();
  }

  static DatabaseWaits start(TestDatabase db) {
    return new DatabaseWaits(db);
  }

  private void sample(TestDatabase db) {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT CASE WHEN backend_type = 'client backend' THEN"
                    + " coalesce(nullif(application_name, ''), 'client') ELSE backend_type END,"
                    + " CASE WHEN state IS NULL OR state LIKE 'idle%' THEN coalesce(state, 'none')"
                    + " WHEN wait_event IS NULL THEN 'running'"
                    + " ELSE wait_event_type || ':' || wait_event END"
                    + " FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    + " AND backend_type IN ('client backend', 'walsender', 'autovacuum worker')")) {
      while (running.get()) {
        try (ResultSet rs = ps.executeQuery()) {
          synchronized (samples) {
            rounds++;
            while (rs.next()) {
              samples.merge(rs.getString(1) + " | " + rs.getString(2), 1L, Long::sum);
            }
          }
        }
        Thread.sleep(INTERVAL_MS);
      }
    } catch (SQLException e) {
      System.err.println("Database wait sampling stopped: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The samples as a Markdown table: session, what it did, share of the sampling rounds. */
  String report() {
    StringBuilder out =
        new StringBuilder("| session | doing | share of samples |\n|---|---|---|\n");
    synchronized (samples) {
      samples.forEach(
          (key, count) -> {
            String[] parts = key.split(" \\| ", 2);
            out.append(
                String.format(
                    "| `%s` | %s | %.0f%% |%n", parts[0], parts[1], 100.0 * count / rounds));
          });
      out.append(String.format("%n%d rounds, one every %d ms%n", rounds, INTERVAL_MS));
    }
    return out.toString();
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    sampler.join(5_000);
  }
}
