package dev.eventkit.connect.outbox.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns outbox rows into domain-event records: topic from the template, key = aggregate id, value =
 * payload in the configured format, timestamp = event time, and the event headers.
 *
 * <p>A row that cannot become such a record is poison ({@link InvalidRowException} naming the
 * column): a NULL event id; a NULL, empty or blank aggregate id (no usable key) or aggregate type;
 * a NULL, empty or blank event type when the template uses {@code ${event_type}}; a topic Kafka
 * would refuse; a payload the format cannot take. The task sends it to {@code errors.invalid.topic}
 * through {@link #toInvalidRecord} or fails naming it; no record ever has a null key or a topic
 * built from a missing value.
 */
public final class OutboxRecordFactory {

  public static final String HEADER_EVENT_ID = "event.id";
  public static final String HEADER_EVENT_TYPE = "event.type";
  public static final String HEADER_AGGREGATE_TYPE = "event.aggregate.type";
  public static final String HEADER_AGGREGATE_ID = "event.aggregate.id";
  public static final String HEADER_EVENT_TIME = "event.time";

  /** Headers on a record sent to {@code errors.invalid.topic}. */
  public static final String HEADER_ERROR_REASON = "eventkit.error.reason";

  public static final String HEADER_ERROR_COLUMN = "eventkit.error.column";
  public static final String HEADER_ERROR_MESSAGE = "eventkit.error.message";
  public static final String HEADER_ERROR_TOPIC = "eventkit.error.topic";
  public static final String HEADER_ERROR_POSITION = "eventkit.error.position";

  /**
   * On an invalid-row record whose stored payload is not valid UTF-8 text: {@code base64}, the
   * encoding of the record's value, which then holds the payload's bytes exactly.
   */
  public static final String HEADER_ERROR_PAYLOAD_ENCODING = "eventkit.error.payload.encoding";

  /**
   * Marks a log-mode heartbeat, which carries a log position and no event; Eventkit's transforms
   * pass such records through untouched (for other transforms, see the README's predicate).
   */
  public static final String HEADER_HEARTBEAT = "eventkit.heartbeat";

  private static final int SCHEMA_CACHE_SIZE = 256;

  private final TopicTemplate topics;
  private final PayloadFormat format;
  private final boolean tombstoneOnNull;
  private final String aggregateIdColumn;
  private final String aggregateTypeColumn;
  private final String payloadColumn;
  private final String eventIdColumn;
  private final String eventTypeColumn;
  private final String missingAggregateType;
  private final String missingEventType;
  private final JsonSchemaInference inference = new JsonSchemaInference(SCHEMA_CACHE_SIZE);

  /**
   * @param eventIdColumn and the other column names: the configured {@code column.*} names, used
   *     only to name the column at fault in an {@link InvalidRowException}
   */
  public OutboxRecordFactory(
      TopicTemplate topics,
      PayloadFormat format,
      boolean tombstoneOnNull,
      String eventIdColumn,
      String aggregateTypeColumn,
      String aggregateIdColumn,
      String eventTypeColumn,
      String payloadColumn) {
    this.topics = topics;
    this.format = format;
    this.tombstoneOnNull = tombstoneOnNull;
    this.eventIdColumn = eventIdColumn;
    this.aggregateTypeColumn = aggregateTypeColumn;
    this.aggregateIdColumn = aggregateIdColumn;
    this.eventTypeColumn = eventTypeColumn;
    this.payloadColumn = payloadColumn;
    this.missingAggregateType =
        topics.usesAggregateType()
            ? "topic.template '" + topics + "' gives the event no topic"
            : "the event names no aggregate";
    this.missingEventType =
        "topic.template '" + topics + "' uses ${" + TopicTemplate.EVENT_TYPE + "}";
  }

  /** The domain-event record for a row, or an exception saying why the row is poison. */
  public SourceRecord toRecord(OutboxRow row, Map<String, ?> partition, Map<String, ?> offset)
      throws InvalidRowException {
    if (row.eventId() == null) {
      throw new InvalidRowException("null-event-id", eventIdColumn, "event id is NULL");
    }
    requireValue(
        row.aggregateId(),
        "aggregate-id",
        aggregateIdColumn,
        "aggregate id",
        "the event has no key");
    requireValue(
        row.aggregateType(),
        "aggregate-type",
        aggregateTypeColumn,
        "aggregate type",
        missingAggregateType);
    if (topics.usesEventType()) {
      requireValue(row.eventType(), "event-type", eventTypeColumn, "event type", missingEventType);
    }
    String topic = topicFor(row);
    String invalidTopic = TopicNames.whyInvalid(topic);
    if (invalidTopic != null) {
      throw new InvalidRowException("invalid-topic", columnOf(row), invalidTopic);
    }
    SchemaAndValue value = value(row);
    return new SourceRecord(
        partition,
        offset,
        topic,
        null,
        Schema.STRING_SCHEMA,
        row.aggregateId(),
        value.schema(),
        value.value(),
        row.timestamp() == null ? null : row.timestamp().toEpochMilli(),
        eventHeaders(row));
  }

  /**
   * The record for a poison row on the invalid-rows topic: the stored payload as text (nothing
   * re-encoded), the event headers that could be read, and headers naming the fault.
   */
  public SourceRecord toInvalidRecord(
      OutboxRow row,
      InvalidRowException error,
      String invalidTopic,
      Map<String, ?> partition,
      Map<String, ?> offset) {
    Headers headers = eventHeaders(row);
    headers.addString(HEADER_ERROR_REASON, error.reason());
    if (error.column() != null) {
      headers.addString(HEADER_ERROR_COLUMN, error.column());
    }
    headers.addString(HEADER_ERROR_MESSAGE, error.getMessage());
    headers.addString(HEADER_ERROR_TOPIC, topicFor(row));
    headers.addString(HEADER_ERROR_POSITION, row.position());
    String payload = row.payloadText();
    if (payload == null && row.payloadBytes() != null) {
      payload = utf8(row.payloadBytes());
      if (payload == null) {
        // Not text: carried exactly, as base64, rather than with replacement characters.
        payload = java.util.Base64.getEncoder().encodeToString(row.payloadBytes());
        headers.addString(HEADER_ERROR_PAYLOAD_ENCODING, "base64");
      }
    }
    return new SourceRecord(
        partition,
        offset,
        invalidTopic,
        null,
        Schema.OPTIONAL_STRING_SCHEMA,
        row.aggregateId(),
        Schema.OPTIONAL_STRING_SCHEMA,
        payload,
        row.timestamp() == null ? null : row.timestamp().toEpochMilli(),
        headers);
  }

  /**
   * A log-mode heartbeat: carries the log position reached while the outbox was quiet, so that
   * Connect stores it. Key: the connector's name; value: when it was emitted (ISO-8601).
   */
  public static SourceRecord toHeartbeat(
      String topic, String connector, Map<String, ?> partition, Map<String, ?> offset) {
    java.time.Instant now = java.time.Instant.now();
    Headers headers = new ConnectHeaders();
    headers.addString(HEADER_HEARTBEAT, "true");
    return new SourceRecord(
        partition,
        offset,
        topic,
        null,
        Schema.STRING_SCHEMA,
        connector,
        Schema.STRING_SCHEMA,
        now.toString(),
        now.toEpochMilli(),
        headers);
  }

  /**
   * Refuses a NULL, empty or blank identity value: reason {@code null-<what>} or {@code
   * blank-<what>}. A blank aggregate id would be a key shared by unrelated events; a missing type
   * would route nowhere (or to a topic such as {@code .events}).
   */
  private static void requireValue(
      String value, String what, String column, String name, String consequence)
      throws InvalidRowException {
    if (value == null) {
      throw new InvalidRowException("null-" + what, column, name + " is NULL, so " + consequence);
    }
    if (value.isBlank()) {
      throw new InvalidRowException(
          "blank-" + what,
          column,
          name + " is " + (value.isEmpty() ? "empty" : "blank") + ", so " + consequence);
    }
  }

  /** The column whose value made the topic illegal, as far as one can tell. */
  private String columnOf(OutboxRow row) {
    if (topics.usesAggregateType() && !TopicNames.hasOnlyLegalCharacters(row.aggregateType())) {
      return aggregateTypeColumn;
    }
    if (topics.usesEventType() && !TopicNames.hasOnlyLegalCharacters(row.eventType())) {
      return eventTypeColumn;
    }
    if (topics.usesAggregateType()) {
      return aggregateTypeColumn;
    }
    return topics.usesEventType() ? eventTypeColumn : null;
  }

  private String topicFor(OutboxRow row) {
    return topics.render(row.aggregateType(), row.eventType());
  }

  private SchemaAndValue value(OutboxRow row) throws InvalidRowException {
    if (row.payloadIsNull()) {
      if (tombstoneOnNull) {
        return SchemaAndValue.NULL;
      }
      throw new InvalidRowException(
          "null-payload", payloadColumn, "payload is NULL and tombstones.on.null.payload=false");
    }
    switch (format) {
      case STRING:
        return new SchemaAndValue(Schema.OPTIONAL_STRING_SCHEMA, text(row));
      case BYTES:
        return new SchemaAndValue(
            Schema.OPTIONAL_BYTES_SCHEMA,
            row.payloadBytes() != null
                ? row.payloadBytes()
                : row.payloadText().getBytes(StandardCharsets.UTF_8));
      case JSON:
        return new SchemaAndValue(null, JsonPayloads.toSchemaless(json(row)));
      case STRUCT:
        {
          JsonNode document = json(row);
          try {
            return inference.toConnect(document);
          } catch (IllegalArgumentException e) {
            throw new InvalidRowException(
                "invalid-json", payloadColumn, "payload.format=struct: " + e.getMessage(), e);
          }
        }
      default:
        throw new IllegalStateException("Unknown payload format " + format);
    }
  }

  private JsonNode json(OutboxRow row) throws InvalidRowException {
    try {
      return JsonPayloads.parse(text(row));
    } catch (JsonProcessingException e) {
      throw new InvalidRowException(
          "invalid-json",
          payloadColumn,
          "payload is not valid JSON (payload.format="
              + format.configValue()
              + "): "
              + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * The payload as text; a binary payload column must hold UTF-8, or the row is poison (decoding
   * with replacement characters would publish other bytes than the row holds).
   */
  private String text(OutboxRow row) throws InvalidRowException {
    if (row.payloadText() != null) {
      return row.payloadText();
    }
    String decoded = utf8(row.payloadBytes());
    if (decoded == null) {
      throw new InvalidRowException(
          "invalid-utf8",
          payloadColumn,
          "payload is not valid UTF-8 text (payload.format="
              + format.configValue()
              + "); payload.format=bytes publishes a binary payload as it is");
    }
    return decoded;
  }

  /** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  private static Headers eventHeaders(OutboxRow row) {
    ConnectHeaders headers = new ConnectHeaders();
    addIfPresent(headers, HEADER_EVENT_ID, row.eventId());
    addIfPresent(headers, HEADER_EVENT_TYPE, row.eventType());
    addIfPresent(headers, HEADER_AGGREGATE_TYPE, row.aggregateType());
    addIfPresent(headers, HEADER_AGGREGATE_ID, row.aggregateId());
    if (row.timestamp() != null) {
      headers.addString(HEADER_EVENT_TIME, row.timestamp().toString());
    }
    row.headers().forEach((name, value) -> addIfPresent(headers, name, value));
    return headers;
  }

  private static void addIfPresent(Headers headers, String name, String value) {
    if (value != null) {
      headers.addString(name, value);
    }
  }
}
