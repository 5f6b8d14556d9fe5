package dev.eventkit.benchmarks.ceiling;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * The framework's ceiling: a source connector that emits records built in memory before it starts,
 * of the same keys, sizes and offsets as an outbox drain's, so that the worker, the converters and
 * the producer are all it costs. No source connector can drain faster on the same worker.
 */
public final class InMemorySourceConnector extends SourceConnector {

  static final String TOPIC = "topic";
  static final String RECORDS = "records";
  static final String PAYLOAD_BYTES = "payload.bytes";
  static final String AGGREGATES = "aggregates";
  static final String BATCH_SIZE = "batch.size";

  private static final ConfigDef CONFIG =
      new ConfigDef()
          .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "Target topic.")
          .define(RECORDS, ConfigDef.Type.INT, ConfigDef.Importance.HIGH, "Records to emit.")
          .define(
              PAYLOAD_BYTES, ConfigDef.Type.INT, 1024, ConfigDef.Importance.LOW, "Filler bytes.")
          .define(AGGREGATES, ConfigDef.Type.INT, 1000, ConfigDef.Importance.LOW, "Distinct keys.")
          .define(
              BATCH_SIZE, ConfigDef.Type.INT, 1000, ConfigDef.Importance.LOW, "Records per poll.");

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return InMemorySourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return List.of(props);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return CONFIG;
  }

  @Override
  public String version() {
    return "benchmark";
  }
}
