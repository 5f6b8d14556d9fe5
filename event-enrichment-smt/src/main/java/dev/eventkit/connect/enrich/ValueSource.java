package dev.eventkit.connect.enrich;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;

/**
 * Where one metadata value comes from. Parsed from a config list such as {@code
 * header:event.id,field:id,uuid7}; the first source that yields a value wins.
 *
 * <ul>
 *   <li>{@code header:NAME} — an existing header (its last occurrence)
 *   <li>{@code field:PATH} — a dotted path into the value ($Value) or key ($Key)
 *   <li>{@code key} / {@code key.PATH} — the record key, or a path into it
 *   <li>{@code topic}, {@code timestamp} (ISO-8601 of the record timestamp)
 *   <li>{@code literal:TEXT} — a fixed value
 *   <li>{@code id} — the event id resolved for this record (a chain starter's correlation id)
 *   <li>{@code uuid7} — a new time-ordered UUID; {@code uuid5:PATH} — a UUID derived from topic,
 *       key and the field at PATH, the same on every re-run
 * </ul>
 */
interface ValueSource {

  /** The value for this record, or null when this source has none. */
  String resolve(RecordContext context);

  /** What this source reads, for error messages. */
  String describe();

  /** The dotted path this source reads from the value ($Value) or key ($Key), or null. */
  default String[] fieldPath() {
    return null;
  }

  /** One record under transformation, with lazily parsed key and value. */
  final class RecordContext {
    final ConnectRecord<?> record;
    final RecordFields fields;
    final RecordFields key;
    String eventId;

    RecordContext(ConnectRecord<?> record, RecordFields fields) {
      this.record = record;
      this.fields = fields;
      this.key = new RecordFields(record.key(), "the key");
    }

    /** Why a field or key path could not be read, or null. */
    String problem() {
      String value = fields.problem();
      String ofKey = key.problem();
      if (value == null || ofKey == null) {
        return value == null ? ofKey : value;
      }
      return value + "; " + ofKey;
    }
  }

  /** The value of the first source that yields one, or null. */
  static String firstOf(List<ValueSource> sources, RecordContext context) {
    for (ValueSource source : sources) {
      String value = source.resolve(context);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** The value of the first source that yields one {@code accept} keeps (non-null), or null. */
  static String firstOf(
      List<ValueSource> sources,
      RecordContext context,
      java.util.function.UnaryOperator<String> accept) {
    for (ValueSource source : sources) {
      String value = accept.apply(source.resolve(context));
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** The {@code field:} paths of these sources, for one streaming pass over JSON text. */
  static JsonPaths fieldPaths(java.util.Collection<List<ValueSource>> sourceLists) {
    return new JsonPaths(
        sourceLists.stream()
            .flatMap(List::stream)
            .map(ValueSource::fieldPath)
            .filter(java.util.Objects::nonNull)
            .toList());
  }

  static List<ValueSource> parseList(String option, List<String> specs) {
    List<ValueSource> sources = new ArrayList<>();
    for (String raw : specs) {
      String spec = raw.trim();
      if (!spec.isEmpty()) {
        sources.add(parse(option, spec));
      }
    }
    return List.copyOf(sources);
  }

  static ValueSource parse(String option, String spec) {
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? spec : spec.substring(0, colon);
    String argument = colon < 0 ? "" : spec.substring(colon + 1);
    switch (kind) {
      case "header":
        require(option, spec, !argument.isEmpty(), "header:NAME");
        return new Named(spec, c -> HeaderText.last(c.record.headers(), argument));
      case "field":
        require(option, spec, !argument.isEmpty(), "field:PATH");
        String[] path = argument.split("\\.");
        return new Named(spec, path, c -> c.fields.text(path));
      case "literal":
        return new Named(spec, c -> argument);
      case "topic":
        return new Named(spec, c -> c.record.topic());
      case "timestamp":
        return new Named(
            spec,
            c ->
                c.record.timestamp() == null
                    ? null
                    : Instant.ofEpochMilli(c.record.timestamp()).toString());
      case "id":
        return new Named(spec, c -> c.eventId);
      case "uuid7":
        return new Named(spec, c -> Uuids.v7(System.currentTimeMillis()).toString());
      case "uuid5":
        {
          require(option, spec, !argument.isEmpty(), "uuid5:PATH");
          String[] uuidPath = argument.split("\\.");
          return new Named(
              spec,
              uuidPath,
              c -> {
                // Rendered as 0.1.0 did (RecordFields.uuidName), so that ids stay the same.
                String field = c.fields.uuidName(uuidPath);
                if (field == null) {
                  return null;
                }
                String key = c.key.uuidName(new String[0]);
                if (key == null && c.record.key() != null) {
                  return null; // a key that cannot be named (nested too deep): no id from it
                }
                return Uuids.v5(
                        Uuids.EVENTKIT_NAMESPACE, c.record.topic() + '\0' + key + '\0' + field)
                    .toString();
              });
        }
      default:
        if (spec.equals("key")) {
          return new Named(spec, c -> c.key.text(new String[0]));
        }
        if (spec.startsWith("key.")) {
          String[] keyPath = spec.substring(4).split("\\.");
          return new Named(spec, c -> c.key.text(keyPath));
        }
        throw new ConfigException(
            option,
            spec,
            "Unknown source; use header:NAME, field:PATH, key, key.PATH, topic, timestamp, literal:TEXT, id,"
                + " uuid7 or uuid5:PATH");
    }
  }

  private static void require(String option, String spec, boolean ok, String form) {
    if (!ok) {
      throw new ConfigException(option, spec, "Expected " + form);
    }
  }

  /** A source and its spec. */
  record Named(
      String describe,
      String[] fieldPath,
      java.util.function.Function<RecordContext, String> reader)
      implements ValueSource {
    Named(String describe, java.util.function.Function<RecordContext, String> reader) {
      this(describe, null, reader);
    }

    @Override
    public String resolve(RecordContext context) {
      return reader.apply(context);
    }
  }
}
