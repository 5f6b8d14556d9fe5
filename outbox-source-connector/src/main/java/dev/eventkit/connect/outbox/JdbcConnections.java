package dev.eventkit.connect.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens JDBC connections without {@link java.sql.DriverManager}: inside an isolated plugin class
 * loader the worker's DriverManager does not see drivers shipped with the plugin, so the driver is
 * instantiated directly.
 */
final class JdbcConnections {

  private JdbcConnections() {}

  static Connection open(OutboxSourceConnectorConfig config, String applicationName)
      throws SQLException {
    Properties props = new Properties();
    config.connectionUser().ifPresent(user -> props.setProperty("user", user));
    config.connectionPassword().ifPresent(password -> props.setProperty("password", password));
    props.setProperty("ApplicationName", applicationName);
    Connection connection = new org.postgresql.Driver().connect(config.connectionUrl(), props);
    if (connection == null) {
      throw new SQLException(
          "Not a PostgreSQL JDBC URL: "
              + config.connectionUrl()
              + " (expected jdbc:postgresql://...)");
    }
    return connection;
  }
}
