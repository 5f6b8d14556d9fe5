package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Validates event payloads against JSON Schema files {@code <dir>/<event type>/<version>.json}.
 * Compiled schemas are kept in a bounded LRU cache; the draft follows each file's {@code $schema}
 * (2020-12 when absent). Violations are reported with their JSON pointer and the rule broken.
 */
final class JsonSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REPORTED = 5;

  private final Path directory;
  private final Cache<String, JsonSchema> compiled;
  private final SchemaValidatorsConfig config =
      SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();

  JsonSchemas(Path directory, int cacheSize) {
    this.directory = directory;
    this.compiled = new SynchronizedCache<>(new LRUCache<>(cacheSize));
  }

  /** Throws a DataException naming every violation (up to five) of the payload. */
  void validate(String type, String version, Object payload, String where) {
    JsonSchema schema = schema(type, version);
    JsonNode document = toJson(payload, where);
    Set<ValidationMessage> violations = schema.validate(document);
    if (violations.isEmpty()) {
      return;
    }
    List<String> described = new ArrayList<>();
    for (ValidationMessage violation : violations) {
      if (described.size() == MAX_REPORTED) {
        break;
      }
      String pointer = violation.getInstanceLocation().toString();
      described.add(
          (pointer.isEmpty() ? "/" : pointer)
              + " breaks '"
              + violation.getType()
              + "': "
              + violation.getMessage());
    }
    throw new DataException(
        "Event "
            + type
            + " v"
            + version
            + " in "
            + where
            + " violates "
            + file(type, version)
            + ": "
            + String.join("; ", described)
            + (violations.size() > MAX_REPORTED
                ? " (and " + (violations.size() - MAX_REPORTED) + " more)"
                : ""));
  }

  int cachedSchemas() {
    return (int) compiled.size();
  }

  JsonSchema schema(String type, String version) {
    String key = type + "\u0000" + version;
    JsonSchema schema = compiled.get(key);
    if (schema == null) {
      schema = load(type, version);
      compiled.put(key, schema);
    }
    return schema;
  }

  private Path file(String type, String version) {
    return directory.resolve(type).resolve(version + ".json");
  }

  private JsonSchema load(String type, String version) {
    Path file = file(type, version);
    if (type.contains("/")
        || type.contains("..")
        || version.contains("/")
        || version.contains("..")) {
      throw new DataException(
          "Event type '" + type + "' / version '" + version + "' cannot name a schema file");
    }
    try {
      JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      SpecVersion.VersionFlag draft =
          SpecVersionDetector.detectOptionalVersion(node, false)
              .orElse(SpecVersion.VersionFlag.V202012);
      return JsonSchemaFactory.getInstance(draft).getSchema(node, config);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DataException(
          "No JSON Schema for event " + type + " v" + version + ": " + file + " does not exist");
    } catch (IOException e) {
      throw new DataException("Cannot read JSON Schema " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode toJson(Object payload, String where) {
    try {
      if (payload instanceof String text) {
        return JSON.readTree(text);
      }
      if (payload instanceof byte[] bytes) {
        return JSON.readTree(bytes);
      }
      return JSON.valueToTree(plain(payload));
    } catch (IOException e) {
      throw new DataException("Payload of " + where + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Structs become Maps, so schemaful and schemaless records validate alike. */
  private static Object plain(Object value) {
    if (value instanceof Struct struct) {
      Map<String, Object> map = new HashMap<>();
      for (Field field : struct.schema().fields()) {
        map.put(field.name(), plain(struct.get(field)));
      }
      return map;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(JsonSchemas::plain).collect(Collectors.toList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new HashMap<>();
      map.forEach((k, v) -> copy.put(k, plain(v)));
      return copy;
    }
    return value;
  }
}
