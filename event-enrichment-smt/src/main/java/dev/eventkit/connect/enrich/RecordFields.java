package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads dotted paths from one record's key or value: a schemaless Map, a Struct, or JSON held in a
 * String or byte[]. JSON text is read by {@link JsonPaths} in streaming passes, so a number comes
 * back exactly as written ({@code 1.50}, {@code 1e400}), never re-encoded. Objects, arrays, Maps,
 * Lists and Structs at a path come back as JSON text; bytes as their UTF-8 text. What cannot be
 * read (bytes that are not UTF-8, text that is not a JSON object, nesting too deep to write) reads
 * as absent, with the reason in {@link #problem()}. Built per record.
 */
final class RecordFields {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** As deep as Jackson reads or writes JSON by default; deeper Maps and Structs are refused. */
  private static final int MAX_DEPTH = 1_000;

  private final Object data;
  private final JsonPaths wanted;
  private final String what;
  private boolean decoded;
  private String text;
  private Parsed streamed;
  private Map<String, Parsed> others;
  private final Set<String> problems = new LinkedHashSet<>();

  /** What one streaming pass found: each path's text, and which paths hold an object or array. */
  private record Parsed(Map<String, String> values, Set<String> containers) {}

  RecordFields(Object data, String what) {
    this(data, JsonPaths.NONE, what);
  }

  /**
   * @param wanted the paths the transform will ask for: from JSON text they are read in one
   *     streaming pass that skips everything else and stops once all are found; any other path is
   *     read in a pass of its own
   * @param what what the data is, for problems: "the value" or "the key"
   */
  RecordFields(Object data, JsonPaths wanted, String what) {
    this.data = data;
    this.wanted = wanted;
    this.what = what;
  }

  /** The text at {@code path}, or null when it is absent or null; see {@link #problem()}. */
  String text(String[] path) {
    if (data == null) {
      return null;
    }
    if (data instanceof String || data instanceof byte[]) {
      if (path.length == 0) {
        return text();
      }
      Parsed parsed = parsed(path);
      return parsed == null ? null : parsed.values().get(JsonPaths.join(path));
    }
    return scalar(path.length == 0 ? data : valueAt(path), where(path));
  }

  /**
   * The text {@code uuid5} hashes for the data at {@code path} (the whole data for an empty path),
   * or null. Rendered as release 0.1.0 rendered it, so that a derived id stays the same across an
   * upgrade: an object or array in JSON text as compact JSON, a Struct as {@code Struct{...}}.
   * Except where 0.1.0's rendering gave unstable or shared ids: bytes that are not UTF-8 (decoded
   * with replacement characters) are {@code base64:} and their base64, a byte buffer is its bytes,
   * a Struct holding bytes (whose {@code toString} prints a {@code byte[]} by identity) is its
   * JSON, and what is nested beyond 1,000 levels, or holds bytes but cannot be written as JSON, has
   * no name.
   */
  String uuidName(String[] path) {
    if (data == null) {
      return null;
    }
    if (data instanceof String || data instanceof byte[]) {
      if (path.length == 0) {
        return data instanceof byte[] bytes ? bytesName(bytes) : (String) data;
      }
      Parsed parsed = parsed(path);
      String joined = JsonPaths.join(path);
      String found = parsed == null ? null : parsed.values().get(joined);
      return found != null && parsed.containers().contains(joined) ? compact(found) : found;
    }
    Object value = path.length == 0 ? data : valueAt(path);
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return bytesName(bytes(value));
    }
    if (value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Struct) {
      Shape shape = new Shape();
      if (!shape.walk(value, MAX_DEPTH)) {
        report(where(path) + " is nested more than " + MAX_DEPTH + " levels deep");
        return null;
      }
      if (shape.structs && shape.bytes) {
        // 0.1.0 hashed toString here, which prints a byte[] by identity (another id on every run)
        // and a ByteBuffer by its length (one id for different bytes): hash its JSON instead.
        try {
          return JSON.writeValueAsString(plain(value, 0));
        } catch (TooDeep | JsonProcessingException e) {
          report(where(path) + " cannot be written as JSON (" + firstLine(e) + ")");
          return null;
        }
      }
      if (value instanceof Struct) {
        return String.valueOf(value);
      }
      try {
        return JSON.writeValueAsString(value);
      } catch (JsonProcessingException e) {
        if (shape.bytes) {
          // toString would print its byte[] by identity: another name on every run.
          report(where(path) + " cannot be written as JSON (" + firstLine(e) + ")");
          return null;
        }
        // A Struct inside, or a null key: 0.1.0 fell back to toString, and so do its ids.
        return String.valueOf(value);
      }
    }
    return String.valueOf(value);
  }

  /** What a Map, List or Struct holds, as far as uuid5 names care. */
  private static final class Shape {
    boolean structs;
    boolean bytes;

    /** Walks at most {@code levels} deep; false when the value goes deeper (or is cyclic). */
    boolean walk(Object value, int levels) {
      if (value instanceof byte[] || value instanceof ByteBuffer) {
        bytes = true;
        return true;
      }
      List<Object> children = new ArrayList<>();
      if (value instanceof Map<?, ?> map) {
        children.addAll(map.keySet());
        children.addAll(map.values());
      } else if (value instanceof List<?> list) {
        children.addAll(list);
      } else if (value instanceof Struct struct) {
        structs = true;
        // The stored values, as toString prints them: not the schema's defaults.
        struct.schema().fields().forEach(f -> children.add(struct.getWithoutDefault(f.name())));
      } else {
        return true;
      }
      if (levels == 0) {
        return false;
      }
      for (Object child : children) {
        if (child != null && !walk(child, levels - 1)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Why a path read as absent when it may be there: every problem met, or null. */
  String problem() {
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private String where(String[] path) {
    return path.length == 0 ? what : JsonPaths.join(path) + " in " + what;
  }

  /** The pass over JSON text that reads {@code path}, or null when the data is not text. */
  private Parsed parsed(String[] path) {
    String json = text();
    if (json == null) {
      return null;
    }
    if (wanted.contains(path)) {
      if (streamed == null) {
        streamed = parse(wanted, json);
      }
      return streamed;
    }
    if (others == null) {
      others = new HashMap<>();
    }
    return others.computeIfAbsent(
        JsonPaths.join(path), p -> parse(new JsonPaths(List.<String[]>of(path)), json));
  }

  private Parsed parse(JsonPaths paths, String json) {
    Map<String, String> values = new HashMap<>();
    Set<String> containers = new HashSet<>();
    try {
      String notAnObject = paths.extract(json, values, containers);
      if (notAnObject != null) {
        report(what + " " + notAnObject);
      }
    } catch (IOException e) {
      report(what + " is not valid JSON (" + firstLine(e) + ")");
    }
    return new Parsed(values, containers);
  }

  /** The data as text, decoded once; null (with the reason reported) for bytes not UTF-8. */
  private String text() {
    if (!decoded) {
      decoded = true;
      text = data instanceof byte[] bytes ? utf8(bytes) : (String) data;
      if (text == null) {
        report(what + " is bytes that are not UTF-8 text");
      }
    }
    return text;
  }

  /** The value at {@code path} in a Map or Struct, or null when it is absent. */
  private Object valueAt(String[] path) {
    Object current = data;
    for (String part : path) {
      if (current instanceof Map<?, ?> map) {
        current = map.get(part);
      } else if (current instanceof Struct struct) {
        Field field = struct.schema().field(part);
        current = field == null ? null : struct.get(field);
      } else {
        return null;
      }
    }
    return current;
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

  /** JSON text of an object or array as Jackson writes its tree: no spaces, numbers as doubles. */
  private static String compact(String json) {
    try {
      return JSON.readTree(json).toString();
    } catch (JsonProcessingException e) {
      return json; // read once already as part of the record: cannot happen
    }
  }

  private static String bytesName(byte[] bytes) {
    String text = utf8(bytes);
    return text != null ? text : "base64:" + Base64.getEncoder().encodeToString(bytes);
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
    problems.add(reason);
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
