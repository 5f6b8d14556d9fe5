package dev.eventkit.connect.dlq;

import dev.eventkit.connect.dlq.archive.ArchiveDialect;
import dev.eventkit.connect.dlq.archive.ArchiveTableCheck;
import dev.eventkit.connect.jdbc.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Archives dead-lettered records from DLQ topics losslessly into a database table or JSON Lines
 * files. The connector checks the configuration; its tasks do the archiving.
 */
public final class DlqSinkConnector extends SinkConnector {

  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new DlqSinkConnectorConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return DlqSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>(maxTasks);
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put("task.id", Integer.toString(i));
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return DlqSinkConnectorConfig.CONFIG_DEF;
  }

  /**
   * Adds what one option cannot check alone: byte-for-byte converters, the options the archive type
   * needs, and that the archive database answers.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config validated = super.validate(connectorConfigs);
    Config result = new Config(new ArrayList<>(validated.configValues()));
    hideUrlSecrets(result);
    for (String key : DlqSinkConnectorConfig.LOSSLESS_CONVERTER_KEYS) {
      String converter = connectorConfigs.get(key);
      if (!DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER.equals(converter)) {
        // The value stays unset: Connect renders its own converter keys as classes, not strings.
        ConfigValue value = new ConfigValue(key);
        value.addErrorMessage(
            (converter == null
                    ? "Not set, so the worker's default converter applies"
                    : converter + " re-encodes the data")
                + ": set "
                + key
                + "="
                + DlqSinkConnectorConfig.BYTE_ARRAY_CONVERTER
                + " so dead letters are archived byte for byte.");
        result.configValues().add(value);
      }
    }
    if (result.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty())) {
      return result;
    }
    DlqSinkConnectorConfig config = new DlqSinkConnectorConfig(connectorConfigs);
    if (config.fileArchive()) {
      if (config.fileDirectory().isBlank()) {
        addError(
            result,
            DlqSinkConnectorConfig.FILE_DIRECTORY_CONFIG,
            "Required with archive.type=file.");
      }
      return result;
    }
    if (config.connectionUrl().isBlank()) {
      addError(
          result, DlqSinkConnectorConfig.CONNECTION_URL_CONFIG, "Required with archive.type=jdbc.");
      return result;
    }
    ArchiveDialect dialect;
    try {
      dialect = ArchiveDialect.of(config.connectionUrl());
    } catch (IllegalArgumentException e) {
      addError(result, DlqSinkConnectorConfig.CONNECTION_URL_CONFIG, e.getMessage());
      return result;
    }
    Optional<String> tableProblem = dialect.identifiers().problem(config.tableName());
    if (tableProblem.isPresent()) {
      addError(result, DlqSinkConnectorConfig.TABLE_NAME_CONFIG, tableProblem.get());
      return result;
    }
    UrlSecretFilter secrets =
        new UrlSecretFilter(config.connectionUrl(), config.connectionPassword().orElse(null));
    try (Connection c =
        ArchiveDialect.connect(
            config.connectionUrl(),
            config.connectionUser().orElse(null),
            config.connectionPassword().orElse(null))) {
      c.isValid(5);
      try {
        for (ArchiveTableCheck.Finding finding :
            new ArchiveTableCheck(dialect, config.tableName(), config.createTable()).findings(c)) {
          addError(result, finding.option(), finding.message());
        }
      } catch (SQLException | RuntimeException e) {
        addError(
            result,
            DlqSinkConnectorConfig.TABLE_NAME_CONFIG,
            "Cannot check archive table "
                + config.tableName()
                + ": "
                + secrets.message(
                    e instanceof SQLException sql ? SqlErrors.describe(sql) : e.toString()));
      }
    } catch (SQLException e) {
      addError(
          result,
          DlqSinkConnectorConfig.CONNECTION_URL_CONFIG,
          "Cannot connect to " + secrets.url() + ": " + secrets.message(SqlErrors.describe(e)));
    }
    return result;
  }

  /**
   * Connect echoes every value in the validate answer, after config providers have resolved them;
   * connection.url is a plain string, so its query string and user info (which may hold a password)
   * are hidden.
   */
  private static void hideUrlSecrets(Config config) {
    for (ConfigValue value : config.configValues()) {
      if (value.name().equals(DlqSinkConnectorConfig.CONNECTION_URL_CONFIG)
          && value.value() instanceof String url) {
        value.value(new UrlSecretFilter(url, null).url());
      }
    }
  }

  private static void addError(Config config, String option, String message) {
    for (ConfigValue value : config.configValues()) {
      if (value.name().equals(option)) {
        value.addErrorMessage(message);
        return;
      }
    }
    throw new IllegalStateException("No config value named " + option);
  }
}
