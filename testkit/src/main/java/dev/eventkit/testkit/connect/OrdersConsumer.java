package dev.eventkit.testkit.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * The downstream service of the quickstart and the fault suite: a {@code FileStreamSink} on {@value
 * #EVENTS} behind {@code EventVersion}, which knows the versions of {@code OrderPlaced} and {@code
 * OrderShipped} only, so any other event type fails and is dead-lettered to {@value #DLQ} with
 * Connect's context headers.
 */
public final class OrdersConsumer {

  public static final String NAME = "orders-consumer";
  public static final String EVENTS = "order.events";
  public static final String DLQ = "order.dlq";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OrdersConsumer() {}

  /** The {@code POST /connectors} body, writing what it consumes to {@code file}. */
  public static String config(Path file, Map<String, String> overrides) {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", NAME);
    ObjectNode config = body.putObject("config");
    config.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
    config.put("topics", EVENTS);
    config.put("file", file.toString());
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("transforms", "version");
    config.put("transforms.version.type", "dev.eventkit.connect.enrich.EventVersion$Value");
    config.put("transforms.version.versions", "OrderPlaced:3,OrderShipped:1");
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", DLQ);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    overrides.forEach(config::put);
    return body.toString();
  }
}
