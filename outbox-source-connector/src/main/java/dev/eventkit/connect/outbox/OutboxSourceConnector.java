package dev.eventkit.connect.outbox;

import dev.eventkit.connect.jdbc.DatabaseDialect;
import dev.eventkit.connect.jdbc.SecretRedaction;
import dev.eventkit.connect.outbox.capture.OutboxCaptures;
import dev.eventkit.connect.outbox.capture.log.LogModeSupport;
import dev.eventkit.connect.outbox.capture.poll.TableFindings;
import dev.eventkit.connect.outbox.metrics.OffsetsReadProbe;
import dev.eventkit.connect.outbox.metrics.OutboxConnectorMetrics;
import dev.eventkit.connect.outbox.record.TopicTemplate;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed transactional-outbox rows to domain-event topics. The connector only splits
 * the work (one hash bucket of aggregate ids per task) and checks the table; its tasks do the
 * reading. While it runs it also reads its committed offsets every few seconds, as a starting task
 * does, and reports how long a read has waited ({@link OffsetsReadProbe}, {@code
 * offsets.probe.interval.ms}).
 */
public final class OutboxSourceConnector extends SourceConnector {

  private static final Logger log = LoggerFactory.getLogger(OutboxSourceConnector.class);

  private Map<String, String> props;
  private OutboxConnectorMetrics metrics;
  private OffsetsReadProbe offsetsProbe;

  @Override
  public String version() {
    return Version.get();
  }

  /** Connect's own error-tolerance option, which the outbox refuses at {@code all}. */
  static final String ERRORS_TOLERANCE = "errors.tolerance";

  @Override
  public void start(Map<String, String> props) {
    // A connector created before validate refused it would otherwise keep losing events.
    toleratedErrors(props)
        .ifPresent(
            why -> {
              throw new ConnectException(why);
            });
    OutboxSourceConnectorConfig config = new OutboxSourceConnectorConfig(props);
    this.props = Map.copyOf(props);
    String name = props.getOrDefault("name", "outbox-source");
    metrics = new OutboxConnectorMetrics().register(name);
    if (context != null && config.offsetsProbeIntervalMs() > 0) {
      try {
        offsetsProbe =
            OffsetsReadProbe.start(
                name,
                context().offsetStorageReader(),
                metrics,
                Duration.ofMillis(config.offsetsProbeIntervalMs()),
                OffsetsReadProbe.DEFAULT_WARN_AFTER);
      } catch (RuntimeException e) {
        // Connect does not stop a connector whose start failed.
        stop();
        throw e;
      }
    }
  }

  @Override
  public Class<? extends Task> taskClass() {
    return OutboxSourceTask.class;
  }

  /**
   * Poll mode: task i reads the aggregates whose id hashes to bucket i of maxTasks. Log mode: one
   * task, since a database log is read in commit order by one reader.
   */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    int tasks = new OutboxSourceConnectorConfig(props).logMode() ? 1 : maxTasks;
    List<Map<String, String>> configs = new ArrayList<>(tasks);
    for (int bucket = 0; bucket < tasks; bucket++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(OutboxSourceConnectorConfig.TASK_BUCKET_CONFIG, Integer.toString(bucket));
      task.put(OutboxSourceConnectorConfig.TASK_BUCKET_COUNT_CONFIG, Integer.toString(tasks));
      configs.add(task);
    }
    return configs;
  }

  @Override
  public void stop() {
    if (offsetsProbe != null) {
      offsetsProbe.close();
      offsetsProbe = null;
    }
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
  }

  @Override
  public ConfigDef config() {
    return OutboxSourceConnectorConfig.CONFIG_DEF;
  }

  /**
   * Adds the checks one option alone cannot make: the template, the mode and the table itself.
   * Problems that break a guarantee are errors on the option at fault; problems that only weaken
   * one are listed in the value of {@value OutboxSourceConnectorConfig#VALIDATION_WARNINGS_CONFIG},
   * since Connect has no warnings of its own and an error blocks creation.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    hideUrlSecrets(result);
    refuseToleratedErrors(result, connectorConfigs);
    if (hasErrors(result)) {
      return result;
    }
    OutboxSourceConnectorConfig config;
    try {
      config = new OutboxSourceConnectorConfig(connectorConfigs);
    } catch (ConfigException e) {
      addError(result, OutboxSourceConnectorConfig.HEADER_COLUMNS_CONFIG, e.getMessage());
      return result;
    }
    try {
      TopicTemplate.compile(config.topicTemplate());
    } catch (IllegalArgumentException e) {
      addError(result, OutboxSourceConnectorConfig.TOPIC_TEMPLATE_CONFIG, e.getMessage());
    }
    DatabaseDialect dialect;
    try {
      dialect = DatabaseDialect.fromUrl(config.connectionUrl());
    } catch (IllegalArgumentException e) {
      addError(result, OutboxSourceConnectorConfig.CONNECTION_URL_CONFIG, e.getMessage());
      return result;
    }
    if (config.logMode() && dialect != DatabaseDialect.POSTGRESQL) {
      addError(
          result,
          OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG,
          OutboxCaptures.LOG_MODE_POSTGRESQL_ONLY);
      return result;
    }
    if (config.logMode() && !LogModeSupport.workerSupportsDebezium()) {
      addError(result, OutboxSourceConnectorConfig.CAPTURE_MODE_CONFIG, LogModeSupport.WHY_NOT);
      return result;
    }
    if (!checkIdentifiers(result, config, dialect)) {
      return result;
    }
    Connection connection;
    try {
      connection = config.openConnection("eventkit-outbox-validate");
    } catch (SQLException | RuntimeException e) {
      // A driver may also throw unchecked exceptions, e.g. for a malformed URL property.
      addError(
          result,
          OutboxSourceConnectorConfig.CONNECTION_URL_CONFIG,
          "Cannot connect to the database: " + redacted(e, config));
      return result;
    }
    try (Connection c = connection) {
      TableFindings findings = OutboxCaptures.checkTable(c, config, tasksMax(connectorConfigs));
      findings
          .errors()
          .forEach((option, messages) -> messages.forEach(m -> addError(result, option, m)));
      List<String> warnings = new ArrayList<>();
      findings
          .warnings()
          .forEach((option, messages) -> messages.forEach(m -> warnings.add(option + ": " + m)));
      for (String warning : warnings) {
        log.warn("Outbox table {}: {}", config.tableName(), warning);
      }
      configValue(result, OutboxSourceConnectorConfig.VALIDATION_WARNINGS_CONFIG)
          .value(String.join("\n", warnings));
    } catch (SQLException e) {
      addError(
          result,
          OutboxSourceConnectorConfig.TABLE_NAME_CONFIG,
          "Cannot check table " + config.tableName() + ": " + redacted(e, config));
    }
    return result;
  }

  /**
   * Connect echoes every value in the validate answer, after config providers have resolved them;
   * connection.url is a plain string, so its query string (which may hold a password) is hidden.
   */
  private static void hideUrlSecrets(Config config) {
    ConfigValue url = configValue(config, OutboxSourceConnectorConfig.CONNECTION_URL_CONFIG);
    if (url.value() instanceof String) {
      url.value(SecretRedaction.url((String) url.value()));
    }
  }

  /**
   * The table and every column option are identifiers the SQL quotes; one the database could not
   * hold (empty, a control character, too long, a table with more than one dot) is refused by name.
   * Quotes, semicolons and comments are simply part of a quoted name: they never reach SQL as code.
   */
  private static boolean checkIdentifiers(
      Config result, OutboxSourceConnectorConfig config, DatabaseDialect dialect) {
    boolean ok = true;
    java.util.Optional<String> tableProblem = dialect.identifiers().problem(config.tableName());
    if (tableProblem.isPresent()) {
      addError(result, OutboxSourceConnectorConfig.TABLE_NAME_CONFIG, tableProblem.get());
      ok = false;
    }
    for (Map.Entry<String, String> option : config.columnOptions()) {
      try {
        dialect.identifiers().quote(option.getValue());
      } catch (IllegalArgumentException e) {
        addError(result, option.getKey(), e.getMessage());
        ok = false;
      }
    }
    return ok;
  }

  private static String redacted(Exception e, OutboxSourceConnectorConfig config) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return SecretRedaction.message(
        message, config.connectionUrl(), config.connectionPassword().orElse(null));
  }

  /** tasks.max as the worker will read it; the worker itself reports a malformed value. */
  private static int tasksMax(Map<String, String> connectorConfigs) {
    try {
      return Math.max(1, Integer.parseInt(connectorConfigs.getOrDefault("tasks.max", "1").trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * A source connector has no dead-letter queue: with {@code errors.tolerance=all} Connect skips a
   * record it fails to convert, transform or send (one larger than the producer's {@code
   * max.request.size}, say) and commits the offsets past it, so the event would be lost for good.
   * Refused; rows the connector cannot turn into events have {@code errors.invalid.topic}.
   */
  private static void refuseToleratedErrors(Config result, Map<String, String> connectorConfigs) {
    toleratedErrors(connectorConfigs)
        .ifPresent(
            why -> {
              ConfigValue value = new ConfigValue(ERRORS_TOLERANCE);
              value.addErrorMessage(why);
              result.configValues().add(value);
            });
  }

  /** Why the config's {@code errors.tolerance} is refused, if it is. */
  static Optional<String> toleratedErrors(Map<String, String> connectorConfigs) {
    String tolerance = connectorConfigs.get(ERRORS_TOLERANCE);
    if (tolerance == null || !tolerance.trim().equalsIgnoreCase("all")) {
      return Optional.empty();
    }
    return Optional.of(
        "errors.tolerance=all would make Connect skip an event it fails to convert, transform or"
            + " send (for example one larger than the producer's max.request.size) and commit past"
            + " it: the event would be lost, and deleted from the outbox with"
            + " cleanup.policy=delete. Leave errors.tolerance=none: the task then stops on such an"
            + " event and keeps it in the outbox until it is fixed. Rows that cannot become events"
            + " at all go to errors.invalid.topic.");
  }

  private static boolean hasErrors(Config config) {
    return config.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
  }

  private static void addError(Config config, String option, String message) {
    configValue(config, option).addErrorMessage(message);
  }

  private static ConfigValue configValue(Config config, String option) {
    for (ConfigValue value : config.configValues()) {
      if (value.name().equals(option)) {
        return value;
      }
    }
    throw new IllegalStateException("No config value named " + option);
  }

  /**
   * Exactly-once needs this connector to define transaction boundaries: a database transaction
   * larger than poll.max.rows reaches Kafka over several polls, and only {@code
   * transaction.boundary=connector} keeps it in one Kafka transaction. With the per-poll or
   * interval boundaries a restart could publish part of it twice, so exactly-once is refused there
   * (Connect then rejects {@code exactly.once.support=required} with this reason).
   */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    String boundary = connectorConfig.getOrDefault("transaction.boundary", "poll");
    return "connector".equalsIgnoreCase(boundary.trim())
        ? ExactlyOnceSupport.SUPPORTED
        : ExactlyOnceSupport.UNSUPPORTED;
  }

  /** With transaction.boundary=connector, each database transaction is one Kafka transaction. */
  @Override
  public ConnectorTransactionBoundaries canDefineTransactionBoundaries(
      Map<String, String> connectorConfig) {
    return ConnectorTransactionBoundaries.SUPPORTED;
  }

  /**
   * Accepts offsets written through the KIP-875 offsets API when they name a bucket partition and a
   * valid position; a null offset resets that partition to the start of the table.
   */
  @Override
  public boolean alterOffsets(
      Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
    OutboxSourceConnectorConfig config = new OutboxSourceConnectorConfig(connectorConfig);
    for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
      try {
        OutboxCaptures.validateOffset(config, entry.getKey(), entry.getValue());
      } catch (IllegalArgumentException e) {
        throw new ConnectException("Invalid outbox offset " + entry + ": " + e.getMessage(), e);
      }
    }
    return true;
  }
}
