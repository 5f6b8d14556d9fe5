package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads dotted paths from one record's key or value: a schemaless Map, a Struct, or JSON held in a
 * String or byte[]. JSON text is read by {@link JsonPaths} in streaming passes, so a number comes
 * back exactly as written ({@code 1.50}, {@code 1e400}), never re-encoded. Objects, arrays, Maps,
 * Lists and Structs at a path come back as JSON text; bytes as their UTF-8 text. What cannot be
 * read (bytes that are not UTF-8, text that is not JSON, nesting too deep to write) reads as
 * absent, with the reason in {@link #problem()}. Built per record.
 */
final class RecordFields {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** As deep as Jackson reads or writes JSON by default; deeper Maps and Structs are refused. */
  private static final int MAX_DEPTH = 1_000;

  private final Object data;
  private final JsonPaths wanted;
  private boolean decoded;
  private String text;
  private Map<String, String> streamed;
  private Map<String, Optional<String>> others;
  private String problem;

  RecordFields(Object data) {
    this(data, JsonPaths.NONE);
  }

  /**
   * @param wanted the paths the transform will ask for: from JSON text they are read in one
   *     streaming pass that skips everything else and stops once all are found; any other path is
   *     read in a pass of its own
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
    if (data instanceof String || data instanceof byte[]) {
      return path.length == 0 ? text() : fromJsonText(path);
    }
    if (path.length == 0) {
      return scalar(data, "the value");
    }
    if (data instanceof Map<?, ?> map) {
      return fromMap(map, path, 0);
    }
    if (data instanceof Struct struct) {
      return fromStruct(struct, path, 0);
    }
    return null;
  }

  /** Why a path read as absent when it may be there: the first problem met, or null. */
  String problem() {
    return problem;
  }

  private String fromJsonText(String[] path) {
    String json = text();
    if (json == null) {
      return null;
    }
    String joined = JsonPaths.join(path);
    if (wanted.contains(path)) {
      if (streamed == null) {
        streamed = extract(wanted, json);
      }
      return streamed.get(joined);
    }
    if (others == null) {
      others = new HashMap<>();
    }
    return others
        .computeIfAbsent(
            joined,
            p -> Optional.ofNullable(extract(new JsonPaths(List.<String[]>of(path)), json).get(p)))
        .orElse(null);
  }

  private Map<String, String> extract(JsonPaths paths, String json) {
    try {
      return paths.extract(json);
    } catch (IOException e) {
      report("the value is not valid JSON (" + firstLine(e) + ")");
      return Map.of();
    }
  }

  /** The data as text, decoded once; null (with the reason reported) for bytes not UTF-8. */
  private String text() {
    if (!decoded) {
      decoded = true;
      text = data instanceof byte[] bytes ? utf8(bytes) : (String) data;
      if (text == null) {
        report("the value is bytes that are not UTF-8 text");
      }
    }
    return text;
  }

  private String fromMap(Map<?, ?> map, String[] path, int index) {
    Object value = map.get(path[index]);
    if (index == path.length - 1) {
      return scalar(value, JsonPaths.join(path));
    }
    if (value instanceof Map<?, ?> next) {
      return fromMap(next, path, index + 1);
    }
    if (value instanceof Struct next) {
      return fromStruct(next, path, index + 1);
    }
    return null;
  }

  private String fromStruct(Struct struct, String[] path, int index) {
    Field field = struct.schema().field(path[index]);
    if (field == null) {
      return null;
    }
    Object value = struct.get(field);
    if (index == path.length - 1) {
      return scalar(value, JsonPaths.join(path));
    }
    if (value instanceof Struct next) {
      return fromStruct(next, path, index + 1);
    }
    if (value instanceof Map<?, ?> next) {
      return fromMap(next, path, index + 1);
    }
    return null;
  }

  private String scalar(Object value, String where) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      String decoded = utf8(bytes(value));
      if (decoded == null) {
        report(where + " holds bytes that are not UTF-8 text");
      }
      return decoded;
    }
    if (value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Struct) {
      try {
        return JSON.writeValueAsString(plain(value, 0));
      } catch (TooDeep | JsonProcessingException e) {
        report(where + " cannot be written as JSON (" + firstLine(e) + ")");
        return null;
      }
    }
    return String.valueOf(value);
  }

  /** Structs become Maps in field order, ByteBuffers byte arrays (written as base64). */
  private static Object plain(Object value, int depth) throws TooDeep {
    if (depth > MAX_DEPTH) {
      throw new TooDeep();
    }
    if (value instanceof Struct struct) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Field field : struct.schema().fields()) {
        map.put(field.name(), plain(struct.get(field), depth + 1));
      }
      return map;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        copy.put(entry.getKey(), plain(entry.getValue(), depth + 1));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(plain(item, depth + 1));
      }
      return copy;
    }
    if (value instanceof ByteBuffer) {
      return bytes(value);
    }
    return value;
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private void report(String reason) {
    if (problem == null) {
      problem = reason;
    }
  }

  private static String firstLine(Exception e) {
    String message =
        e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** A Map or Struct nested deeper than {@link #MAX_DEPTH}. */
  private static final class TooDeep extends Exception {
    TooDeep() {
      super("nested more than " + MAX_DEPTH + " levels deep", null, false, false);
    }
  }
}
