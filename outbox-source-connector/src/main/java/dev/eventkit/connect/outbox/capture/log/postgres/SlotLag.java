package dev.eventkit.connect.outbox.capture.log.postgres;

import dev.eventkit.connect.outbox.capture.log.LogCapture;
import dev.eventkit.connect.outbox.capture.poll.ConnectionFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * WAL PostgreSQL keeps for the slot beyond its confirmed position, on one connection kept open
 * between measurements (opened again after a failure).
 */
final class SlotLag implements LogCapture.LagProbe {

  private final ConnectionFactory connections;
  private final String slot;
  private Connection connection;

  SlotLag(ConnectionFactory connections, String slot) {
    this.connections = connections;
    this.slot = slot;
  }

  @Override
  public synchronized long bytesBehind() throws SQLException {
    if (connection == null) {
      connection = connections.open();
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing to keep
      }
      connection = null;
    }
  }
}
