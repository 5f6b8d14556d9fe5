package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads dotted paths from one record's key or value: a schemaless Map, a Struct, or JSON held in a
 * String or byte[] (parsed once per record, never re-encoded). Built per record.
 */
final class RecordFields {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Object data;
  private final JsonPaths wanted;
  private Map<String, String> streamed;
  private JsonNode parsed;
  private String parseError;

  RecordFields(Object data) {
    this(data, JsonPaths.NONE);
  }

  /**
   * @param wanted the paths the transform will ask for: from JSON text they are read in one
   *     streaming pass that skips everything else and stops once all are found
   */
  RecordFields(Object data, JsonPaths wanted) {
    this.data = data;
    this.wanted = wanted;
  }

  /** The text at {@code path}, or null when it is absent or null; see {@link #problem()}. */
  String text(String[] path) {
    if (data == null) {
      return null;
    }
    if (path.length == 0) {
      return scalar(data);
    }
    if (data instanceof Map<?, ?> map) {
      return fromMap(map, path, 0);
    }
    if (data instanceof Struct struct) {
      return fromStruct(struct, path, 0);
    }
    if ((data instanceof String || data instanceof byte[]) && wanted.contains(path)) {
      if (streamed == null && parseError == null) {
        String text = text();
        if (text != null) {
          try {
            streamed = wanted.extract(text);
          } catch (IOException e) {
            parseError = "the value is not valid JSON (" + e.getMessage() + ")";
          }
        }
      }
      return streamed == null ? null : streamed.get(JsonPaths.join(path));
    }
    if (data instanceof String || data instanceof byte[]) {
      JsonNode node = json();
      for (String part : path) {
        if (node == null) {
          return null;
        }
        node = node.get(part);
      }
      return node == null || node.isNull()
          ? null
          : node.isValueNode() ? node.asText() : node.toString();
    }
    return null;
  }

  /** Why the data could not be read as JSON, when that is why a path was missing. */
  String problem() {
    return parseError;
  }

  private JsonNode json() {
    if (parsed != null || parseError != null) {
      return parsed;
    }
    String text = text();
    if (text == null) {
      return null;
    }
    try {
      parsed = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      parseError = "the value is not valid JSON (" + e.getOriginalMessage() + ")";
    }
    return parsed;
  }

  /** The value as text, or null (with the reason in parseError) for bytes that are not UTF-8. */
  private String text() {
    if (!(data instanceof byte[] bytes)) {
      return (String) data;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      parseError = "the value is bytes that are not UTF-8 text";
      return null;
    }
  }

  private static String fromMap(Map<?, ?> map, String[] path, int index) {
    Object value = map.get(path[index]);
    if (index == path.length - 1 || value == null) {
      return index == path.length - 1 ? scalar(value) : null;
    }
    if (value instanceof Map<?, ?> next) {
      return fromMap(next, path, index + 1);
    }
    if (value instanceof Struct next) {
      return fromStruct(next, path, index + 1);
    }
    return null;
  }

  private static String fromStruct(Struct struct, String[] path, int index) {
    Field field = struct.schema().field(path[index]);
    if (field == null) {
      return null;
    }
    Object value = struct.get(field);
    if (index == path.length - 1 || value == null) {
      return index == path.length - 1 ? scalar(value) : null;
    }
    if (value instanceof Struct next) {
      return fromStruct(next, path, index + 1);
    }
    if (value instanceof Map<?, ?> next) {
      return fromMap(next, path, index + 1);
    }
    return null;
  }

  private static String scalar(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (value instanceof Map<?, ?> || value instanceof java.util.List<?>) {
      try {
        return JSON.writeValueAsString(value);
      } catch (JsonProcessingException e) {
        return String.valueOf(value);
      }
    }
    return String.valueOf(value);
  }
}
