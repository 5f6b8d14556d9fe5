package dev.eventkit.connect.dlq;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/** The DLQ sink connector's options, parsed once into typed values. */
public final class DlqSinkConnectorConfig extends AbstractConfig {

  private static final String GROUP_ARCHIVE = "Archive";
  private static final String GROUP_JDBC = "Database archive";
  private static final String GROUP_FILE = "File archive";
  private static final String GROUP_RETRY = "Retries";

  public static final String ARCHIVE_TYPE_CONFIG = "archive.type";
  public static final String ARCHIVE_JDBC = "jdbc";
  public static final String ARCHIVE_FILE = "file";
  private static final String ARCHIVE_TYPE_DOC =
      "Where dead letters go: 'jdbc' (a table in PostgreSQL, MariaDB or MySQL) or 'file' (JSON Lines"
          + " files).";

  public static final String CONNECTION_URL_CONFIG = "connection.url";
  private static final String CONNECTION_URL_DOC =
      "JDBC URL of the archive database: jdbc:postgresql://..., jdbc:mariadb://... or"
          + " jdbc:mysql://... Required with archive.type=jdbc.";
  public static final String CONNECTION_USER_CONFIG = "connection.user";
  private static final String CONNECTION_USER_DOC =
      "Database user: SELECT and INSERT on the archive table (MariaDB/MySQL also UPDATE), and"
          + " CREATE while the table does not exist yet; see the README's archive database"
          + " privileges.";
  public static final String CONNECTION_PASSWORD_CONFIG = "connection.password";
  private static final String CONNECTION_PASSWORD_DOC =
      "Password of connection.user; prefer a config provider such as ${file:...} or ${env:...}.";

  public static final String TABLE_NAME_CONFIG = "archive.table";
  private static final String TABLE_NAME_DOC =
      "The archive table, optionally schema-qualified (schema.table; on MariaDB/MySQL"
          + " database.table). Validated and quoted for the database: any other character is part"
          + " of the name.";
  public static final String TABLE_CREATE_CONFIG = "archive.table.create";
  private static final String TABLE_CREATE_DOC =
      "Create the archive table and its investigation indexes when absent (needs CREATE). A"
          + " table that exists is used as it is, without DDL.";

  public static final String FILE_DIRECTORY_CONFIG = "file.directory";
  private static final String FILE_DIRECTORY_DOC =
      "Directory of the JSON Lines files. Required with archive.type=file.";
  public static final String FILE_ROTATE_RECORDS_CONFIG = "file.rotate.records";
  private static final String FILE_ROTATE_RECORDS_DOC = "Close a file after this many records.";
  public static final String FILE_ROTATE_BYTES_CONFIG = "file.rotate.bytes";
  private static final String FILE_ROTATE_BYTES_DOC =
      "Close a file once it holds this many bytes (before compression).";
  public static final String FILE_ROTATE_INTERVAL_MS_CONFIG = "file.rotate.interval.ms";
  private static final String FILE_ROTATE_INTERVAL_MS_DOC =
      "Close a file this long after its first record, so offsets are committed even when few"
          + " records arrive.";
  public static final String FILE_GZIP_CONFIG = "file.gzip";
  private static final String FILE_GZIP_DOC = "Compress files with gzip (.jsonl.gz).";

  public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
  private static final String RETRY_BACKOFF_MS_DOC =
      "First wait before Connect redelivers a batch the archive could not take; doubles up to"
          + " retry.backoff.max.ms. Offsets are never committed ahead of durable writes.";
  public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "retry.backoff.max.ms";
  private static final String RETRY_BACKOFF_MAX_MS_DOC = "Longest wait between attempts.";

  public static final ConfigDef CONFIG_DEF = configDef();

  public DlqSinkConnectorConfig(Map<?, ?> originals) {
    super(CONFIG_DEF, originals, false); // Kafka would log every value, secrets in URLs too
  }

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    def.define(
        ARCHIVE_TYPE_CONFIG,
        Type.STRING,
        ARCHIVE_JDBC,
        ConfigDef.CaseInsensitiveValidString.in(ARCHIVE_JDBC, ARCHIVE_FILE),
        Importance.HIGH,
        ARCHIVE_TYPE_DOC,
        GROUP_ARCHIVE,
        1,
        Width.SHORT,
        "Archive type");
    def.define(
        CONNECTION_URL_CONFIG,
        Type.STRING,
        "",
        Importance.HIGH,
        CONNECTION_URL_DOC,
        GROUP_JDBC,
        1,
        Width.LONG,
        "JDBC URL");
    def.define(
        CONNECTION_USER_CONFIG,
        Type.STRING,
        null,
        Importance.HIGH,
        CONNECTION_USER_DOC,
        GROUP_JDBC,
        2,
        Width.MEDIUM,
        "Database user");
    def.define(
        CONNECTION_PASSWORD_CONFIG,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        CONNECTION_PASSWORD_DOC,
        GROUP_JDBC,
        3,
        Width.MEDIUM,
        "Database password");
    def.define(
        TABLE_NAME_CONFIG,
        Type.STRING,
        "dead_letter_archive",
        new ConfigDef.NonEmptyString(),
        Importance.MEDIUM,
        TABLE_NAME_DOC,
        GROUP_JDBC,
        4,
        Width.MEDIUM,
        "Archive table");
    def.define(
        TABLE_CREATE_CONFIG,
        Type.BOOLEAN,
        true,
        Importance.MEDIUM,
        TABLE_CREATE_DOC,
        GROUP_JDBC,
        5,
        Width.SHORT,
        "Create table");
    def.define(
        FILE_DIRECTORY_CONFIG,
        Type.STRING,
        "",
        Importance.HIGH,
        FILE_DIRECTORY_DOC,
        GROUP_FILE,
        1,
        Width.LONG,
        "Directory");
    def.define(
        FILE_ROTATE_RECORDS_CONFIG,
        Type.INT,
        10_000,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        FILE_ROTATE_RECORDS_DOC,
        GROUP_FILE,
        2,
        Width.SHORT,
        "Records per file");
    def.define(
        FILE_ROTATE_BYTES_CONFIG,
        Type.LONG,
        64L * 1024 * 1024,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        FILE_ROTATE_BYTES_DOC,
        GROUP_FILE,
        3,
        Width.SHORT,
        "Bytes per file");
    def.define(
        FILE_ROTATE_INTERVAL_MS_CONFIG,
        Type.LONG,
        60_000L,
        ConfigDef.Range.atLeast(1),
        Importance.MEDIUM,
        FILE_ROTATE_INTERVAL_MS_DOC,
        GROUP_FILE,
        4,
        Width.SHORT,
        "File age (ms)");
    def.define(
        FILE_GZIP_CONFIG,
        Type.BOOLEAN,
        false,
        Importance.LOW,
        FILE_GZIP_DOC,
        GROUP_FILE,
        5,
        Width.SHORT,
        "Gzip");
    def.define(
        RETRY_BACKOFF_MS_CONFIG,
        Type.LONG,
        500L,
        ConfigDef.Range.between(1, 600_000),
        Importance.LOW,
        RETRY_BACKOFF_MS_DOC,
        GROUP_RETRY,
        1,
        Width.SHORT,
        "Retry backoff (ms)");
    def.define(
        RETRY_BACKOFF_MAX_MS_CONFIG,
        Type.LONG,
        30_000L,
        ConfigDef.Range.between(1, 3_600_000),
        Importance.LOW,
        RETRY_BACKOFF_MAX_MS_DOC,
        GROUP_RETRY,
        2,
        Width.SHORT,
        "Max retry backoff (ms)");
    return def;
  }

  public boolean fileArchive() {
    return ARCHIVE_FILE.equals(getString(ARCHIVE_TYPE_CONFIG).toLowerCase(Locale.ROOT));
  }

  public String connectionUrl() {
    return getString(CONNECTION_URL_CONFIG);
  }

  public Optional<String> connectionUser() {
    return Optional.ofNullable(getString(CONNECTION_USER_CONFIG)).filter(s -> !s.isBlank());
  }

  public Optional<String> connectionPassword() {
    return Optional.ofNullable(getPassword(CONNECTION_PASSWORD_CONFIG)).map(Password::value);
  }

  public String tableName() {
    return getString(TABLE_NAME_CONFIG);
  }

  public boolean createTable() {
    return getBoolean(TABLE_CREATE_CONFIG);
  }

  public String fileDirectory() {
    return getString(FILE_DIRECTORY_CONFIG);
  }

  public int rotateRecords() {
    return getInt(FILE_ROTATE_RECORDS_CONFIG);
  }

  public long rotateBytes() {
    return getLong(FILE_ROTATE_BYTES_CONFIG);
  }

  public long rotateIntervalMs() {
    return getLong(FILE_ROTATE_INTERVAL_MS_CONFIG);
  }

  public boolean gzip() {
    return getBoolean(FILE_GZIP_CONFIG);
  }

  public long retryBackoffMs() {
    return getLong(RETRY_BACKOFF_MS_CONFIG);
  }

  public long retryBackoffMaxMs() {
    return getLong(RETRY_BACKOFF_MAX_MS_CONFIG);
  }

  /** Connector-level converter keys that must name ByteArrayConverter for a lossless archive. */
  static final List<String> LOSSLESS_CONVERTER_KEYS =
      List.of("key.converter", "value.converter", "header.converter");

  static final String BYTE_ARRAY_CONVERTER =
      "org.apache.kafka.connect.converters.ByteArrayConverter";
}
