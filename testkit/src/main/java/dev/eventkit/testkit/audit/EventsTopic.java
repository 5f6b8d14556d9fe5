package dev.eventkit.testkit.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading the events of the {@link OutboxLedger}'s writers back from Kafka. */
final class EventsTopic {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EventsTopic() {}

  /** A {@code read_committed} consumer without a group. */
  static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }

  /** The event id in a value the writers wrote (an outbox payload, as JSON). */
  static UUID eventId(byte[] value) {
    return UUID.fromString(json(value).path("event").asText());
  }

  static JsonNode json(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Not an event of the ledger's writers: " + new String(value, StandardCharsets.UTF_8), e);
    }
  }
}
