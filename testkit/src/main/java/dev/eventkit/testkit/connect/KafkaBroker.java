package dev.eventkit.testkit.connect;

import java.util.Properties;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/**
 * A single real KRaft broker without Connect workers of its own, for tests that start their workers
 * elsewhere (in their own JVMs, of other Kafka versions) and point them at it. Transactions work
 * with one broker, so exactly-once source connectors can run against it; topics are never
 * auto-created, as on production clusters.
 */
public final class KafkaBroker implements AutoCloseable {

  private final EmbeddedKafkaCluster kafka;

  private KafkaBroker(EmbeddedKafkaCluster kafka) {
    this.kafka = kafka;
  }

  public static KafkaBroker start() {
    Properties props = new Properties();
    props.setProperty("auto.create.topics.enable", "false");
    props.setProperty("transaction.state.log.replication.factor", "1");
    props.setProperty("transaction.state.log.min.isr", "1");
    props.setProperty("offsets.topic.replication.factor", "1");
    EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, props);
    kafka.start();
    return new KafkaBroker(kafka);
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public Topics topics() {
    return new Topics(kafka.bootstrapServers());
  }

  public EmbeddedKafkaCluster kafka() {
    return kafka;
  }

  @Override
  public void close() {
    kafka.stop();
  }
}
