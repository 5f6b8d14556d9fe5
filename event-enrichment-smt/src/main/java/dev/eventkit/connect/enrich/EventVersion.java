package dev.eventkit.connect.enrich;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Stamps the schema version of each event ({@code event.schema.version}, or {@code ce_dataschema}
 * under CloudEvents naming) from a field, a header, or a per-type mapping with a default, so
 * consumers can evolve compatibly. An existing header is kept. {@code $Value} reads fields from the
 * value, {@code $Key} from the key.
 */
public abstract class EventVersion<R extends ConnectRecord<R>>
    implements Transformation<R>, Versioned {

  private EventVersionConfig config;
  private JsonSchemas schemas;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public ConfigDef config() {
    return EventVersionConfig.CONFIG_DEF;
  }

  @Override
  public void configure(Map<String, ?> props) {
    config = new EventVersionConfig(props);
    schemas =
        config.schemasDir.isEmpty()
            ? null
            : new JsonSchemas(java.nio.file.Path.of(config.schemasDir), config.schemasCacheSize);
  }

  protected abstract Object fields(R record);

  @Override
  public R apply(R record) {
    if (Records.isHeartbeat(record)) {
      return record; // an outbox heartbeat carries a log position, not an event
    }
    String existing = HeaderText.last(record.headers(), config.header);
    if (existing != null && schemas == null) {
      return record;
    }
    // A tombstone has no data, so no schema applies: stamped when a version is found, never
    // validated, never failed (failing it would send deletes to the dead letter queue).
    boolean tombstone = record.value() == null;
    ValueSource.RecordContext context =
        new ValueSource.RecordContext(
            record, new RecordFields(fields(record), config.fieldPaths, fieldsName()));
    String type = ValueSource.firstOf(config.typeSources, context);
    String version =
        existing != null && config.naming == HeaderNaming.EVENTKIT
            ? existing
            : versionOf(type, context);
    if (version == null) {
      if (existing != null || tombstone || !config.failOnMissing) {
        return record;
      }
      throw new DataException(
          "No schema version for "
              + Records.describe(record)
              + ": "
              + (config.versionSources.isEmpty()
                  ? "version.source is empty"
                  : "version.source (" + describe(config.versionSources) + ") yields none")
              + ", "
              + (type == null
                  ? "type.source ("
                      + describe(config.typeSources)
                      + ") yields no event type for the versions mapping"
                  : "versions has none for event type " + type)
              + " and version.default is empty"
              + problem(context)
              + "; on.missing=fail");
    }
    boolean validate = schemas != null && !tombstone;
    boolean typeInDataschema =
        existing == null
            && config.naming == HeaderNaming.CLOUDEVENTS
            && config.dataschemaTemplate.contains("${type}");
    if (type == null && (validate || typeInDataschema)) {
      if (tombstone || !config.failOnMissing) {
        return record;
      }
      throw new DataException(
          "No event type from type.source ("
              + describe(config.typeSources)
              + ") in "
              + Records.describe(record)
              + ", and it is needed "
              + (validate
                  ? "to find the JSON Schema under schemas.dir"
                  : "for ${type} in dataschema.template")
              + problem(context)
              + "; on.missing=fail");
    }
    if (validate) {
      schemas.validate(type, version, record.value(), Records.describe(record));
    }
    if (existing != null) {
      return record;
    }
    String value =
        config.naming == HeaderNaming.CLOUDEVENTS
            ? config
                .dataschemaTemplate
                .replace("${type}", type == null ? "" : type)
                .replace("${version}", version)
            : version;
    Headers headers = record.headers().duplicate();
    headers.addString(config.header, value);
    return Records.withHeaders(record, headers);
  }

  /** Why a field could not be read, when that may be why a value is missing. */
  private static String problem(ValueSource.RecordContext context) {
    String problem = context.problem();
    return problem == null ? "" : " (" + problem + ")";
  }

  private static String describe(java.util.List<ValueSource> sources) {
    return String.join(",", sources.stream().map(ValueSource::describe).toList());
  }

  private String versionOf(String type, ValueSource.RecordContext context) {
    String version = ValueSource.firstOf(config.versionSources, context);
    if (version == null && type != null) {
      version = config.versions.get(type);
    }
    return version == null ? config.defaultVersion : version;
  }

  @Override
  public void close() {}

  /** What {@link #fields} reads, for error messages. */
  String fieldsName() {
    return "the value";
  }

  /** Reads fields from the record value. */
  public static final class Value<R extends ConnectRecord<R>> extends EventVersion<R> {
    @Override
    protected Object fields(R record) {
      return record.value();
    }
  }

  /** Reads fields from the record key. */
  public static final class Key<R extends ConnectRecord<R>> extends EventVersion<R> {
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
