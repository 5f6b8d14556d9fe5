package dev.eventkit.testkit.db;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between pgjdbc and a PostgreSQL database that counts the client's round trips: the
 * times it sent requests and waited for their answers. pgjdbc waits after each extended-query sync
 * (a statement, or a fetch from a portal) and each simple query, except the {@code BEGIN} it sends
 * ahead of a transaction's first statement. Connecting, authentication included, counts as one.
 * Connections made through it ask for no TLS or GSS encryption, so the messages can be read.
 */
public final class PostgresRoundTrips implements AutoCloseable {

  private static final int SIMPLE_QUERY = 'Q';
  private static final int SYNC = 'S';
  private static final byte[] BEGIN = "BEGIN\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BEGIN_READ_ONLY =
      "BEGIN READ ONLY\0".getBytes(StandardCharsets.US_ASCII);
  private static final int BUFFER = 64 * 1024;

  private final TestDatabase db;
  private final URI target;
  private final ServerSocket listener;
  private final AtomicLong roundTrips = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private PostgresRoundTrips(TestDatabase db) throws IOException {
    this.db = db;
    this.target = URI.create(db.jdbcUrl().substring("jdbc:".length()));
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("round-trips-accept", this::accept);
  }

  /** Starts a relay in front of the database. */
  public static PostgresRoundTrips to(TestDatabase db) {
    try {
      return new PostgresRoundTrips(db);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new connection as the admin user, through the relay. */
  public Connection connect() throws SQLException {
    String url =
        "jdbc:postgresql://"
            + listener.getInetAddress().getHostAddress()
            + ":"
            + listener.getLocalPort()
            + target.getRawPath()
            + "?sslmode=disable&gssEncMode=disable&connectTimeout=30&socketTimeout=300";
    return DriverManager.getConnection(url, db.user(), db.password());
  }

  /** Round trips of every connection made through the relay so far. */
  public long count() {
    return roundTrips.get();
  }

  private void accept() throws IOException {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
        throw e;
      }
      sockets.add(client);
      Socket server;
      try {
        server = new Socket(target.getHost(), target.getPort());
      } catch (IOException e) {
        client.close(); // the client sees its connection refused, and the relay accepts on
        continue;
      }
      sockets.add(server);
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      // Whichever side ends first closes both: the other side never waits for a dead peer.
      daemon(
          "round-trips-requests",
          () -> closingBoth(client, server, () -> copyRequests(input(client), output(server))));
      daemon(
          "round-trips-answers",
          () -> closingBoth(client, server, () -> copyAnswers(input(server), output(client))));
    }
  }

  private static void closingBoth(Socket one, Socket other, IoTask copy) throws IOException {
    try {
      copy.run();
    } finally {
      one.close();
      other.close();
    }
  }

  /**
   * Copies the client's messages to the server, counting the start-up message, each sync and each
   * simple query but pgjdbc's own {@code BEGIN}: it sends that with the statement after it, without
   * waiting for its answer ({@code QueryExecutorImpl.sendQueryPreamble}). pgjdbc also sends a sync
   * right before a simple query that follows extended-query messages without one; that counts as
   * two where it waits once (no path the tests count takes it).
   */
  private void copyRequests(DataInputStream in, OutputStream to) throws IOException {
    int startup = in.readInt(); // the start-up message alone has no type byte
    roundTrips.incrementAndGet();
    writeInt(to, startup);
    to.write(read(in, startup - 4));
    to.flush();
    while (true) {
      int type = in.readUnsignedByte();
      int length = in.readInt();
      byte[] body = read(in, length - 4);
      if (type == SYNC || (type == SIMPLE_QUERY && !isDriverBegin(body))) {
        roundTrips.incrementAndGet();
      }
      to.write(type);
      writeInt(to, length);
      to.write(body);
      if (in.available() == 0) {
        to.flush();
      }
    }
  }

  /** Copies the server's messages to the client. */
  private static void copyAnswers(DataInputStream in, OutputStream to) throws IOException {
    byte[] buffer = new byte[BUFFER];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      to.write(buffer, 0, n);
      if (in.available() == 0) {
        to.flush();
      }
    }
  }

  private static byte[] read(DataInputStream in, int length) throws IOException {
    byte[] body = new byte[length];
    in.readFully(body);
    return body;
  }

  /** pgjdbc's {@code BEGIN} or {@code BEGIN READ ONLY}, as a simple query's text. */
  private static boolean isDriverBegin(byte[] body) {
    return Arrays.equals(body, BEGIN) || Arrays.equals(body, BEGIN_READ_ONLY);
  }

  private static DataInputStream input(Socket socket) throws IOException {
    return new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
  }

  private static OutputStream output(Socket socket) throws IOException {
    return new BufferedOutputStream(socket.getOutputStream(), BUFFER);
  }

  private static void writeInt(OutputStream to, int value) throws IOException {
    to.write(value >>> 24);
    to.write(value >>> 16);
    to.write(value >>> 8);
    to.write(value);
  }

  private static void daemon(String name, IoTask task) {
    Thread thread =
        new Thread(
            () -> {
              try {
                task.run();
              } catch (IOException e) {
                // a side closed the connection: its session is over
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  @FunctionalInterface
  private interface IoTask {
    void run() throws IOException;
  }
}
