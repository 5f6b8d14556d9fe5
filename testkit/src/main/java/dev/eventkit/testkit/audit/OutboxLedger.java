package dev.eventkit.testkit.audit;

import dev.eventkit.testkit.db.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Steady application writers on an outbox (PostgreSQL, or MariaDB/MySQL) that keep the database's
 * own record of what committed: every transaction locks its order, bumps the order's version and
 * writes its outbox rows <em>and</em> one {@code ledger} row per event, so the ledger holds exactly
 * the committed events, whatever happens to the writer's connection, the commit's answer or the
 * outbox rows (a cleanup may delete them). Each event's payload carries its id and its order's
 * version; an order's committed versions are 1, 2, 3, ... in commit order.
 *
 * <p>The mix: {@value #WRITERS} writers; a third of the transactions on three hot orders; one in
 * four writes two events; one in ten stays open a while after its inserts; one in ten rolls back;
 * one event in fifty is poison (type {@value #POISON_TYPE}, which the test's consumer cannot handle
 * and dead-letters). Writers carry on through database faults: a failed transaction is abandoned
 * (the ledger says whether it committed) and the writer reconnects.
 */
public final class OutboxLedger implements AutoCloseable {

  public static final String POISON_TYPE = "OrderCorrupted";
  public static final int WRITERS = 4;

  private static final int ORDERS = 200;
  private static final int HOT_ORDERS = 3;

  private final TestDatabase db;
  private final Dialect dialect;
  private final int transactionsPerSecond;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLongArray failures = new AtomicLongArray(WRITERS);
  private final List<Thread> writers = new ArrayList<>();

  private OutboxLedger(TestDatabase db, int transactionsPerSecond) {
    this.db = db;
    this.dialect = Dialect.of(db);
    this.transactionsPerSecond = transactionsPerSecond;
  }

  /**
   * Creates the orders, the ledger and the README's outbox in {@code db}: on PostgreSQL with a
   * {@code correlation_id} column and the LISTEN/NOTIFY trigger on channel {@code outbox_events};
   * on MariaDB/MySQL the README's table, whose {@code AUTO_INCREMENT seq} is the poll cursor.
   *
   * @param transactionsPerSecond the writers' combined pace
   */
  public static OutboxLedger create(TestDatabase db, int transactionsPerSecond) {
    StringBuilder orders = new StringBuilder("INSERT INTO orders (id, version) VALUES ");
    for (int i = 0; i < ORDERS; i++) {
      orders.append(i == 0 ? "" : ", ").append("('o-").append(i).append("', 0)");
    }
    db.execute(Dialect.of(db).schema);
    db.execute(orders.toString());
    return new OutboxLedger(db, transactionsPerSecond);
  }

  /** Starts the writers; they run until {@link #stop()}. */
  public OutboxLedger start() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("The writers are running already");
    }
    for (int w = 0; w < WRITERS; w++) {
      int index = w;
      Thread writer = new Thread(() -> write(index), "outbox-ledger-writer-" + w);
      writer.setDaemon(true);
      writer.start();
      writers.add(writer);
    }
    return this;
  }

  /** Stops the writers and waits for their last transactions to end. */
  public void stop() throws InterruptedException {
    running.set(false);
    for (Thread writer : writers) {
      writer.join(TimeUnit.MINUTES.toMillis(1));
      if (writer.isAlive()) {
        throw new IllegalStateException(writer.getName() + " did not stop within a minute");
      }
    }
    writers.clear();
  }

  /** Transactions attempted so far, committed or not. */
  public long transactions() {
    return transactions.get();
  }

  /** Per writer, the transactions that failed on a database error (connection lost, ...). */
  public long[] failuresPerWriter() {
    long[] each = new long[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
      each[w] = failures.get(w);
    }
    return each;
  }

  /** The ids of the events committed so far, from the ledger. */
  public Set<UUID> committedEvents() {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT event_id FROM ledger")) {
      while (rs.next()) {
        ids.add(UUID.fromString(rs.getString(1)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Reading the ledger failed", e);
    }
    return ids;
  }

  /** How many poison events committed so far, from the ledger. */
  public long poisonEvents() {
    return db.queryForLong("SELECT count(*) FROM ledger WHERE poison");
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private void write(int writer) {
    long pauseNanos = TimeUnit.SECONDS.toNanos(1) * WRITERS / transactionsPerSecond;
    long next = System.nanoTime();
    Connection c = null;
    while (running.get()) {
      try {
        if (c == null || c.isClosed()) {
          c = db.connect();
          c.setAutoCommit(false);
        }
        transactions.incrementAndGet();
        oneTransaction(c);
      } catch (SQLException e) {
        failures.incrementAndGet(writer);
        closeQuietly(c);
        c = null;
        pause(TimeUnit.MILLISECONDS.toNanos(200)); // a database fault: reconnect shortly
        next = System.nanoTime(); // no burst to catch up on after an outage
      }
      next += pauseNanos;
      if (!pause(next - System.nanoTime())) {
        break; // interrupted: stop writing
      }
    }
    closeQuietly(c);
  }

  private void oneTransaction(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String order =
        "o-" + (random.nextInt(3) == 0 ? random.nextInt(HOT_ORDERS) : random.nextInt(ORDERS));
    int events = random.nextInt(4) == 0 ? 2 : 1;
    try (PreparedStatement bump =
            c.prepareStatement("UPDATE orders SET version = version + ? WHERE id = ?");
        PreparedStatement read = c.prepareStatement("SELECT version FROM orders WHERE id = ?");
        PreparedStatement outbox = c.prepareStatement(dialect.insertEvent);
        PreparedStatement ledger = c.prepareStatement(dialect.insertLedger)) {
      bump.setInt(1, events);
      bump.setString(2, order);
      bump.executeUpdate(); // locks the order until the transaction ends
      read.setString(1, order);
      long last;
      try (ResultSet rs = read.executeQuery()) {
        rs.next();
        last = rs.getLong(1);
      }
      for (long version = last - events + 1; version <= last; version++) {
        UUID id = UUID.randomUUID();
        boolean poison = random.nextInt(50) == 0;
        String type = poison ? POISON_TYPE : random.nextBoolean() ? "OrderPlaced" : "OrderShipped";
        outbox.setString(1, id.toString());
        outbox.setString(2, order);
        outbox.setString(3, type);
        outbox.setString(
            4,
            "{\"event\": \""
                + id
                + "\", \"orderId\": \""
                + order
                + "\", \"version\": "
                + version
                + "}");
        outbox.setString(5, "req-" + random.nextInt(1_000_000));
        outbox.executeUpdate();
        ledger.setString(1, id.toString());
        ledger.setString(2, order);
        ledger.setLong(3, version);
        ledger.setBoolean(4, poison);
        ledger.executeUpdate();
      }
      if (random.nextInt(10) == 0) {
        try (PreparedStatement sleep = c.prepareStatement(dialect.sleep)) {
          sleep.setDouble(1, random.nextInt(20, 200) / 1000.0); // open a while, in the database
          sleep.execute();
        }
      }
      if (random.nextInt(10) == 0) {
        c.rollback();
      } else {
        c.commit();
      }
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is gone; the caller reconnects
      }
      throw e;
    }
  }

  /** Waits {@code nanos} (the writers' pace, not a wait for a condition); false if interrupted. */
  private static boolean pause(long nanos) {
    if (nanos <= 0) {
      return true;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already broken
      }
    }
  }

  /** The SQL that differs between the two kinds of database. */
  private enum Dialect {
    POSTGRESQL(
        new String[] {
          "CREATE TABLE outbox (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
              + " aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL,"
              + " payload jsonb, timestamp timestamptz NOT NULL DEFAULT now(),"
              + " txid xid8 NOT NULL DEFAULT pg_current_xact_id(), seq bigserial,"
              + " correlation_id text)",
          "CREATE INDEX outbox_position ON outbox (txid, seq)",
          "CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN PERFORM pg_notify('outbox_events', ''); RETURN NULL; END $$",
          "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
              + " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
          "CREATE TABLE orders (id text PRIMARY KEY, version bigint NOT NULL)",
          "CREATE TABLE ledger (event_id uuid PRIMARY KEY, order_id text NOT NULL,"
              + " version bigint NOT NULL, poison boolean NOT NULL)"
        },
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES (CAST(? AS uuid), 'order', ?, ?, CAST(? AS jsonb), ?)",
        "INSERT INTO ledger (event_id, order_id, version, poison)"
            + " VALUES (CAST(? AS uuid), ?, ?, ?)",
        "SELECT pg_sleep(?)"),
    MARIADB(
        new String[] {
          "CREATE TABLE outbox (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
              + " id CHAR(36) NOT NULL UNIQUE, aggregatetype VARCHAR(255) NOT NULL,"
              + " aggregateid VARCHAR(255) NOT NULL, type VARCHAR(255) NOT NULL, payload JSON,"
              + " timestamp TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
              + " correlation_id VARCHAR(255)) ENGINE=InnoDB",
          "CREATE TABLE orders (id VARCHAR(32) PRIMARY KEY, version BIGINT NOT NULL)"
              + " ENGINE=InnoDB",
          "CREATE TABLE ledger (event_id CHAR(36) PRIMARY KEY, order_id VARCHAR(32) NOT NULL,"
              + " version BIGINT NOT NULL, poison BOOLEAN NOT NULL) ENGINE=InnoDB"
        },
        "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, correlation_id)"
            + " VALUES (?, 'order', ?, ?, ?, ?)",
        "INSERT INTO ledger (event_id, order_id, version, poison) VALUES (?, ?, ?, ?)",
        "SELECT SLEEP(?)");

    final String[] schema;
    final String insertEvent;
    final String insertLedger;
    final String sleep;

    Dialect(String[] schema, String insertEvent, String insertLedger, String sleep) {
      this.schema = schema;
      this.insertEvent = insertEvent;
      this.insertLedger = insertLedger;
      this.sleep = sleep;
    }

    static Dialect of(TestDatabase db) {
      return switch (db.server().kind()) {
        case POSTGRESQL -> POSTGRESQL;
        case MARIADB -> MARIADB;
      };
    }
  }
}
