package dev.eventkit.connect.enrich;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Adds what a consumer needs to process, dedupe and trace an event without lookups: event id, type,
 * time, source, correlation id, causation id and content type, as UTF-8 string headers in Eventkit
 * or CloudEvents naming. Existing headers are kept unless {@code overwrite=true}, so replays keep
 * their ids. {@code $Value} reads {@code field:} paths from the value, {@code $Key} from the key.
 * The key and value themselves are never changed.
 */
public abstract class EventMetadata<R extends ConnectRecord<R>>
    implements Transformation<R>, Versioned {

  private EventMetadataConfig config;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public ConfigDef config() {
    return EventMetadataConfig.CONFIG_DEF;
  }

  @Override
  public void configure(Map<String, ?> props) {
    config = new EventMetadataConfig(props);
  }

  /** What {@code field:} paths read: the value or the key. */
  protected abstract Object fields(R record);

  @Override
  public R apply(R record) {
    if (Records.isHeartbeat(record)) {
      return record; // an outbox heartbeat carries a log position, not an event
    }
    ValueSource.RecordContext context =
        new ValueSource.RecordContext(
            record, new RecordFields(fields(record), config.fieldPaths, fieldsName()));
    // Only the record's own headers can already hold a value: look there, and only if it has any.
    Headers original = record.headers();
    boolean hasHeaders = !original.isEmpty();
    // A tombstone (null value) is stamped with what can be found and never failed for a missing
    // attribute, under either naming and either on.missing: failing it would send deletes to the
    // dead letter queue (EventVersion treats tombstones the same way).
    boolean tombstone = record.value() == null;
    Headers headers = original.duplicate();
    for (Map.Entry<EventAttribute, List<ValueSource>> entry : config.sources.entrySet()) {
      EventAttribute attribute = entry.getKey();
      List<ValueSource> sources = entry.getValue();
      if (sources.isEmpty() && attribute != EventAttribute.ID) {
        continue;
      }
      String header = config.headers.get(attribute);
      // CloudEvents requires id, source and type to be non-empty: blank text counts as missing.
      boolean required =
          config.naming == HeaderNaming.CLOUDEVENTS
              && HeaderNaming.CLOUDEVENTS_REQUIRED.contains(attribute);
      String found = hasHeaders ? HeaderText.last(original, header) : null;
      String existing = required ? nonBlank(found) : found;
      if (existing != null && !config.overwrite) {
        if (attribute == EventAttribute.ID) {
          context.eventId = existing;
        }
        continue;
      }
      if (sources.isEmpty()) {
        continue;
      }
      String value =
          required
              ? ValueSource.firstOf(sources, context, EventMetadata::nonBlank)
              : ValueSource.firstOf(sources, context);
      if (attribute == EventAttribute.ID) {
        context.eventId = value;
      }
      if (value == null) {
        if (config.failOnMissing && !tombstone) {
          throw missing(attribute, sources, context);
        }
        continue;
      }
      if (found != null) {
        headers.remove(header);
      }
      headers.addString(header, value);
    }
    if (config.naming == HeaderNaming.CLOUDEVENTS) {
      EventAttribute absent = absentCloudEventsAttribute(headers);
      if (absent != null && !tombstone) {
        throw notACloudEvent(absent, context);
      }
      // A tombstone without id, source or type is not a CloudEvent and does not claim to be one.
      if (absent == null
          && nonBlank(HeaderText.last(headers, HeaderNaming.CE_SPECVERSION)) == null) {
        headers.remove(HeaderNaming.CE_SPECVERSION);
        headers.addString(HeaderNaming.CE_SPECVERSION, "1.0");
      }
    }
    return Records.withHeaders(record, headers);
  }

  /** The first attribute CloudEvents requires that the headers lack, or null. */
  private static EventAttribute absentCloudEventsAttribute(Headers headers) {
    for (EventAttribute attribute : HeaderNaming.CLOUDEVENTS_REQUIRED) {
      if (nonBlank(HeaderText.last(headers, attribute.cloudEventsHeader)) == null) {
        return attribute;
      }
    }
    return null;
  }

  /** A record that would leave without id, source or type is not a CloudEvent: never skipped. */
  private DataException notACloudEvent(
      EventAttribute attribute, ValueSource.RecordContext context) {
    List<ValueSource> sources = config.sources.get(attribute);
    return new DataException(
        "No "
            + attribute.cloudEventsHeader
            + ", a required CloudEvents attribute: "
            + attribute.sourceConfig()
            + " ("
            + String.join(",", sources.stream().map(ValueSource::describe).toList())
            + ") yields nothing (or only empty text) for "
            + Records.describe(context.record)
            + (context.problem() == null ? "" : " (" + context.problem() + ")")
            + "; header.naming=cloudevents fails such records whatever on.missing says");
  }

  private static String nonBlank(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  private DataException missing(
      EventAttribute attribute, List<ValueSource> sources, ValueSource.RecordContext context) {
    StringBuilder message =
        new StringBuilder("No value for ")
            .append(attribute.sourceConfig())
            .append(" (")
            .append(String.join(",", sources.stream().map(ValueSource::describe).toList()))
            .append(") in record of ")
            .append(Records.describe(context.record));
    if (context.problem() != null) {
      message.append(": ").append(context.problem());
    }
    return new DataException(message.append("; on.missing=fail").toString());
  }

  @Override
  public void close() {}

  /** What {@link #fields} reads, for error messages. */
  String fieldsName() {
    return "the value";
  }

  /** Reads {@code field:} paths from the record value. */
  public static final class Value<R extends ConnectRecord<R>> extends EventMetadata<R> {
    @Override
    protected Object fields(R record) {
      return record.value();
    }
  }

  /** Reads {@code field:} paths from the record key. */
  public static final class Key<R extends ConnectRecord<R>> extends EventMetadata<R> {
    @Override
    String fieldsName() {
      return "the key";
    }

    @Override
    protected Object fields(R record) {
      return record.key();
    }
  }
}
