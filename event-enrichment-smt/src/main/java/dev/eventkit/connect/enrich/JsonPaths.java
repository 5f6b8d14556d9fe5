package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fixed set of dotted paths read from JSON text in one streaming pass: subtrees that lead to no
 * wanted path are skipped unread, and the pass stops as soon as every path is found. Objects and
 * arrays at a wanted path come back as their JSON text exactly as written, scalars as their text
 * (numbers as written too).
 */
final class JsonPaths {

  static final JsonPaths NONE = new JsonPaths(List.of());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private final Set<String> paths = new HashSet<>();
  private final Set<String> prefixes = new HashSet<>();

  JsonPaths(List<String[]> wanted) {
    for (String[] path : wanted) {
      paths.add(join(path));
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < path.length - 1; i++) {
        if (i > 0) {
          prefix.append('.');
        }
        prefix.append(path[i]);
        prefixes.add(prefix.toString());
      }
    }
  }

  static String join(String[] path) {
    return String.join(".", path);
  }

  boolean contains(String[] path) {
    return !paths.isEmpty() && paths.contains(join(path));
  }

  /** Values found for the wanted paths; absent and null values are missing from the map. */
  Map<String, String> extract(String text) throws IOException {
    Map<String, String> found = new HashMap<>();
    extract(text, found, new HashSet<>());
    return found;
  }

  /**
   * Puts the values found for the wanted paths in {@code found} as it reads, and the paths whose
   * value is an object or array in {@code containers}; what was found before a parse error stays
   * there.
   *
   * @return why nothing can be found in text that is valid JSON but no object (it "is empty" or "is
   *     JSON but not an object ..."), or null
   * @throws IOException Jackson's parse error, for text that is not JSON
   */
  String extract(String text, Map<String, String> found, Set<String> containers)
      throws IOException {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.START_OBJECT) {
        walk(parser, text, "", found, containers);
        return null;
      }
      return first == null
          ? "is empty, not JSON"
          : "is JSON but not an object (it is " + kind(first) + ")";
    }
  }

  private static String kind(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString();
    };
  }

  /** Reads one object's fields; returns false once every wanted path is found. */
  private boolean walk(
      JsonParser parser,
      String text,
      String prefix,
      Map<String, String> found,
      Set<String> containers)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String path = prefix.isEmpty() ? parser.currentName() : prefix + "." + parser.currentName();
      JsonToken value = parser.nextToken();
      if (paths.contains(path)) {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          // The container's own text, as written: parsed and written again, 1.50 would become
          // 1.5 and 1e400 Infinity.
          int start = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          int end = (int) parser.currentLocation().getCharOffset();
          found.put(path, text.substring(start, end));
          containers.add(path);
        } else if (value != JsonToken.VALUE_NULL) {
          found.put(path, parser.getText());
          containers.remove(path); // a later duplicate key's scalar replaces an object
        }
        if (found.size() == paths.size()) {
          return false;
        }
      } else if (value == JsonToken.START_OBJECT && prefixes.contains(path)) {
        if (!walk(parser, text, path, found, containers)) {
          return false;
        }
      } else {
        parser.skipChildren();
      }
    }
    return true;
  }
}
