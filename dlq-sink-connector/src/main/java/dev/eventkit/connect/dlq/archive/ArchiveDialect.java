package dev.eventkit.connect.dlq.archive;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.Identifiers;
import dev.eventkit.connect.jdbc.JdbcConnections;
import dev.eventkit.connect.jdbc.JdbcSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** What differs between archive databases: the driver, the DDL and the idempotent insert. */
public enum ArchiveDialect {
  POSTGRESQL {
    @Override
    List<String> createTable(String table) {
      String base = baseName(table);
      return List.of(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " ("
              + " id bigserial PRIMARY KEY,"
              + " dlq_topic text NOT NULL, dlq_partition integer NOT NULL, dlq_offset bigint NOT NULL,"
              + " dlq_timestamp timestamptz, archived_at timestamptz NOT NULL,"
              + " origin_topic text, origin_partition integer, origin_offset bigint, origin_timestamp timestamptz,"
              + " error_dialect text NOT NULL, connector_name text, task_id integer, stage text,"
              + " failing_class text, consumer_group text,"
              + " exception_class text, exception_message text, exception_stacktrace text,"
              + " event_id text, event_type text, correlation_id text,"
              + " record_key bytea, record_value bytea, record_headers jsonb NOT NULL,"
              + " replay_count integer NOT NULL DEFAULT 0, last_replayed_at timestamptz,"
              + " CONSTRAINT "
              + base
              + "_dlq_position UNIQUE (dlq_topic, dlq_partition, dlq_offset))",
          "CREATE INDEX IF NOT EXISTS " + base + "_origin_topic ON " + table + " (origin_topic)",
          "CREATE INDEX IF NOT EXISTS "
              + base
              + "_exception_class ON "
              + table
              + " (exception_class)",
          "CREATE INDEX IF NOT EXISTS " + base + "_archived_at ON " + table + " (archived_at)",
          "CREATE INDEX IF NOT EXISTS " + base + "_event_id ON " + table + " (event_id)");
    }

    @Override
    String insert(String table) {
      return "INSERT INTO "
          + table
          + " ("
          + COLUMNS
          + ") VALUES ("
          + PLACEHOLDERS
          + "CAST(? AS jsonb)) ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO NOTHING";
    }

    @Override
    public void setTimestamp(PreparedStatement ps, int index, Instant value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
      }
    }
  },

  /** MariaDB and MySQL (through the MariaDB driver). Times are stored as UTC DATETIME(3). */
  MARIADB {
    @Override
    List<String> createTable(String table) {
      return List.of(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " ("
              + " id BIGINT AUTO_INCREMENT PRIMARY KEY,"
              + " dlq_topic VARCHAR(249) NOT NULL, dlq_partition INT NOT NULL, dlq_offset BIGINT NOT NULL,"
              + " dlq_timestamp DATETIME(3) NULL, archived_at DATETIME(3) NOT NULL,"
              + " origin_topic VARCHAR(249) NULL, origin_partition INT NULL, origin_offset BIGINT NULL,"
              + " origin_timestamp DATETIME(3) NULL,"
              + " error_dialect VARCHAR(16) NOT NULL, connector_name VARCHAR(255) NULL, task_id INT NULL,"
              + " stage VARCHAR(64) NULL, failing_class VARCHAR(1024) NULL, consumer_group VARCHAR(255) NULL,"
              + " exception_class VARCHAR(512) NULL, exception_message LONGTEXT NULL,"
              + " exception_stacktrace LONGTEXT NULL,"
              + " event_id VARCHAR(255) NULL, event_type VARCHAR(255) NULL, correlation_id VARCHAR(255) NULL,"
              + " record_key LONGBLOB NULL, record_value LONGBLOB NULL, record_headers LONGTEXT NOT NULL,"
              + " replay_count INT NOT NULL DEFAULT 0, last_replayed_at DATETIME(3) NULL,"
              + " UNIQUE KEY dlq_position (dlq_topic, dlq_partition, dlq_offset),"
              + " KEY origin_topic (origin_topic), KEY exception_class (exception_class),"
              + " KEY archived_at (archived_at), KEY event_id (event_id)"
              + ") CHARACTER SET utf8mb4");
    }

    @Override
    String insert(String table) {
      // Not INSERT IGNORE: that would also turn truncation and other errors into warnings.
      return "INSERT INTO "
          + table
          + " ("
          + COLUMNS
          + ") VALUES ("
          + PLACEHOLDERS
          + "?) ON DUPLICATE KEY UPDATE dlq_offset = dlq_offset";
    }

    @Override
    public void setTimestamp(PreparedStatement ps, int index, Instant value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.TIMESTAMP);
      } else {
        ps.setObject(index, LocalDateTime.ofInstant(value, ZoneOffset.UTC));
      }
    }
  };

  /** How archive connections introduce themselves to the database. */
  public static final String APPLICATION_NAME = "eventkit-dlq";

  static final String COLUMNS =
      "dlq_topic, dlq_partition, dlq_offset, dlq_timestamp, archived_at,"
          + " origin_topic, origin_partition, origin_offset, origin_timestamp,"
          + " error_dialect, connector_name, task_id, stage, failing_class, consumer_group,"
          + " exception_class, exception_message, exception_stacktrace,"
          + " event_id, event_type, correlation_id, record_key, record_value, record_headers";

  /** Placeholders for every column but the last (record_headers), which dialects wrap. */
  private static final String PLACEHOLDERS = "?, ".repeat(23);

  abstract List<String> createTable(String table);

  abstract String insert(String table);

  /** Binds an instant the way this database stores archive times (UTC). */
  public abstract void setTimestamp(PreparedStatement ps, int index, Instant value)
      throws SQLException;

  /**
   * The dialect of a JDBC URL, or an error naming the schemes supported (never the URL, which may
   * carry a password).
   */
  public static ArchiveDialect of(String url) {
    return DatabaseDialect.fromUrl(url) == DatabaseDialect.POSTGRESQL ? POSTGRESQL : MARIADB;
  }

  /** Identifier validation and quoting for this database, from the shared JDBC module. */
  public Identifiers identifiers() {
    return this == POSTGRESQL
        ? DatabaseDialect.POSTGRESQL.identifiers()
        : DatabaseDialect.MARIADB.identifiers();
  }

  /**
   * Opens a connection through the plugin's own driver, with the shared timeouts, named {@value
   * #APPLICATION_NAME} for database administrators.
   */
  public static Connection connect(String url, String user, String password) throws SQLException {
    return JdbcConnections.open(
        new JdbcSettings(
            url, Optional.ofNullable(user), Optional.ofNullable(password), APPLICATION_NAME));
  }

  private static String baseName(String table) {
    int dot = table.lastIndexOf('.');
    return dot < 0 ? table : table.substring(dot + 1);
  }
}
