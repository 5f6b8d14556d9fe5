package dev.eventkit.testkit.connect.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventkit.testkit.connect.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker process the fault suite stops and kills: it keeps what it acknowledged across a clean
 * stop and across a kill, comes back on the same address, and its separate controller stays up.
 */
class KafkaBrokerProcessIT {

  private static final String TOPIC = "kept";

  @Test
  void keepsWhatItAcknowledgedAcrossAStopAndAKill(@TempDir Path workDir) throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(workDir, Map.of(), true)) {
      long controller = broker.controllerPid().orElseThrow();
      Topics topics = Topics.at(broker.bootstrapServers());
      topics.create(TOPIC, 1);
      try (KafkaProducer<String, String> producer = producer(broker, "kept-tx")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TOPIC, "committed"));
        producer.commitTransaction();
      }

      broker.stop();
      broker.startAgain();
      assertThat(values(topics)).containsExactly("committed");

      try (KafkaProducer<String, String> producer = producer(broker, null)) {
        producer.send(new ProducerRecord<>(TOPIC, "acknowledged")).get(30, TimeUnit.SECONDS);
      }
      broker.kill();
      broker.startAgain();
      assertThat(values(topics)).containsExactly("committed", "acknowledged");
      assertThat(broker.controllerPid())
          .as("the controller's process, running throughout")
          .hasValue(controller);
    }
  }

  private static List<String> values(Topics topics) {
    return topics.consumeAll(TOPIC, IsolationLevel.READ_COMMITTED).stream()
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }

  private static KafkaProducer<String, String> producer(
      KafkaBrokerProcess broker, String transactionalId) {
    Map<String, Object> config =
        transactionalId == null
            ? Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())
            : Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                transactionalId);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }
}
